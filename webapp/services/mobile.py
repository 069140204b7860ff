"""Paying a goods order from a Russian phone balance ("Mobile payment", SPEC §3.2).

The payer picks the operator and number and sees the quote; an SMS from the operator's short
number carries a code; the payer replies with it (or types it); only then is the balance
debited, once, with the limits and the order changed in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from ..clock import clock
from ..domain import mcommerce as rules_of
from ..domain import orders as states
from ..domain.markets import Operator
from ..domain.phone import parse_mobile
from ..extensions import db
from ..models import LedgerEntry, Order, PaymentAttempt, Subscriber, Wallet, WalletEntry
from . import codes, replies, rules, sms_texts, trust
from .checkout import PaymentRefused, check_payable
from .db_locks import locked_order
from .orders import expire_if_due, mark_paid, set_attempt_status, set_status

PURPOSE = "mcommerce"
METHOD = "mobile_balance"
DEBIT = "mcommerce_debit"


class MobileRefused(Exception):
    """`reason`: a check of domain.mcommerce.refusal, or not_goods, unknown_number,
    wrong_operator, open_request, expired, already_paid, not_found, not_pending."""

    def __init__(self, reason: str, total: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.total = total  # the amount with commission, for the funds message


@dataclass(frozen=True)
class MobileQuote:
    phone: str
    operator: Operator
    amount: int
    commission: int
    total: int
    remaining: rules_of.Remaining
    refusal: str | None


def _payer(subscriber: Subscriber, now: datetime) -> rules_of.Payer:
    credit = trust.outstanding(subscriber)
    topped_up = db.session.scalar(select(exists().where(
        LedgerEntry.subscriber_id == subscriber.id, LedgerEntry.kind == "topup")))
    return rules_of.Payer(
        operator=subscriber.operator_id,
        mobile_payments_enabled=subscriber.mobile_payments_enabled,
        tariff_kind=subscriber.tariff_kind, has_outstanding_trust=credit is not None,
        total_spent=trust.spent(subscriber),
        activated_on=subscriber.activated_on, ever_topped_up=bool(topped_up),
        personal_budget=subscriber.personal_budget,
        # Trust credit cannot pay for goods (SPEC §4): it does not count as money here.
        balance_without_trust=subscriber.balance() - (credit.amount if credit else 0))


def _usage(subscriber: Subscriber, now: datetime) -> rules_of.Usage:
    """Sums (commission included) and counts of mobile payments in today's calendar day,
    ISO week and month, Moscow time."""
    day, week, month = rules_of.period_starts(trust.local_day(now))
    since = datetime.combine(min(week, month), datetime.min.time(), trust.market_tz())
    debits = db.session.execute(select(LedgerEntry.amount, LedgerEntry.created_at).where(
        LedgerEntry.subscriber_id == subscriber.id, LedgerEntry.kind == DEBIT,
        LedgerEntry.created_at >= since)).all()
    totals = {"day": [0, 0], "week": [0, 0], "month": [0, 0]}
    for amount, at in debits:
        local = trust.local_day(at)
        for name, start in (("day", day), ("week", week), ("month", month)):
            if local >= start:
                totals[name][0] += -amount
                totals[name][1] += 1
    return rules_of.Usage(day_sum=totals["day"][0], day_count=totals["day"][1],
                          week_sum=totals["week"][0], week_count=totals["week"][1],
                          month_sum=totals["month"][0], month_count=totals["month"][1])


def _subscriber_of(phone: str, operator: Operator, lock: bool = False) -> Subscriber:
    query = select(Subscriber).where(Subscriber.phone == phone)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    subscriber = db.session.scalar(query)
    if subscriber is None:
        raise MobileRefused("unknown_number")
    if subscriber.operator_id != operator.id:
        raise MobileRefused("wrong_operator")
    return subscriber


def _goods_order(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise MobileRefused("not_found")
    if order.kind != "goods" or order.market != "RU":
        raise MobileRefused("not_goods")
    return order


def read_number(raw: str | None, operator_id: str | None) -> tuple[str, Operator]:
    """The paying number and operator as typed; raises PhoneError or MobileRefused."""
    operator = rules().market("RU").operator(operator_id)
    phone = parse_mobile(raw, "RU")
    if operator is None:
        guessed = rules().market("RU").guess_operator(phone.carrier_name)
        if guessed is None:
            raise MobileRefused("operator_missing")
        operator = guessed
    if operator.id not in rules().mcommerce:
        raise MobileRefused("operator_missing")
    return phone.e164, operator


def quote(number: str, phone: str, operator: Operator) -> MobileQuote:
    """Amount, commission, total and what is left of the limits after it, and the first
    check that fails (None when the payment can go ahead)."""
    order = _goods_order(number)
    subscriber = _subscriber_of(phone, operator)
    terms, now = rules().mcommerce[operator.id], clock.now()
    fee = rules_of.commission(terms, order.price)
    usage = _usage(subscriber, now)
    return MobileQuote(
        phone=phone, operator=operator, amount=order.price, commission=fee,
        total=order.price + fee, remaining=rules_of.remaining_after(terms, usage,
                                                                    order.price + fee),
        refusal=rules_of.refusal(terms, _payer(subscriber, now), usage, order.price,
                                 trust.local_day(now)))


def _check_payable(order: Order | None) -> Order:
    try:
        return check_payable(order)
    except PaymentRefused as refused:
        raise MobileRefused(refused.code) from refused


def start(number: str, phone: str, operator: Operator, locale: str) -> PaymentAttempt:
    """Check everything and send the SMS with the code; the attempt waits for the reply."""
    try:
        order = _check_payable(locked_order(number))
        _goods_order(number)
        subscriber = _subscriber_of(phone, operator, lock=True)
        open_request = db.session.scalar(select(PaymentAttempt).where(
            PaymentAttempt.payer_phone == phone, PaymentAttempt.method == METHOD,
            PaymentAttempt.status == states.PENDING))
        if open_request is not None and open_request.order_id != order.id:
            other = locked_order(open_request.order.number)
            if not expire_if_due(other, clock.now()):  # cancels an abandoned request
                raise MobileRefused("open_request")
            open_request = None
        if open_request is not None:
            # A double click, or the payer back on the form: the SMS already sent stands
            # (the waiting page can send it again).
            db.session.commit()
            return open_request
        now, terms = clock.now(), rules().mcommerce[operator.id]
        fee = rules_of.commission(terms, order.price)
        reason = rules_of.refusal(terms, _payer(subscriber, now), _usage(subscriber, now),
                                  order.price, trust.local_day(now))
        if reason:
            raise MobileRefused(reason, total=order.price + fee)
        attempt = PaymentAttempt(
            order_id=order.id, method=METHOD, status=states.PENDING, amount=order.price,
            currency=order.currency, idempotency_key=f"mobile:{order.number}:{now.timestamp()}",
            created_at=now, payer_phone=phone, operator_id=operator.id, commission=fee)
        db.session.add(attempt)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    send_code(attempt, order, locale)
    return attempt


def send_code(attempt: PaymentAttempt, order: Order, locale: str) -> None:
    """The operator's SMS: what is being paid and the code to reply with to its short
    number. Raises codes.CodeRefused when the number may not get one yet."""
    operator = rules().market("RU").operator(attempt.operator_id)
    codes.issue(attempt.payer_phone, PURPOSE, f"attempt:{attempt.id}", operator.short_number,
                lambda code: sms_texts.mobile_payment(
                    locale, code, order.number, attempt.amount, attempt.commission,
                    operator.short_number),
                reply_to=operator.short_number)


def resend(number: str, attempt_id: int, locale: str) -> None:
    order = _check_payable(locked_order(number))
    attempt = _pending(order, attempt_id)
    db.session.commit()
    send_code(attempt, order, locale)


def _pending(order: Order, attempt_id: int) -> PaymentAttempt:
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.order_id != order.id or attempt.method != METHOD:
        raise MobileRefused("not_found")
    if attempt.status != states.PENDING:
        raise MobileRefused("not_pending")
    return attempt


def _complete(attempt_id: int) -> PaymentAttempt:
    """Debit the number and pay the order, in the caller's write transaction (the code was
    just used in it). Every check runs again under the locks: the balance or the limits may
    have changed since the SMS was sent. A failed check fails the attempt with its reason."""
    attempt = db.session.get(PaymentAttempt, attempt_id)
    order = locked_order(attempt.order.number)
    now = clock.now()
    expire_if_due(order, now)  # cancels this attempt too
    if order.status != states.AWAITING_PAYMENT or attempt.status != states.PENDING:
        if attempt.status == states.PENDING:
            _finish(attempt, states.CANCELED, "expired" if order.status == states.EXPIRED
                    else "already_paid")
        return attempt
    operator = rules().market("RU").operator(attempt.operator_id)
    subscriber = _subscriber_of(attempt.payer_phone, operator, lock=True)
    terms = rules().mcommerce[operator.id]
    reason = rules_of.refusal(terms, _payer(subscriber, now), _usage(subscriber, now),
                              attempt.amount, trust.local_day(now))
    if reason:
        _finish(attempt, states.FAILED, reason)
        return attempt
    db.session.add(LedgerEntry(
        subscriber_id=subscriber.id, kind=DEBIT, amount=-(attempt.amount + attempt.commission),
        created_at=now, order_id=order.id, ref=f"mcommerce:{attempt.id}",
        description=f"mobile payment {order.number} (commission {attempt.commission})"))
    trust.balance_changed(subscriber, now)
    _finish(attempt, states.SUCCEEDED, None)
    mark_paid(order, now, actor="payer")
    return attempt


def _finish(attempt: PaymentAttempt, status: str, reason: str | None) -> None:
    attempt.decline_code = reason
    set_attempt_status(attempt, status, clock.now())


def confirm_typed(number: str, attempt_id: int, typed: str) -> PaymentAttempt:
    """The code typed on the checkout page. Raises codes.CodeRefused or MobileRefused.

    Locks are taken in the same order as for an SMS reply — the code's row, then the order's —
    so that a reply and a typed code at the same moment wait for each other instead of
    deadlocking; _complete checks everything again under the order's lock."""
    found = attempt_view(number, attempt_id)
    if found is None:
        raise MobileRefused("not_found")
    order, attempt = found
    if attempt.status == states.SUCCEEDED:
        return attempt  # a replayed confirmation
    if attempt.status != states.PENDING:
        raise MobileRefused("not_pending")
    try:
        codes.use(PURPOSE, f"attempt:{attempt.id}", typed)
    except codes.CodeRefused as refused:
        db.session.rollback()
        done = db.session.get(PaymentAttempt, attempt.id)
        if refused.reason == "used" and done.status == states.SUCCEEDED:
            return done  # the SMS reply with this code got there first
        raise
    attempt = _complete(attempt.id)
    db.session.commit()
    return attempt


