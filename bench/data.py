"""Bulk data for the bench, written with SQLAlchemy core inserts of lists (no services); each
subscriber's stored balance is written as the sum of the entries inserted for it, so
`flask ledger verify` holds on the bench's data too.

Settlement: auto trust subscribers, `1/DUE_EVERY` of them with something due now — half a
day's fee not yet taken, half a trust credit past its due date. Balance reads: one number with
a ledger of a given length.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from webapp.clock import clock
from webapp.domain.trust import day_start
from webapp.extensions import db
from webapp.models import LedgerEntry, Subscriber, TrustCredit
from webapp.services.trust import local_day, market_tz

CONNECTED_PREFIX = "+7999"
LEDGER_PREFIX = "+7998"
DUE_EVERY = 100  # 1 %
CHUNK = 5000
OPENING = 100_000  # 1 000 ₽: well above the 50 ₽ that triggers an auto trust payment
CREDIT, CREDIT_FEE = 30_000, 2_500  # a 300 ₽ one-off trust payment and its fee


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _subscriber(phone: str, today, **values) -> dict:
    return {"phone": phone, "market": "RU", "operator_id": "beeline", "tariff_kind": "prepaid",
            "tariff_name": "Beeline Prepaid", "monthly_fee": None,
            "activated_on": today - timedelta(days=400), "location": "home",
            "mobile_payments_enabled": True, "personal_budget": False, "auto_trust": False,
            "auto_trust_since": None, "auto_trust_paid_through": None, "suspended": False,
            "next_settle_at": None, "demo_note": "bench", **values}


def _ids(prefix: str) -> dict[str, int]:
    return dict(db.session.execute(select(Subscriber.phone, Subscriber.id)
                                   .where(Subscriber.phone.like(prefix + "%"))).all())


def clear(prefix: str) -> None:
    """Remove the bench's subscribers of one kind with everything they own."""
    owned = select(Subscriber.id).where(Subscriber.phone.like(prefix + "%"))
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.subscriber_id.in_(owned)))
    db.session.execute(delete(TrustCredit).where(TrustCredit.subscriber_id.in_(owned)))
    db.session.execute(delete(Subscriber).where(Subscriber.phone.like(prefix + "%")))
    db.session.commit()


def add_connected(count: int) -> int:
    """`count` subscribers with auto trust payment connected, paid through today; every
    DUE_EVERY-th has something due now. Returns how many are due. Their next settlement is
    written as the services would: today's midnight for a fee owed since then, the due date of
    a credit, else tomorrow's midnight."""
    clear(CONNECTED_PREFIX)
    now = clock.now()
    today = local_day(now)
    granted = now - timedelta(days=3, hours=1)
    fee_due = {i for i in range(0, count, DUE_EVERY) if (i // DUE_EVERY) % 2 == 0}
    credit_due = set(range(0, count, DUE_EVERY)) - fee_due
    rows = []
    for i in range(count):
        paid_through = today - timedelta(days=1) if i in fee_due else today
        next_settle_at = day_start(paid_through + timedelta(days=1), market_tz())
        if i in credit_due:
            next_settle_at = granted + timedelta(days=3)
        rows.append(_subscriber(
            f"{CONNECTED_PREFIX}{i:07d}", today, auto_trust=True,
            balance_minor=OPENING + (CREDIT if i in credit_due else 0),
            auto_trust_since=today - timedelta(days=30), auto_trust_paid_through=paid_through,
            next_settle_at=next_settle_at))
    _insert(Subscriber.__table__, rows)
    ids = _ids(CONNECTED_PREFIX)
    _insert(TrustCredit.__table__, [
        {"subscriber_id": ids[f"{CONNECTED_PREFIX}{i:07d}"], "kind": "one_off",
         "channel": "web", "token": secrets.token_urlsafe(16), "amount": CREDIT,
         "fee": CREDIT_FEE, "status": "outstanding",
         "granted_at": granted, "due_at": granted + timedelta(days=3), "repaid_at": None}
        for i in sorted(credit_due)])
    credit_ids = dict(db.session.execute(
        select(TrustCredit.subscriber_id, TrustCredit.id)
        .where(TrustCredit.subscriber_id.in_(select(Subscriber.id).where(
            Subscriber.phone.like(CONNECTED_PREFIX + "%"))))).all())
    opening_at = now - timedelta(days=60)
    entries = [_entry(subscriber_id, "topup", OPENING, opening_at) for subscriber_id in
               ids.values()]
    entries += [_entry(subscriber_id, "trust_credit", CREDIT, granted,
                       ref=f"trust:{credit_id}:credit")
                for subscriber_id, credit_id in credit_ids.items()]
    _insert(LedgerEntry.__table__, entries)
    db.session.commit()
    return len(fee_due) + len(credit_due)


def add_ledger(length: int) -> Subscriber:
    """A subscriber whose ledger has `length` entries (top-ups and charges over a year)."""
    phone = f"{LEDGER_PREFIX}{length:07d}"
    clear(phone)
    now = clock.now()
    today = local_day(now)
    amounts = [200 if n % 2 == 0 else -100 for n in range(length)]
    _insert(Subscriber.__table__, [_subscriber(phone, today, balance_minor=sum(amounts))])
    subscriber_id = _ids(phone)[phone]
    step = timedelta(days=365) / length
    _insert(LedgerEntry.__table__, [
        _entry(subscriber_id, "topup" if amount > 0 else "service_charge", amount,
               now - step * (length - n))
        for n, amount in enumerate(amounts)])
    db.session.commit()
    return db.session.get(Subscriber, subscriber_id)


def _entry(subscriber_id: int, kind: str, amount: int, at: datetime, ref: str | None = None):
    return {"subscriber_id": subscriber_id, "kind": kind, "amount": amount, "created_at": at,
            "order_id": None, "description": "bench", "ref": ref}


def ledger_sum(subscriber_id: int) -> int:
    """The sum of a number's ledger entries, read from the ledger itself."""
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.subscriber_id == subscriber_id)))
