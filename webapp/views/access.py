"""Who this browser session is (SPEC §8): the signed-in payer, and the orders the session
placed or paid. An order's pages are for them only; anyone else gets 404."""

from __future__ import annotations

from flask import abort, session

from ..models import Order
from ..services import orders as order_service

PAYER = "payer"
ORDERS = "orders"
# The session remembers this many orders (the newest); older ones stay reachable by signing in
# as their payer.
KEEP_ORDERS = 30


def payer() -> str | None:
    """The signed-in payer's number, if any."""
    return session.get(PAYER)


def session_orders() -> list[str]:
    return list(session.get(ORDERS) or [])


def remember_order(number: str) -> None:
    """This session placed or paid the order: it may see its pages from now on."""
    kept = [n for n in session_orders() if n != number]
    session[ORDERS] = (kept + [number])[-KEEP_ORDERS:]


def sign_in_session(phone: str) -> None:
    """A new session for the payer who just signed in: nothing from before carries over but
    the orders it placed or paid (the sign-in link on an order page comes back to it)."""
    orders = session_orders()
    session.clear()
    session[PAYER] = phone
    if orders:
        session[ORDERS] = orders


def visible_order_or_404(number: str) -> Order:
    """The order, settled up to now, if this session or payer may see it; else 404, the same
    as for an order that does not exist."""
    order = order_service.visible(number, session_orders(), payer())
    if order is None:
        abort(404)
    return order
