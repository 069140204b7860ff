"""Trust payments (SPEC §4): quotes, grants by every channel, auto trust payment, settlement.

Every balance change is a ledger entry; entries written by settlement carry a unique `ref`
(one per credit repaid, one per day's fee), so settling twice, or from two processes at once,
changes nothing the second time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..clock import clock
from ..database import begin_write
from ..domain import trust as rules_of
from ..extensions import db
from ..models import LedgerEntry, Subscriber, TrustCredit
from ..refusals import TrustRefused
from . import codes, ledger, rules, sms, sms_texts
from .db_locks import claim_next
from .transitions import begin, transition

OUTSTANDING = rules_of.OUTSTANDING
REPAID = rules_of.REPAID
THREE_MONTHS = timedelta(days=90)


def market_tz() -> ZoneInfo:
    """Moscow: the trust payment's (and mobile payment's) calendar days are local days."""
    return ZoneInfo(rules().market("RU").timezone)


def local_day(moment: datetime) -> date:
    return moment.astimezone(market_tz()).date()


def _subscriber(phone: str, lock: bool = False) -> Subscriber:
    query = select(Subscriber).where(Subscriber.phone == phone)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    subscriber = db.session.scalar(query)
    if subscriber is None:
        raise TrustRefused("unknown_number")
    return subscriber


def spent(subscriber: Subscriber, since: datetime | None = None) -> int:
    """What the subscriber spent on services (minor units), ever or after `since`."""
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.subscriber_id == subscriber.id, LedgerEntry.kind == "service_charge")
    if since is not None:
        query = query.where(LedgerEntry.created_at > since)
    return -int(db.session.scalar(query) or 0)


def outstanding(subscriber: Subscriber) -> TrustCredit | None:
    return db.session.scalar(select(TrustCredit).where(
        TrustCredit.subscriber_id == subscriber.id, TrustCredit.status == OUTSTANDING))


def facts(subscriber: Subscriber, now: datetime) -> rules_of.SubscriberFacts:
    return rules_of.SubscriberFacts(
        operator=subscriber.operator_id, tariff_kind=subscriber.tariff_kind,
        tariff_name=subscriber.tariff_name, activated_on=subscriber.activated_on,
        total_spent=spent(subscriber),
        spent_last_3_months=spent(subscriber, now - THREE_MONTHS),
        suspended=subscriber.suspended, has_outstanding_credit=outstanding(subscriber) is not None)


@dataclass(frozen=True)
class Quote:
    """What a trust payment would be for this subscriber now (shown before confirming)."""

    phone: str
    amount: int
    fee: int
    term: timedelta
    due_at: datetime
    refusal: str | None


def quote(phone: str, kind: str = rules_of.ONE_OFF) -> Quote:
    """The amount, fee, term and due date a trust payment of `kind` would have, and why it
    would be refused (None when it would be given). Raises TrustRefused(unknown_number)."""
    subscriber = _subscriber(phone)
    now, trust = clock.now(), rules().trust
    found = facts(subscriber, now)
    amount = rules_of.amount_for(trust, found.spent_last_3_months, subscriber.location,
                                 subscriber.tariff_kind, subscriber.monthly_fee)
    refusal = rules_of.refusal(trust, found, local_day(now), kind)
    fee = 0
    if kind == rules_of.ONE_OFF:
        try:
            fee = rules_of.one_off_fee(trust, amount)
        except rules_of.NoFee:
            refusal = refusal or "too_large"
    term = rules_of.term_for(trust, subscriber.location)
    return Quote(phone=phone, amount=amount, fee=fee, term=term, due_at=now + term,
                 refusal=refusal)


def _grant(subscriber: Subscriber, kind: str, channel: str, now: datetime) -> TrustCredit:
    """Give the credit to a locked, eligible subscriber (the caller checked and commits)."""
    trust = rules().trust
    amount = rules_of.amount_for(trust, spent(subscriber, now - THREE_MONTHS),
                                 subscriber.location, subscriber.tariff_kind,
                                 subscriber.monthly_fee)
    credit = TrustCredit(
        subscriber_id=subscriber.id, kind=kind, channel=channel, amount=amount,
        token=secrets.token_urlsafe(16),
        fee=rules_of.one_off_fee(trust, amount) if kind == rules_of.ONE_OFF else 0,
        status=OUTSTANDING, granted_at=now, due_at=rules_of.due_at(now, trust,
                                                                   subscriber.location))
    db.session.add(credit)
    begin(credit, actor=channel, reason=kind, at=now)
    ledger.post(subscriber, "trust_credit", amount,
                now, ref=f"trust:{credit.id}:credit",
                description=f"trust payment ({kind}, {channel})")
    return credit


def request_one_off(phone: str, channel: str) -> TrustCredit:
    """Grant a one-off trust payment now, by `channel` (web, account, ussd). Raises
    TrustRefused with the reason when the subscriber may not have one."""
    begin_write()
    subscriber = _subscriber(phone, lock=True)
    now = clock.now()
    reason = quote(phone).refusal
    if reason:
        db.session.rollback()  # a code used to confirm this stays unused
        raise TrustRefused(reason)
    credit = _grant(subscriber, rules_of.ONE_OFF, channel, now)
    reschedule(subscriber, now)
    db.session.commit()
    return credit


def connect_auto(phone: str) -> Subscriber:
    """Connect auto trust payment; today's subscription fee (0.50 ₽) is taken at once."""
    begin_write()
    subscriber = _subscriber(phone, lock=True)
    now = clock.now()
    if subscriber.auto_trust:
        db.session.commit()
        return subscriber
    reason = rules_of.refusal(rules().trust, facts(subscriber, now), local_day(now),
                              rules_of.AUTO)
    if reason:
        db.session.rollback()
        raise TrustRefused(reason)
    mark_auto_connected(subscriber, now)
    _auto_credit_if_due(subscriber, now)
    reschedule(subscriber, now)
    db.session.commit()
    return subscriber


