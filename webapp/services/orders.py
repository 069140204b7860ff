"""Order and payment attempt status changes (through services/transitions.py), and settling
what fell due (expiry, crediting)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from ..clock import clock
from ..domain import orders as states
from ..extensions import db
from ..models import LedgerEntry, Order, PaymentAttempt, Subscriber
from . import ledger
from .db_locks import claim_next, locked_order
from .transitions import transition
from .trust import balance_changed


def set_status(order: Order, new: str, actor: str, at: datetime, note: str = "") -> None:
    """Move an order through its state machine and record the move (`note`: its reason).
    Raises InvalidTransition."""
    transition(order, new, actor=actor, reason=note, at=at)


# Who settles an attempt when the caller does not say: the acquirer or the operator.
_DECIDED_BY = {"card": "bank", "mobile_balance": "operator"}


def set_attempt_status(attempt: PaymentAttempt, new: str, at: datetime,
                       actor: str | None = None) -> None:
    """Move a payment attempt through its state machine and record the move, its reason
    being the attempt's decline code. `actor` by default: the clock for an attempt canceled
    because its order expired, the payer for any other cancel (a newer payment), else whoever
    decided the payment (the bank, the operator). Raises InvalidTransition."""
    if actor is None:
        if new == states.CANCELED:
            actor = "clock" if attempt.decline_code == "expired" else "payer"
        else:
            actor = _DECIDED_BY.get(attempt.method, attempt.method)
    transition(attempt, new, actor=actor, reason=attempt.decline_code or "", at=at)
    attempt.finished_at = at


def cancel_pending_attempts(order: Order, at: datetime, reason: str | None = None) -> None:
    """Cancel whatever attempt still waits on this order (a 3-D Secure or SMS confirmation)."""
    for attempt in order.attempts:
        if attempt.status == states.PENDING:
            attempt.decline_code = reason
            set_attempt_status(attempt, states.CANCELED, at)


def expire(order: Order, at: datetime) -> None:
    """The payment window is over: the order expires and nothing waiting on it can pay it."""
    set_status(order, states.EXPIRED, "clock", at)
    cancel_pending_attempts(order, at, reason="expired")


# Asked, under the order's lock, before an unpaid order expires: a payment method that started
# something outside (a wallet's trade) takes it back and answers True if the payer turns out to
# have paid in time (the order is then paid, not expired). services/checkout.py adds its hook:
# orders cannot know the providers.
BEFORE_EXPIRY: list[Callable[[Order, datetime], bool]] = []


def expire_if_due(order: Order, now: datetime) -> bool:
    """Expire an unpaid order whose payment window is over; True if it did."""
    if order.status == states.AWAITING_PAYMENT and states.is_past_deadline(order.deadline, now):
        if any(hook(order, now) for hook in BEFORE_EXPIRY):
            return False  # paid in time after all
        expire(order, now)
        return True
    return False


def mark_paid(order: Order, at: datetime, actor: str) -> None:
    """A payment succeeded: paid; a top-up is then handed to the operator for crediting
    after the delay."""
    set_status(order, states.PAID, actor, at)
    order.paid_at = at
    if order.kind != "topup":
        return
    set_status(order, states.CREDITING, "operator", at)
    order.credit_due_at = at + timedelta(seconds=current_app.config["CREDIT_DELAY_SECONDS"])
    if at >= order.credit_due_at:  # no operator delay configured: credited at once
        _credit(order, at)


def first_topup_open(phone: str, first_topup_promotions: tuple[str, ...]) -> bool:
    """True while a first top-up discount is still there for the number to take: it has never
    been topped up (no paid top-up order, no top-up in its subscriber's ledger: demo numbers
    come with months of history), and no order of it still open for payment carries one of
    `first_topup_promotions` (only one open or paid order of a number may)."""
    paid = (states.PAID, states.CREDITING, states.CREDITED)
    paid_order = exists().where(Order.phone == phone, Order.kind == "topup",
                                Order.status.in_(paid))
    ledger_topup = exists().where(LedgerEntry.kind == "topup",
                                  LedgerEntry.subscriber_id == Subscriber.id,
                                  Subscriber.phone == phone)
    open_with_discount = exists().where(
        Order.phone == phone, Order.kind == "topup", Order.status == states.AWAITING_PAYMENT,
        Order.deadline > clock.now(), Order.promotion_id.in_(first_topup_promotions))
    return not db.session.scalar(select(paid_order | ledger_topup | open_with_discount))


def paid_by(order: Order, phone: str) -> bool:
    """Whether the payer signed in as `phone` paid the order: signed in as it (by card), or
    as the paying account (from the balance of that number)."""
    return any(attempt.status == states.SUCCEEDED
               and phone in (attempt.signed_in_phone, attempt.payer_phone)
               for attempt in order.attempts)


def visible(number: str, session_orders: Collection[str], payer: str | None) -> Order | None:
    """The order (with anything that fell due applied) if this visitor may see it, else None
    (SPEC §8): the browser session that placed or paid it (`session_orders`), or a payer
    signed in as the one who placed or paid it. The same None for an order that does not exist,
    so that nobody learns which numbers do."""
    order = _with_attempts(number)  # one query: who paid is read from the attempts too
    if order is None:
        return None
    if not (order.number in session_orders
            or (payer and (order.payer_phone == payer or paid_by(order, payer)))):
        return None
    return _settled(order)


def _credit(order: Order, now: datetime) -> None:
    """The operator credits the number, or refuses when it is another operator's subscriber."""
    subscriber = db.session.scalar(  # locked: its balance and next settlement change here
        select(Subscriber).where(Subscriber.phone == order.phone)
        .with_for_update().execution_options(populate_existing=True))
    if subscriber is None:
        # A number the sandbox has not met yet becomes a new prepaid subscriber of that operator.
        subscriber = Subscriber(phone=order.phone, market=order.market,
                                operator_id=order.operator_id, tariff_kind="prepaid",
                                activated_on=now.date(), demo_note="topup")
        db.session.add(subscriber)
        db.session.flush()
    if subscriber.operator_id != order.operator_id:
        set_status(order, states.REFUNDED, "operator", now, note=NOT_SERVED)
        return
    ledger.post(subscriber, "topup", order.amount,
                now, order_id=order.id,
                description=f"top-up {order.number}")
    set_status(order, states.CREDITED, "operator", now)
    order.credited_at = now
    balance_changed(subscriber, now)  # a top-up that brings the balance to zero restores it


