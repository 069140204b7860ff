"""Paying an order: at most once, whatever is clicked twice or arrives twice (SPEC §3)."""

from __future__ import annotations

from sqlalchemy import select

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import CardDetails
from ..domain.money import Money
from ..extensions import db
from ..models import Order, PaymentAttempt
from ..payments.base import SUCCEEDED, ChargeRequest, ChargeResult
from ..payments.card import SimulatedAcquirer
from . import rules
from .db_locks import locked_order
from .orders import mark_paid, set_status


class PaymentRefused(Exception):
    """The order cannot be paid now; `code`: not_found, expired, already_paid."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _set_attempt_status(attempt: PaymentAttempt, new: str) -> None:
    states.check_transition(states.ATTEMPT_TRANSITIONS, attempt.status, new)
    attempt.status = new


def _check_payable(order: Order | None) -> Order:
    """The locked order after settling its deadline; raises PaymentRefused if not payable."""
    if order is None:
        raise PaymentRefused("not_found")
    now = clock.now()
    if order.status == states.AWAITING_PAYMENT and states.is_past_deadline(order.deadline, now):
        set_status(order, states.EXPIRED, "clock", now)
        db.session.commit()
    if order.status == states.EXPIRED:
        raise PaymentRefused("expired")
    if order.status != states.AWAITING_PAYMENT:
        raise PaymentRefused("already_paid")
    return order


def _attempt_with_key(key: str) -> PaymentAttempt | None:
    return db.session.scalar(select(PaymentAttempt).where(PaymentAttempt.idempotency_key == key))


def pay_by_card(number: str, card: CardDetails, idempotency_key: str) -> PaymentAttempt:
    """Charge a card for the order once. A replay of the same idempotency key returns the first
    attempt unchanged; a new attempt on a paid or expired order raises PaymentRefused.
    """
    try:
        order = locked_order(number)
        # Under the lock: a twin request with this key may have finished while we waited.
        replay = _attempt_with_key(idempotency_key)
        if replay is not None:
            db.session.commit()
            return replay
        order = _check_payable(order)
        now = clock.now()
        attempt = PaymentAttempt(order_id=order.id, method="card", status=states.PENDING,
                                 amount=order.price, currency=order.currency,
                                 idempotency_key=idempotency_key, created_at=now)
        db.session.add(attempt)
        db.session.flush()
        acquirer = SimulatedAcquirer(rules().test_cards)
        result = acquirer.charge(ChargeRequest(order_number=order.number,
                                               amount=Money(order.price, order.currency),
                                               payer_phone=order.phone, details=card))
        _record(order, attempt, result)
        db.session.commit()
        return attempt
    except BaseException:
        db.session.rollback()
        raise


def _record(order: Order, attempt: PaymentAttempt, result: ChargeResult) -> None:
    now = clock.now()
    attempt.card_brand, attempt.card_last4 = result.brand, result.last4
    attempt.finished_at = now
    if result.status == SUCCEEDED:
        _set_attempt_status(attempt, states.SUCCEEDED)
        mark_paid(order, now, actor="payer")
    else:
        # 3-D Secure (requires_action) arrives with the SMS codes of the next issue; until then
        # the acquirer's demand for it fails the attempt with its own reason.
        attempt.decline_code = result.decline_code
        _set_attempt_status(attempt, states.FAILED)

