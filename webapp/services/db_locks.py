"""Row locks that work the same on PostgreSQL and SQLite, and the one order they are taken in.

A use case that checks then changes starts with database.begin_write() (BEGIN IMMEDIATE on
SQLite, which has no row locks); on PostgreSQL the row itself is locked with SELECT … FOR
UPDATE, or a name with a transaction-level advisory lock (database.lock_name).

The lock order. Every transaction takes the locks it needs in this order, never back up
the list; two transactions can then never wait for each other in a circle (a deadlock):

1. Kiosk sessions (rows, services/kiosk.locked_session): a terminal's open session, before
   the order it pays (cash paid in, a card tapped).
   Per-number use-case locks (names): ``pay:<method>:<payer>`` (starting a payment of a
   payer with a method that keeps one waiting attempt per payer: a phone balance's number),
   ``first-topup:<phone>`` (placing a top-up of the number).
2. Orders (rows), several in ascending order of their number (locked_orders).
3. Wallet trades (rows, services/wallet_trades.py): the shop closes or refunds a trade under
   its order's lock; the wallet's cashier locks a trade alone (never an order).
4. Wallets: the ``wallet:<phone>:<brand>:<currency>`` name when one may be opened, then wallet
   rows (the payer's, checked for its password lock and balance).
5. One-time codes: the ``codes:<phone>`` name when issuing, then code rows (a code used,
   or the codes a new one supersedes).
6. Subscribers (rows): the balance, limits and trust credit of a number.
7. Leaf locks, after which nothing else is taken: ``notice:<phone>`` (rationing the SMS that
   tells a number why a payment was refused); an SMS row moved by a delivery report
   (sms.record_delivery, which takes nothing else); a wallet notification claimed for a post
   (after its trade's row).

Rows written but never read back under a lock (ledger and wallet entries, events, SMS) need
no place in the list. So a reply to an SMS locks the order it pays before the code it uses, and
starting a mobile payment locks both orders (the new one and the one whose waiting payment it
replaces) before the old code and never needs the subscriber's row: the payment is checked
again under all the locks when it is confirmed.
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


def locked_orders(numbers: set[str]) -> dict[str, Order]:
    """Lock several orders in ascending order of their number (the lock order's level 2);
    returns the ones that exist, by number."""
    found = {}
    for number in sorted(numbers):
        order = locked_order(number)
        if order is not None:
            found[number] = order
    return found


def claim_next(query: Select, id_column, after: int) -> list:
    """In a new write transaction, lock the next rows of `query` by id after `after` (at most
    CLAIM_BATCH) until commit. PostgreSQL skips rows another transaction holds (FOR UPDATE
    SKIP LOCKED), so that settlements running at once share the rows instead of queueing for
    them; SQLite has one writer at a time anyway."""
    begin_write()
    return list(db.session.scalars(
        query.where(id_column > after).order_by(id_column).limit(CLAIM_BATCH)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)))