def _complete_from_reply(subject: str) -> None:
    _complete(int(subject.split(":", 1)[1]))


replies.HANDLERS[PURPOSE] = _complete_from_reply


def attempt_view(number: str, attempt_id: int) -> tuple[Order, PaymentAttempt] | None:
    order = db.session.scalar(select(Order).where(Order.number == number))
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if order is None or attempt is None or attempt.order_id != order.id \
            or attempt.method != METHOD:
        return None
    return order, attempt


def wallet_for(phone: str) -> Wallet:
    """The sandbox wallet of a number, created if missing (in the caller's transaction)."""
    wallet = db.session.scalar(select(Wallet).where(Wallet.phone == phone))
    if wallet is None:
        wallet = Wallet(phone=phone, created_at=clock.now())
        db.session.add(wallet)
        db.session.flush()
    return wallet


SHOP_WALLET = "merchant:shop"


def refund(number: str) -> Order:
    """A dispute won by the payer (sandbox action): the order is refunded to the wallet linked
    to the paying number (SPEC §3.2.4), with entries on both sides. Raises MobileRefused."""
    order = locked_order(number)
    if order is None:
        db.session.rollback()
        raise MobileRefused("not_found")
    paid = order.successful_attempt
    if order.kind != "goods" or order.status != states.PAID or paid is None \
            or paid.method != METHOD:
        db.session.rollback()
        raise MobileRefused("not_refundable")
    now = clock.now()
    payer, shop = wallet_for(paid.payer_phone), wallet_for(SHOP_WALLET)
    for wallet, amount in ((payer, order.price), (shop, -order.price)):
        db.session.add(WalletEntry(wallet_id=wallet.id, kind="refund", amount=amount,
                                   currency=order.currency, order_id=order.id,
                                   ref=f"refund:{order.id}:{wallet.id}", created_at=now))
    set_status(order, states.REFUNDED, "sandbox", now, note="dispute: refund to wallet")
    db.session.commit()
    return order


def wallet_balance(phone: str) -> int | None:
    wallet = db.session.scalar(select(Wallet).where(Wallet.phone == phone))
    if wallet is None:
        return None
    return sum(db.session.scalars(select(WalletEntry.amount).where(
        WalletEntry.wallet_id == wallet.id)))
