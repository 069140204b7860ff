"""The subscribers' side of paying from a phone balance (SPEC §3.2): who may pay, what is left
of the limits, the debit and a dispute's refund to the wallet linked to the number. The
mobile_balance provider reaches it through its Balances port (payments/mobile_balance.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from ..clock import clock
from ..domain import mcommerce as rules_of
from ..domain.markets import Operator
from ..extensions import db
from ..models import LedgerEntry, Order, Subscriber
from ..refusals import MobileRefused
from . import ledger, rules, sms, sms_texts, trust, wallets

DEBIT = "mcommerce_debit"
SHOP_WALLET = wallets.SHOP  # the shop's account at the wallet provider


def payer(subscriber: Subscriber) -> rules_of.Payer:
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


def usage(subscriber: Subscriber, now: datetime) -> rules_of.Usage:
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


def subscriber_of(phone: str, operator: Operator, lock: bool = False) -> Subscriber:
    """The paying number's subscriber; raises MobileRefused(unknown_number |
    wrong_operator)."""
    query = select(Subscriber).where(Subscriber.phone == phone)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    subscriber = db.session.scalar(query)
    if subscriber is None:
        raise MobileRefused("unknown_number")
    if subscriber.operator_id != operator.id:
        raise MobileRefused("wrong_operator")
    return subscriber


def wallet_balance(phone: str) -> int | None:
    """What the number's wallets hold (None if it has none)."""
    return wallets.total_balance(phone)


class Balances:
    """The mobile_balance provider's port, in the caller's write transaction."""

    def refusal(self, phone: str, operator: Operator, amount: int,
                lock: bool = False) -> str | None:
        """The first check of SPEC §3.2.2 that the number fails for `amount`, or None;
        `lock`: the subscriber's row stays locked until commit (the debit follows)."""
        now = clock.now()
        try:
            subscriber = subscriber_of(phone, operator, lock=lock)
        except MobileRefused as refused:
            return refused.code
        return rules_of.refusal(rules().mcommerce[operator.id], payer(subscriber),
                                usage(subscriber, now), amount, trust.local_day(now))

    def debit(self, phone: str, operator: Operator, total: int, order_number: str,
              attempt_ref: str, commission: int) -> None:
        subscriber, now = subscriber_of(phone, operator, lock=True), clock.now()
        order_id = db.session.scalar(select(Order.id).where(Order.number == order_number))
        ledger.post(
            subscriber, DEBIT, -total, now,
            order_id=order_id, ref=f"mcommerce:{attempt_ref.split(':', 1)[1]}",
            description=f"mobile payment {order_number} (commission {commission})")
        trust.balance_changed(subscriber, now)

    def tell_refusal(self, phone: str, operator: Operator, reason: str, order_number: str,
                     total: int, locale: str) -> bool:
        """Send the number, from its operator, the reason a mobile payment from it is refused,
        in the caller's write transaction; the same reason at most once per
        rules().refusal_sms_every. True if it was sent."""
        text = sms_texts.mobile_refusal(locale, reason, operator,
                                        rules().mcommerce.get(operator.id), order_number, total)
        return sms.send_rationed(phone, operator.name, f"refusal:{reason}", text,
                                 rules().refusal_sms_every)

    def refund_to_wallet(self, phone: str, order_number: str, amount: int,
                         currency: str) -> None:
        """To the wallet of the number (SPEC §3.2.4), from the shop's account, once."""
        order_id = db.session.scalar(select(Order.id).where(Order.number == order_number))
        wallets.refund_to_number(phone, currency, amount, order_id, clock.now())
