"""Row locks that work the same on PostgreSQL and SQLite.

A use case that checks then changes starts with database.begin_write() (BEGIN IMMEDIATE on
SQLite, which has no row locks); on PostgreSQL the row itself is locked with SELECT … FOR
UPDATE.
"""

from __future__ import annotations

from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import Order


def locked_order(number: str) -> Order | None:
    """In a new write transaction, load an order by number with its row locked until commit."""
    begin_write()
    return db.session.scalar(
        select(Order).where(Order.number == number)
        .with_for_update().execution_options(populate_existing=True))
