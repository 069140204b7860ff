"""Demo subscribers for every operator of both markets, with months of history (SPEC §1).

Seeding is idempotent: a number that exists is left alone, so a second `flask demo seed`
changes nothing. History is laid out backwards from the clock's now at the first seeding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import builder as plan
from ..extensions import db
from ..models import LedgerEntry, Subscriber, TrustCredit
from . import ledger, rules, trust
from .builder import STUDIO_NOTE


@dataclass(frozen=True)
class DemoSubscriber:
    phone: str
    market: str
    operator: str
    key: str  # stable name of the case, kept in Subscriber.demo_note (the studio finds it so)
    note: object  # what the case shows, a lazy_gettext string (translated when shown)
    balance: int  # minor units, what the balance is after seeding
    monthly_spend: int = 30000  # minor units spent on services each month
    months_active: int = 24
    tariff_kind: str = "prepaid"
    tariff_name: str = "Standard"
    monthly_fee: int | None = None
    location: str = "home"
    mobile_payments_enabled: bool = True
    personal_budget: bool = False
    suspended: bool = False
    topped_up: bool = True  # False: the opening balance is the SIM's starting balance
    # Mobile payments already made today (totals with commission, minor units), for limits.
    mobile_payments_today: tuple[int, ...] = ()
    auto_trust: bool = False  # connected at seeding (today's fee taken)
    trust_outstanding: bool = False  # a one-off trust payment given at seeding


DEMO: tuple[DemoSubscriber, ...] = (
    # Russia — Beeline
    DemoSubscriber("+79031234567", "RU", "beeline", "beeline_prepaid",
                   _l("Beeline, prepaid, active for 2 years"),
                   45000, monthly_spend=60000),
    DemoSubscriber("+79091112233", "RU", "beeline", "beeline_monthly_fee",
                   _l("Beeline, 600 ₽ monthly-fee tariff"),
                   120000, tariff_kind="monthly_fee", tariff_name="Unlimited 600",
                   monthly_fee=60000, monthly_spend=60000),
    DemoSubscriber("+79037654321", "RU", "beeline", "beeline_roaming",
                   _l("Beeline, in international roaming"),
                   8000, monthly_spend=200000, location="roaming"),
    DemoSubscriber("+79035550011", "RU", "beeline", "beeline_welcome",
                   _l("Beeline, 'Welcome' tariff: trust payment yes, auto trust payment no"), 2000,
                   monthly_spend=20000, months_active=12, tariff_name="Welcome"),
    # Beeline trust payment: each row of the amount table at home and away (SPEC §4).
    DemoSubscriber("+79037000001", "RU", "beeline", "trust_under_100",
                   _l("Trust: spent < 100 ₽ in 3 months → 30 ₽"),
                   10000, monthly_spend=3000),
    DemoSubscriber("+79037000002", "RU", "beeline", "trust_under_100_roaming",
                   _l("Trust: spent < 100 ₽, in roaming → 30 ₽ for 7 days"), 10000,
                   monthly_spend=3000, location="roaming"),
    DemoSubscriber("+79037000003", "RU", "beeline", "trust_100_450",
                   _l("Trust: spent 100–450 ₽ → 100 ₽"), 10000,
                   monthly_spend=10000),
    DemoSubscriber("+79037000004", "RU", "beeline", "trust_100_450_roaming",
                   _l("Trust: spent 100–450 ₽, roaming → 100 ₽"),
                   10000, monthly_spend=10000, location="roaming"),
    DemoSubscriber("+79037000005", "RU", "beeline", "trust_450_1500",
                   _l("Trust: spent 450–1 500 ₽ → 300 ₽"), 10000,
                   monthly_spend=30000),
    DemoSubscriber("+79037000006", "RU", "beeline", "trust_450_1500_roaming",
                   _l("Trust: spent 450–1 500 ₽, roaming → 750 ₽"),
                   10000, monthly_spend=30000, location="roaming"),
    DemoSubscriber("+79037000007", "RU", "beeline", "trust_1500_3000",
                   _l("Trust: spent 1 500–3 000 ₽ → 450 ₽"),
                   10000, monthly_spend=60000),
    DemoSubscriber("+79037000008", "RU", "beeline", "trust_1500_3000_roaming",
                   _l("Trust: spent 1 500–3 000 ₽, roaming → 1 000 ₽"), 10000, monthly_spend=60000,
                   location="roaming"),
    DemoSubscriber("+79037000009", "RU", "beeline", "trust_over_3000",
                   _l("Trust: spent > 3 000 ₽ → 750 ₽"), 10000,
                   monthly_spend=120000),
    DemoSubscriber("+79037000011", "RU", "beeline", "trust_crimea",
                   _l("Trust: in Crimea, spent 450–1 500 ₽ → 750 ₽"),
                   10000, monthly_spend=30000, location="crimea"),
    DemoSubscriber("+79037000012", "RU", "beeline", "trust_refused_new",
                   _l("Trust refused: a month-old number"), 10000,
                   months_active=1, monthly_spend=20000),
    DemoSubscriber("+79037000013", "RU", "beeline", "trust_refused_spent",
                   _l("Trust refused: under 150 ₽ ever spent"),
                   10000, months_active=4, monthly_spend=3000),
    DemoSubscriber("+79037000014", "RU", "beeline", "trust_refused_postpaid",
                   _l("Trust refused: postpaid tariff"), 0,
                   tariff_kind="postpaid", tariff_name="Postpaid", monthly_spend=50000),
    DemoSubscriber("+79037000015", "RU", "beeline", "trust_refused_monthly_fee_new",
                   _l("Trust refused: monthly fee 600 ₽, only 2 months a customer"), 60000,
                   tariff_kind="monthly_fee", tariff_name="Unlimited 600", monthly_fee=60000,
                   months_active=2, monthly_spend=60000),
    DemoSubscriber("+79037000016", "RU", "beeline", "trust_refused_suspended",
                   _l("Trust refused: suspended for debt"), -4500,
                   suspended=True, monthly_spend=30000),
    DemoSubscriber("+79037000017", "RU", "beeline", "trust_refused_outstanding",
                   _l("Trust refused: a trust payment is outstanding"), 5000, monthly_spend=30000,
                   trust_outstanding=True),
    DemoSubscriber("+79037000018", "RU", "beeline", "trust_corporate",
                   _l("Corporate ('My company'): trust payment yes"),
                   20000, tariff_kind="corporate", tariff_name="My company",
                   monthly_spend=100000),
    DemoSubscriber("+79037000020", "RU", "beeline", "mobile_beeline_near_daily",
                   _l("Mobile payment: 9 payments and 14 900 ₽ today (Beeline: 10, 15 000 ₽)"),
                   500000, monthly_spend=30000,
                   mobile_payments_today=(200000,) * 7 + (45000, 45000)),
    DemoSubscriber("+79037000019", "RU", "beeline", "auto_trust_connected",
                   _l("Auto trust payment connected, 60 ₽: spend 20 ₽ to see it fire"), 6000,
                   monthly_spend=30000, auto_trust=True),
    DemoSubscriber("+79825551234", "RU", "beeline", "beeline_ported",
                   _l("Beeline, ported from MTS: the pre-selected operator (MTS) is wrong"), 30000),
    # Russia — MTS
    DemoSubscriber("+79821234567", "RU", "mts", "mobile_one_kopeck_short",
                   _l("Mobile payment: 209.99 ₽, one kopeck short for the 200 ₽ case"), 20999,
                   monthly_spend=40000),
    DemoSubscriber("+79826543210", "RU", "mts", "mobile_mts_works",
                   _l("Mobile payment: MTS, no commission, works"),
                   500000, monthly_spend=40000),
    DemoSubscriber("+79831234567", "RU", "mts", "mobile_mts_daily_count",
                   _l("Mobile payment refused: 5 payments made today (MTS allows 5)"), 500000,
                   monthly_spend=40000, mobile_payments_today=(50000,) * 5),
    DemoSubscriber("+79871234567", "RU", "mts", "mts_banned",
                   _l("MTS, mobile payments banned by the operator"),
                   100000, mobile_payments_enabled=False),
    DemoSubscriber("+79781234567", "RU", "mts", "mts_crimea",
                   _l("MTS, in Crimea"), 15000, location="crimea"),
    # Russia — MegaFon
    DemoSubscriber("+79261234567", "RU", "megafon", "megafon_personal_budget",
                   _l("MegaFon, with a personal budget"), 80000,
                   personal_budget=True),
    DemoSubscriber("+79267654321", "RU", "megafon", "mobile_megafon_no_budget",
                   _l("Mobile payment refused: MegaFon without a personal budget"), 80000),
    DemoSubscriber("+79201234567", "RU", "megafon", "megafon_corporate",
                   _l("MegaFon, corporate tariff"), 500000,
                   tariff_kind="corporate", tariff_name="My company"),
    # Russia — Tele2
    DemoSubscriber("+79771234567", "RU", "tele2", "tele2_year_old",
                   _l("Tele2, a year old: mobile payment up to 1 000 ₽ at a time"), 200000,
                   months_active=12),
    DemoSubscriber("+79511234567", "RU", "tele2", "mobile_tele2_new",
                   _l("Mobile payment refused: Tele2, a month old, never topped up"), 50000,
                   months_active=1, monthly_spend=3000, topped_up=False),
    # China
    DemoSubscriber("+8613812345678", "CN", "china_mobile", "china_mobile_prepaid",
                   _l("China Mobile, prepaid"), 5600,
                   monthly_spend=5800),
    DemoSubscriber("+8615012345678", "CN", "china_mobile", "china_mobile_monthly",
                   _l("China Mobile, monthly plan"),
                   12800, tariff_kind="monthly_fee", tariff_name="58 元套餐", monthly_fee=5800),
    DemoSubscriber("+8613012345678", "CN", "china_unicom", "china_unicom_prepaid",
                   _l("China Unicom, prepaid"), 3000,
                   monthly_spend=3900),
    DemoSubscriber("+8618612345678", "CN", "china_unicom", "china_unicom_postpaid",
                   _l("China Unicom, postpaid"), 0,
                   tariff_kind="postpaid", tariff_name="冰激凌套餐", monthly_spend=9900),
    DemoSubscriber("+8613312345678", "CN", "china_telecom", "china_telecom_prepaid",
                   _l("China Telecom, prepaid"), 1500,
                   monthly_spend=2900),
    DemoSubscriber("+8618912345678", "CN", "china_telecom", "china_telecom_suspended",
                   _l("China Telecom, suspended for debt"),
                   -1200, suspended=True),
)


# What each note key says: the demo cases, and subscribers made by a top-up or the builder.
NOTES = {spec.key: spec.note for spec in DEMO} | {
    "topup": _l("Created by a top-up to a number the sandbox did not know"),
    "built": _l("Made with the subscriber builder"),
    "studio": _l("Made by the studio for one of its screens"),
}


def note_text(key: str) -> str:
    """The note of a subscriber in the page's language ("" for none). A value that is not a
    key (a database seeded before notes had keys) is shown as it is."""
    note = NOTES.get(key)
    return str(note) if note is not None else key


_DESCRIPTIONS = {plan.SERVICE_CHARGE: "calls and internet", plan.MCOMMERCE_DEBIT: "shop order"}


def _history(spec: DemoSubscriber, now: datetime) -> list[tuple[str, int, datetime, str]]:
    """(kind, amount, when, description) entries ending at the target balance: spending on
    services spread over each month of the last six (or fewer, for a young number), and
    today's mobile payments, placed as the subscriber builder places them."""
    months = min(spec.months_active, 6)
    activated = now - timedelta(days=30 * spec.months_active)
    today = plan.Paid(len(spec.mobile_payments_today), sum(spec.mobile_payments_today))
    zone = ZoneInfo(rules().market(spec.market).timezone)
    planned = (plan.spending(now, activated, months, spec.monthly_spend)
               + plan.payments(now, zone, activated, today, today, today))
    opening = spec.balance - sum(entry.amount for entry in planned)
    start = max(activated, now - timedelta(days=30 * months + 20)) + timedelta(hours=1)
    opening_kind = "topup" if spec.topped_up else "starting_balance"
    return [(opening_kind, opening, start, "opening balance")] + [
        (entry.kind, entry.amount, entry.at, _DESCRIPTIONS[entry.kind]) for entry in planned]


