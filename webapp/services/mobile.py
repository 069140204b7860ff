"""Paying a goods order from a Russian phone balance ("Mobile payment", SPEC §3.2).

The payer picks the operator and number and sees the quote; an SMS from the operator's short
number carries a code; the payer replies with it (or types it); only then is the balance
debited, once, with the limits and the order changed in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import exists, select

from ..clock import clock
from ..database import begin_write, lock_name
from ..domain import mcommerce as rules_of
from ..domain import orders as states
from ..domain.markets import Operator
from ..domain.phone import parse_mobile
from ..extensions import db
from ..models import LedgerEntry, Order, PaymentAttempt, Subscriber, Wallet, WalletEntry
from . import codes, ledger, replies, rules, sms, sms_texts, trust
from .checkout import PaymentRefused, check_payable
from .db_locks import locked_order, locked_orders
from .orders import DISPUTE, expire_if_due, mark_paid, set_attempt_status, set_status

PURPOSE = "mcommerce"
METHOD = "mobile_balance"
DEBIT = "mcommerce_debit"


# Refusals that tell something about the subscriber (SPEC §3.2.2): shown only to a payer signed
# in as the number; anyone else reads PRIVATE and the number gets the reason by SMS. An unknown
# number and another operator's are among them, so that they look like any other refusal.
PRIVATE_REASONS = frozenset({
    "banned", "corporate", "trust_outstanding", "not_activated", "over_cap", "daily_sum",
    "daily_count", "weekly_sum", "weekly_count", "monthly_sum", "monthly_count", "funds",
    "unknown_number", "wrong_operator"})
PRIVATE = "private"
# A waiting payment of a number is cancelled with this reason when a newer one of the number
# starts (issue 8: a stranger's waiting payment must not hold the owner's for an hour).
REPLACED = "replaced"


class MobileRefused(Exception):
    """`reason`: one of PRIVATE_REASONS (a check of domain.mcommerce.refusal, unknown_number,
    wrong_operator), PRIVATE (one of them, told to the number only), or not_goods, expired,
    already_paid, not_found, not_pending, operator_missing, not_refundable."""

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
    remaining: rules_of.Remaining | None  # None when the number's usage is not shown
    refusal: str | None


def private_reason(reason: str | None, phone: str | None, viewer: str | None) -> str | None:
    """The reason as `viewer` (the signed-in payer, if any) may read it: a private one only
    when signed in as the paying number, else PRIVATE."""
    if reason in PRIVATE_REASONS and (viewer is None or viewer != phone):
        return PRIVATE
    return reason


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
    _check_goods(order)
    return order


def _check_goods(order: Order) -> None:
    if order.kind != "goods" or order.market != "RU":
        raise MobileRefused("not_goods")


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
    check that fails (None when the payment can go ahead), as the number's owner sees them.
    Raises MobileRefused(not_found | not_goods) for the order."""
    order = _goods_order(number)
    terms, now = rules().mcommerce[operator.id], clock.now()
    fee = rules_of.commission(terms, order.price)
    total = order.price + fee
    try:
        subscriber = _subscriber_of(phone, operator)
    except MobileRefused as refused:
        return MobileQuote(phone=phone, operator=operator, amount=order.price, commission=fee,
                           total=total, remaining=None, refusal=refused.reason)
    usage = _usage(subscriber, now)
    return MobileQuote(
        phone=phone, operator=operator, amount=order.price, commission=fee, total=total,
        remaining=rules_of.remaining_after(terms, usage, total),
        refusal=rules_of.refusal(terms, _payer(subscriber, now), usage, order.price,
                                 trust.local_day(now)))


def quote_for(viewer: str | None, number: str, phone: str, operator: Operator,
              locale: str) -> MobileQuote:
    """The quote as `viewer` (the signed-in payer, if any) may see it (SPEC §3.2.2): amount,
    commission and total for anyone; what is left of the limits, and a private refusal, only
    for a payer signed in as the number. Anyone else reads PRIVATE, and the number gets the
    reason by SMS in `locale` (rationed). Raises MobileRefused(not_found | not_goods)."""
    found = quote(number, phone, operator)
    if viewer is not None and viewer == phone:
        return found
    if found.refusal in PRIVATE_REASONS:
        begin_write()
        tell_refusal(phone, operator, found.refusal, number, found.total, locale)
        db.session.commit()
    return replace(found, remaining=None,
                   refusal=private_reason(found.refusal, phone, viewer))


