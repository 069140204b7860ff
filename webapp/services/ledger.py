"""The subscriber ledger: the one way a balance changes, and the check that it adds up.

A balance is the sum of its ledger entries (SPEC §1). It is also stored on the subscriber's
row so that reading it costs one column whatever the history; `post` is the only writer of
both, in the caller's transaction under the subscriber's row lock, so they cannot drift apart
unless someone bypasses it — `verify` (`flask ledger verify`) finds any number where they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import LedgerEntry, Subscriber


def post(subscriber: Subscriber, kind: str, amount: int, at: datetime, *,
         order_id: int | None = None, ref: str | None = None,
         description: str = "") -> LedgerEntry:
    """Write one ledger entry of `amount` minor units (positive credits, negative debits) and
    move the subscriber's stored balance by it, in the caller's transaction.

    The caller holds the subscriber's row lock (db_locks: "Subscribers (rows): the balance"),
    as every check-then-act on a balance must, or the row is new in its transaction: the
    balance is then read and written under that lock, and goes to the database in the same
    flush as the row's other changes (settlement already updates the row it settles), with no
    statement of its own. A duplicate `ref` or order credit raises IntegrityError at the
    flush; the caller's rollback undoes the entry and the balance together."""
    entry = LedgerEntry(subscriber_id=subscriber.id, kind=kind, amount=amount, created_at=at,
                        order_id=order_id, ref=ref, description=description)
    db.session.add(entry)
    subscriber.balance_minor = (subscriber.balance_minor or 0) + amount
    return entry


@dataclass(frozen=True)
class Mismatch:
    """A number whose stored balance is not the sum of its ledger."""

    phone: str
    stored: int
    ledger: int


def verify() -> list[Mismatch]:
    """Every subscriber whose stored balance differs from the sum of its ledger entries (one
    query over the whole ledger; empty when the books agree)."""
    sums = (select(LedgerEntry.subscriber_id, func.sum(LedgerEntry.amount).label("total"))
            .group_by(LedgerEntry.subscriber_id).subquery())
    ledger = func.coalesce(sums.c.total, 0)
    rows = db.session.execute(
        select(Subscriber.phone, Subscriber.balance_minor, ledger)
        .outerjoin(sums, sums.c.subscriber_id == Subscriber.id)
        .where(Subscriber.balance_minor != ledger)
        .order_by(Subscriber.phone)).all()
    return [Mismatch(phone, int(stored), int(total)) for phone, stored, total in rows]