# Why an order was refunded: the note on its move to "refunded".
NOT_SERVED = "number_not_served"  # the operator does not serve the number: it did not credit it
DISPUTE = "dispute"  # the payer won a dispute (goods paid from a phone balance)


@dataclass(frozen=True)
class Refund:
    """What a refunded order's page tells: how much went back, where, when and why."""

    amount: int
    currency: str
    at: datetime
    reason: str  # NOT_SERVED | DISPUTE
    method: str  # the payment method refunded (its partial says where the money went)
    payer_phone: str | None  # the paying account (a phone balance: its number's wallet)


def refund_of(order: Order) -> Refund | None:
    """The refund of a refunded order (None for any other status)."""
    if order.status != states.REFUNDED:
        return None
    event = next(e for e in reversed(order.events) if e.to_status == states.REFUNDED)
    paid = order.successful_attempt
    return Refund(amount=paid.amount if paid else order.price, currency=order.currency,
                  at=event.at, reason=DISPUTE if event.reason.startswith(DISPUTE) else NOT_SERVED,
                  method=paid.method if paid else "card",
                  payer_phone=paid.payer_phone if paid else None)


def _settle_order(order: Order, now: datetime) -> bool:
    """Apply to one locked order whatever fell due; True if anything changed."""
    if expire_if_due(order, now):
        return True
    if order.status == states.CREDITING and order.credit_due_at and now >= order.credit_due_at:
        _credit(order, now)
        return True
    return False


def _is_due(order: Order, now: datetime) -> bool:
    return ((order.status == states.AWAITING_PAYMENT and now >= order.deadline)
            or (order.status == states.CREDITING and order.credit_due_at is not None
                and now >= order.credit_due_at))


_ORDER_WITH_ATTEMPTS = select(Order).options(joinedload(Order.attempts))


def _with_attempts(number: str) -> Order | None:
    return db.session.scalars(_ORDER_WITH_ATTEMPTS.where(Order.number == number)) \
        .unique().one_or_none()


def refresh(number: str) -> Order | None:
    """The order with anything that fell due applied (so a page never shows a stale state),
    its payment attempts loaded with it (the checkout page shows the last one)."""
    return _settled(_with_attempts(number))


def _settled(order: Order | None) -> Order | None:
    """The order as loaded when nothing fell due; else settled under its row lock."""
    if order is None or not _is_due(order, clock.now()):
        return order
    order = locked_order(order.number)
    if order is not None and _settle_order(order, clock.now()):
        db.session.commit()
    return order


def settle_due() -> int:
    """Expire unpaid orders past their deadline and credit paid ones that are due, a few at a
    time under their row locks (so a second run, or a second process, finds nothing left to
    do). Returns how many orders changed."""
    now, after, changed = clock.now(), 0, 0
    due = select(Order).where(
        ((Order.status == states.AWAITING_PAYMENT) & (Order.deadline <= now))
        | ((Order.status == states.CREDITING) & (Order.credit_due_at <= now)))
    while claimed := claim_next(due, Order.id, after):
        for order in claimed:
            changed += _settle_order(order, clock.now())
        after = claimed[-1].id
        db.session.commit()
    db.session.commit()
    return changed