def seed() -> int:
    """Create the demo subscribers that do not exist yet; return how many were created."""
    begin_write()
    now = clock.now()
    existing = set(db.session.scalars(select(Subscriber.phone)))
    created = 0
    for spec in DEMO:
        if spec.phone in existing:
            continue
        subscriber = Subscriber(
            phone=spec.phone, market=spec.market, operator_id=spec.operator,
            tariff_kind=spec.tariff_kind, tariff_name=spec.tariff_name,
            monthly_fee=spec.monthly_fee,
            activated_on=(now - timedelta(days=30 * spec.months_active)).date(),
            location=spec.location, mobile_payments_enabled=spec.mobile_payments_enabled,
            personal_budget=spec.personal_budget, suspended=spec.suspended, demo_note=spec.key)
        db.session.add(subscriber)
        db.session.flush()
        for kind, amount, when, description in _history(spec, now):
            ledger.post(subscriber, kind, amount,
                        when, description=description)
        created += 1
    db.session.commit()
    for spec in DEMO:
        if spec.phone not in existing and spec.auto_trust:
            trust.connect_auto(spec.phone)
        if spec.phone not in existing and spec.trust_outstanding:
            trust.request_one_off(spec.phone, "web")
    return created


@dataclass(frozen=True)
class SubscriberDetail:
    subscriber: Subscriber
    currency: str
    balance: int
    spent_3_months: int
    credits: list[TrustCredit]
    entries: list[LedgerEntry]