def tell_refusal(phone: str, operator: Operator, reason: str, order_number: str, total: int,
                 locale: str) -> bool:
    """Send the number, from its operator, the reason a mobile payment from it is refused, in
    the caller's write transaction; the same reason at most once per rules().refusal_sms_every.
    True if it was sent."""
    text = sms_texts.mobile_refusal(locale, reason, operator, rules().mcommerce.get(operator.id),
                                    order_number, total)
    return sms.send_rationed(phone, operator.name, f"refusal:{reason}", text,
                             rules().refusal_sms_every)


def _first_refusal(phone: str, operator: Operator, amount: int, now: datetime) -> str | None:
    """The first check of SPEC §3.2.2 that the number fails for `amount`, or None."""
    try:
        subscriber = _subscriber_of(phone, operator)
    except MobileRefused as refused:
        return refused.reason
    return rules_of.refusal(rules().mcommerce[operator.id], _payer(subscriber, now),
                            _usage(subscriber, now), amount, trust.local_day(now))


def _check_payable(order: Order | None) -> Order:
    try:
        return check_payable(order)
    except PaymentRefused as refused:
        raise MobileRefused(refused.code) from refused


def _waiting(phone: str) -> list[PaymentAttempt]:
    """The mobile payments of the number that wait for their reply, as committed now."""
    return list(db.session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.payer_phone == phone,
                                     PaymentAttempt.method == METHOD,
                                     PaymentAttempt.status == states.PENDING)
        .order_by(PaymentAttempt.id).execution_options(populate_existing=True)))


def start(number: str, phone: str, operator: Operator, locale: str,
          signed_in: str | None = None) -> PaymentAttempt:
    """Check everything and send the SMS with the code; the attempt waits for the reply.

    The same order again (a double click) returns its waiting attempt. A waiting payment of the
    number for another order is replaced: cancelled (reason REPLACED) and its code withdrawn,
    in the transaction that sends the new code, so either both happen or neither.
    `signed_in`: the signed-in payer, if any (a code asked for by the number's owner counts
    in the owner's own hourly cap). Raises MobileRefused with the real reason, or
    codes.CodeRefused when the number may not get a code now (nothing changes then).
    Locks follow services/db_locks.py: the number's name, then the orders, then the codes.
    """
    try:
        lock_name("mobile:" + phone)  # one start per number at a time
        others = {attempt.order.number for attempt in _waiting(phone)}
        order = _check_payable(locked_orders(others | {number}).get(number))
        _check_goods(order)
        waiting = _waiting(phone)  # again, under the orders' locks: a reply may have paid one
        same = next((attempt for attempt in waiting if attempt.order_id == order.id), None)
        if same is not None:
            # A double click, or the payer back on the form: the SMS already sent stands
            # (the waiting page can send it again).
            db.session.commit()
            return same
        now, terms = clock.now(), rules().mcommerce[operator.id]
        fee = rules_of.commission(terms, order.price)
        reason = _first_refusal(phone, operator, order.price, now)
        if reason:
            raise MobileRefused(reason, total=order.price + fee)
        for old in waiting:
            if not expire_if_due(old.order, now):  # an expired order cancels it by itself
                _finish(old, states.CANCELED, REPLACED)
            codes.withdraw(phone, PURPOSE, f"attempt:{old.id}")
        attempt = PaymentAttempt(
            order_id=order.id, method=METHOD, status=states.PENDING, amount=order.price,
            currency=order.currency, idempotency_key=f"mobile:{secrets.token_urlsafe(24)}",
            created_at=now, payer_phone=phone, operator_id=operator.id, commission=fee,
            signed_in_phone=signed_in)
        db.session.add(attempt)
        db.session.flush()
        send_code(attempt, order, locale)  # commits it all, or rolls it all back
    except BaseException:
        db.session.rollback()
        raise
    return attempt


def start_for(viewer: str | None, number: str, phone: str, operator: Operator,
              locale: str) -> PaymentAttempt:
    """start() as `viewer` (the signed-in payer, if any) may see its refusal: a private reason
    only when signed in as the number; anyone else gets MobileRefused(PRIVATE) and the number
    gets the reason by SMS in `locale` (rationed)."""
    try:
        return start(number, phone, operator, locale, signed_in=viewer)
    except MobileRefused as refused:
        shown = private_reason(refused.reason, phone, viewer)
        if shown != PRIVATE:
            raise
        begin_write()
        tell_refusal(phone, operator, refused.reason, number, refused.total, locale)
        db.session.commit()
        raise MobileRefused(PRIVATE) from refused