def mark_auto_connected(subscriber: Subscriber, now: datetime) -> None:
    """Auto trust payment is connected today on a locked subscriber: today's fee (0.50 ₽) is
    taken, no credit is given (the caller decides; the next settlement gives one if due). The
    caller calls reschedule() once the subscriber's ledger is complete."""
    today = local_day(now)
    subscriber.auto_trust = True
    subscriber.auto_trust_since = today
    if subscriber.auto_trust_paid_through != today:
        subscriber.auto_trust_paid_through = None  # a day already paid is not paid again
    _charge_auto_fees(subscriber, now)


def disconnect_auto(phone: str) -> Subscriber:
    """Disconnect auto trust payment (an outstanding credit stays until its due date)."""
    begin_write()
    subscriber = _subscriber(phone, lock=True)
    now = clock.now()
    _charge_auto_fees(subscriber, now)  # days used so far are still owed
    subscriber.auto_trust = False
    reschedule(subscriber, now)
    db.session.commit()
    return subscriber


def _charge_auto_fees(subscriber: Subscriber, now: datetime) -> bool:
    """Take each day's auto trust fee up to today: 0.50 ₽ the day it was connected, then
    0.75 ₽ a day. A day is charged once (its ledger ref is unique). True if any was taken."""
    if not subscriber.auto_trust or subscriber.auto_trust_since is None:
        return False
    charged = False
    trust, today = rules().trust, local_day(now)
    day = (subscriber.auto_trust_paid_through + timedelta(days=1)
           if subscriber.auto_trust_paid_through else subscriber.auto_trust_since)
    while day <= today:
        start = datetime.combine(day, datetime.min.time(), market_tz())
        ledger.post(
            subscriber, "fee",
            -rules_of.auto_fee_for_day(trust, subscriber.auto_trust_since, day),
            now if day == today else start,
            ref=f"autotrust:{subscriber.id}:{day.isoformat()}",
            description=f"auto trust payment, {day.isoformat()}")
        subscriber.auto_trust_paid_through = day
        day += timedelta(days=1)
        charged = True
    return charged