def subscriber_detail(phone: str) -> SubscriberDetail | None:
    """Everything the sandbox shows about one subscriber: balance, spending, trust credits and
    the latest ledger entries."""
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    if subscriber is None:
        return None
    return SubscriberDetail(
        subscriber=subscriber, currency="RUB" if subscriber.market == "RU" else "CNY",
        balance=subscriber.balance(),
        spent_3_months=trust.spent(subscriber, clock.now() - trust.THREE_MONTHS),
        credits=list(db.session.scalars(select(TrustCredit).where(
            TrustCredit.subscriber_id == subscriber.id).order_by(TrustCredit.id.desc()))),
        entries=list(db.session.scalars(select(LedgerEntry).where(
            LedgerEntry.subscriber_id == subscriber.id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(15))))


@dataclass(frozen=True)
class SubscriberRow:
    subscriber: Subscriber
    balance: int


def subscribers_overview() -> list[SubscriberRow]:
    """Every subscriber with its balance (stored on the row: one query), but the studio's own
    subjects: each gallery screen makes fresh ones, and the tester's list stays theirs."""
    own = Subscriber.demo_note.is_distinct_from(STUDIO_NOTE)
    subscribers = db.session.scalars(
        select(Subscriber).where(own).order_by(Subscriber.market.desc(), Subscriber.operator_id,
                                    Subscriber.id)).all()
    return [SubscriberRow(s, s.balance()) for s in subscribers]
