"""Row locks that work the same on PostgreSQL and SQLite.

A use case that checks then changes starts with database.begin_write() (BEGIN IMMEDIATE on
SQLite, which has no row locks); on PostgreSQL the row itself is locked with SELECT … FOR
UPDATE.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from ..database import begin_write
from ..extensions import db
from ..models import Order

# Rows settlement takes per transaction: a commit for every few rows, not for each, while a
# request waiting on one of them waits for a few rows' work at most.
CLAIM_BATCH = 10


def locked_order(number: str) -> Order | None:
    """In a new write transaction, load an order by number with its row locked until commit."""
    begin_write()
    return db.session.scalar(
        select(Order).where(Order.number == number)
        .with_for_update().execution_options(populate_existing=True))


def claim_next(query: Select, id_column, after: int) -> list:
    """In a new write transaction, lock the next rows of `query` by id after `after` (at most
    CLAIM_BATCH) until commit. PostgreSQL skips rows another transaction holds (FOR UPDATE
    SKIP LOCKED), so that settlements running at once share the rows instead of queueing for
    them; SQLite has one writer at a time anyway."""
    begin_write()
    return list(db.session.scalars(
        query.where(id_column > after).order_by(id_column).limit(CLAIM_BATCH)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)))