def _auto_credit_from(subscriber: Subscriber, now: datetime, balance: int,
                      credit: TrustCredit | None) -> datetime | None:
    """From when the auto trust payment is to be given by itself, for a subscriber with this
    balance and outstanding credit: the balance is below 50 ₽, no credit is outstanding, and
    (if one was given before) a day has passed since it was debited; that moment, or now when
    there is no wait. None while it is not wanted or refused (a day's change, such as months as
    a customer, comes with the next day's fee)."""
    trust = rules().trust
    if not subscriber.auto_trust or balance >= trust.auto_below or credit is not None:
        return None
    if rules_of.refusal(trust, facts(subscriber, now), local_day(now), rules_of.AUTO):
        return None
    last = db.session.scalar(select(func.max(TrustCredit.repaid_at)).where(
        TrustCredit.subscriber_id == subscriber.id, TrustCredit.kind == rules_of.AUTO))
    return rules_of.auto_credit_from(last, trust) or now


def _auto_credit_if_due(subscriber: Subscriber, now: datetime) -> TrustCredit | None:
    """Credit the table amount by itself when _auto_credit_from says it is time."""
    start = _auto_credit_from(subscriber, now, subscriber.balance(), outstanding(subscriber))
    if start is None or now < start:
        return None
    return _grant(subscriber, rules_of.AUTO, "auto", now)


def _schedule(subscriber: Subscriber, credit: TrustCredit | None,
              auto_credit_from: datetime | None) -> None:
    """Write down when settlement next has something to do for this locked subscriber (the
    indexed column it selects by), in the transaction that changed what it depends on: its
    outstanding credit, its auto trust fees, its next auto trust payment."""
    fee_day = (rules_of.next_fee_day(subscriber.auto_trust_since,
                                     subscriber.auto_trust_paid_through)
               if subscriber.auto_trust else None)
    subscriber.next_settle_at = rules_of.next_settlement(
        credit.due_at if credit else None,
        rules_of.day_start(fee_day, market_tz()) if fee_day else None,
        auto_credit_from)


def reschedule(subscriber: Subscriber, now: datetime) -> None:
    """When settlement next has something to do for this locked subscriber (_schedule),
    reading the outstanding credit and the balance first."""
    credit = outstanding(subscriber)
    _schedule(subscriber, credit,
              _auto_credit_from(subscriber, now, subscriber.balance(), credit))


def _repay_due(subscriber: Subscriber, credit: TrustCredit | None, now: datetime) -> bool:
    """Debit the outstanding credit if it fell due, with its fee; True if it did."""
    if credit is None or credit.due_at > now:
        return False
    ledger.post(subscriber, "trust_repayment",
                -credit.amount, credit.due_at,
                ref=f"trust:{credit.id}:repay",
                description="trust payment debited")
    if credit.fee:
        ledger.post(subscriber, "fee", -credit.fee,
                    credit.due_at, ref=f"trust:{credit.id}:fee",
                    description="trust payment fee")
    transition(credit, REPAID, actor="clock", at=now)
    credit.repaid_at = credit.due_at
    return True


def update_suspension(subscriber: Subscriber) -> int:
    """Below zero the number is suspended; a balance of zero or more restores it. Returns the
    balance."""
    db.session.flush()
    balance = subscriber.balance()
    if balance < 0 and not subscriber.suspended:
        subscriber.suspended = True
    elif balance >= 0 and subscriber.suspended:
        subscriber.suspended = False
    return balance


def settle_subscriber(phone: str) -> bool:
    """Apply to one subscriber whatever fell due; True if anything changed."""
    begin_write()
    subscriber = _subscriber(phone, lock=True)
    changed = _settle_locked(subscriber, clock.now())
    db.session.commit()
    return changed


def _settle_locked(subscriber: Subscriber, now: datetime) -> bool:
    """Apply to a locked subscriber whatever fell due and schedule its next settlement. The
    outstanding credit and the balance are read once and carried along: settlement runs this
    for every due subscriber."""
    was_suspended = subscriber.suspended
    credit = outstanding(subscriber)
    repaid = _repay_due(subscriber, credit, now)
    if repaid:
        credit = None
    charged = _charge_auto_fees(subscriber, now)
    start = _auto_credit_from(subscriber, now, update_suspension(subscriber), credit)
    credited = start is not None and now >= start
    if credited:
        credit = _grant(subscriber, rules_of.AUTO, "auto", now)
        update_suspension(subscriber)
        start = None  # one at a time: the next comes after this one is debited
    _schedule(subscriber, credit, start)
    return repaid or charged or credited or subscriber.suspended != was_suspended