def send_code(attempt: PaymentAttempt, order: Order, locale: str) -> None:
    """The operator's SMS: what is being paid and the code to reply with to its short
    number; commits. Raises codes.CodeRefused when the number may not get one yet."""
    operator = rules().market("RU").operator(attempt.operator_id)
    codes.issue(attempt.payer_phone, PURPOSE, f"attempt:{attempt.id}", operator.short_number,
                lambda code: sms_texts.mobile_payment(
                    locale, code, order.number, attempt.amount, attempt.commission,
                    operator.short_number),
                reply_to=operator.short_number,
                by_owner=attempt.signed_in_phone == attempt.payer_phone)


def resend(number: str, attempt_id: int, locale: str) -> None:
    """A new code for a waiting payment. Raises MobileRefused or codes.CodeRefused."""
    try:
        order = _check_payable(locked_order(number))
        attempt = _pending(order, attempt_id)
        send_code(attempt, order, locale)
    except BaseException:
        db.session.rollback()
        raise


def _pending(order: Order, attempt_id: int) -> PaymentAttempt:
    attempt = db.session.get(PaymentAttempt, attempt_id, populate_existing=True)
    if attempt is None or attempt.order_id != order.id or attempt.method != METHOD:
        raise MobileRefused("not_found")
    if attempt.status != states.PENDING:
        raise MobileRefused("not_pending")
    return attempt


def _complete(attempt_id: int) -> PaymentAttempt:
    """Debit the number and pay the order, in the caller's write transaction, which holds the
    order's lock and has just used the code. Every check runs again under the locks: the
    balance or the limits may have changed since the SMS was sent. A failed check fails the
    attempt with its reason, and a private reason goes to the number by SMS."""
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
        tell_refusal(attempt.payer_phone, operator, reason, order.number,
                     attempt.amount + attempt.commission, order.locale)
        return attempt
    ledger.post(
        subscriber, DEBIT, -(attempt.amount + attempt.commission),
        now, order_id=order.id, ref=f"mcommerce:{attempt.id}",
        description=f"mobile payment {order.number} (commission {attempt.commission})")
    trust.balance_changed(subscriber, now)
    _finish(attempt, states.SUCCEEDED, None)
    mark_paid(order, now, actor="payer")
    return attempt


def _finish(attempt: PaymentAttempt, status: str, reason: str | None) -> None:
    attempt.decline_code = reason
    set_attempt_status(attempt, status, clock.now())


def confirm_typed(number: str, attempt_id: int, typed: str) -> PaymentAttempt:
    """The code typed on the checkout page. Raises codes.CodeRefused or MobileRefused.

    Locks follow services/db_locks.py, as for an SMS reply: the order, then the code, then
    (in _complete) the subscriber; so a reply and a typed code at the same moment wait for
    each other instead of deadlocking, and the second finds the payment done."""
    if attempt_view(number, attempt_id) is None:
        raise MobileRefused("not_found")
    try:
        locked_order(number)
        attempt = db.session.get(PaymentAttempt, attempt_id, populate_existing=True)
        if attempt.status == states.SUCCEEDED:
            db.session.commit()
            return attempt  # a replayed confirmation, or the SMS reply got there first
        if attempt.status != states.PENDING:
            raise MobileRefused("not_pending")
        codes.use(PURPOSE, f"attempt:{attempt.id}", typed)
        attempt = _complete(attempt.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return attempt


def _lock_for_reply(subject: str) -> None:
    attempt = db.session.get(PaymentAttempt, int(subject.split(":", 1)[1]))
    if attempt is not None:
        locked_order(attempt.order.number)


def _complete_from_reply(subject: str) -> None:
    _complete(int(subject.split(":", 1)[1]))


replies.HANDLERS[PURPOSE] = replies.ReplyHandler(lock=_lock_for_reply,
                                                 complete=_complete_from_reply)


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
    set_status(order, states.REFUNDED, "sandbox", now, note=DISPUTE)
    db.session.commit()
    return order


def wallet_balance(phone: str) -> int | None:
    wallet = db.session.scalar(select(Wallet).where(Wallet.phone == phone))
    if wallet is None:
        return None
    return sum(db.session.scalars(select(WalletEntry.amount).where(
        WalletEntry.wallet_id == wallet.id)))
