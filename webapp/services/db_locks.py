"""Row locking that works the same on PostgreSQL and SQLite.

PostgreSQL: SELECT … FOR UPDATE locks the row until commit. SQLite has no row locks; there every
transaction starts with BEGIN IMMEDIATE (see webapp/database.py), which takes the database's
write lock up front, so check-then-act is serialized there as well.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Order


def locked_order(number: str) -> Order | None:
    """Load an order by number with its row locked for the rest of the transaction."""
    return db.session.scalar(
        select(Order).where(Order.number == number)
        .with_for_update().execution_options(populate_existing=True))