def balance_changed(subscriber: Subscriber, now: datetime) -> None:
    """After a balance change outside trust payment (a top-up credited, a mobile payment), on
    a subscriber the caller locked: suspend or restore, and schedule what the change makes due
    (an auto trust payment once below 50 ₽ is given by the next settlement)."""
    balance = update_suspension(subscriber)
    credit = outstanding(subscriber)
    _schedule(subscriber, credit, _auto_credit_from(subscriber, now, balance, credit))


def settle_due() -> int:
    """Debit due credits with their fees, take daily auto trust fees, give auto credits,
    suspend and restore: only for the subscribers whose next settlement time has come, a few
    at a time under their row locks. Idempotent, and safe in several processes at once: a
    subscriber is scheduled past now before its lock is released. Returns how many changed."""
    now, after, changed = clock.now(), 0, 0
    due = select(Subscriber).where(Subscriber.next_settle_at <= now)
    while claimed := claim_next(due, Subscriber.id, after):
        for subscriber in claimed:
            changed += _settle_locked(subscriber, clock.now())
        after = claimed[-1].id
        db.session.commit()
    db.session.commit()
    return changed


def spend(phone: str, amount: int) -> None:
    """Sandbox: the subscriber spends `amount` on calls; then whatever that triggers (auto
    trust payment, suspension) happens at once."""
    begin_write()
    subscriber = _subscriber(phone, lock=True)
    if subscriber.suspended:
        db.session.rollback()
        raise TrustRefused("suspended")  # outgoing services are stopped
    now = clock.now()
    ledger.post(subscriber, "service_charge",
                -amount, now, description="calls (sandbox)")
    _settle_locked(subscriber, now)
    db.session.commit()


WEB_CODE = "trust"


def send_web_code(phone: str, locale: str) -> None:
    """Send the code that confirms a trust payment asked for on the web page."""
    subject = quote(phone)
    codes.issue(phone, WEB_CODE, phone, sms.OPERATOR_SENDER,
                lambda code: sms_texts.trust(locale, code, subject.amount, subject.fee,
                                             subject.due_at))


def confirm_web(phone: str, typed: str) -> TrustCredit:
    """Use the web page's code and grant the trust payment, in one transaction: a refused
    payment leaves the code unused. Raises codes.CodeRefused or TrustRefused."""
    codes.use(WEB_CODE, phone, typed)
    return request_one_off(phone, "web")


@dataclass(frozen=True)
class CreditView:
    phone: str
    operator_id: str
    amount: int
    fee: int
    due_at: datetime
    status: str


def credit_view(token: str) -> CreditView | None:
    """The trust payment whose result page has this token (SPEC §8: never a sequential id)."""
    row = db.session.scalar(select(TrustCredit).where(TrustCredit.token == token))
    if row is None:
        return None
    subscriber = db.session.get(Subscriber, row.subscriber_id)
    return CreditView(phone=subscriber.phone, operator_id=subscriber.operator_id,
                      amount=row.amount, fee=row.fee, due_at=row.due_at, status=row.status)


@dataclass(frozen=True)
class AccountTrust:
    """The account page's trust block for a Beeline subscriber."""

    balance: int
    quote: Quote
    auto_quote: Quote
    outstanding: TrustCredit | None
    auto_trust: bool
    rules: rules_of.TrustRules  # the auto trust payment's threshold and fees, for its terms


def account_block(phone: str) -> AccountTrust | None:
    """None when the number is not a subscriber of the trust payment's operator."""
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    if subscriber is None or subscriber.operator_id != rules().trust.operator:
        return None
    return AccountTrust(balance=subscriber.balance(), quote=quote(phone),
                        auto_quote=quote(phone, rules_of.AUTO),
                        outstanding=outstanding(subscriber), auto_trust=subscriber.auto_trust,
                        rules=rules().trust)
