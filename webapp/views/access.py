"""Who this browser session is (SPEC §8): the signed-in payer, and the orders the session
placed or paid. An order's pages are for them only; anyone else gets 404."""

from __future__ import annotations

from flask import abort, g, session

from ..models import Order
from ..services import account
from ..services import orders as order_service

PAYER = "payer"
PAYER_VERSION = "payer_version"
ORDERS = "orders"
# The session remembers this many orders (the newest); older ones stay reachable by signing in
# as their payer.
KEEP_ORDERS = 30


def payer() -> str | None:
    """The signed-in payer's number, if any: a session that a sign-out ended (on this browser
    or another) is signed in no more. Checked once per request."""
    if "signed_in_payer" not in g:
        phone = session.get(PAYER)
        # A session from before session versions existed carries none: version 0.
        if phone and session.get(PAYER_VERSION, 0) != account.session_version(phone):
            session.pop(PAYER, None)
            session.pop(PAYER_VERSION, None)
            phone = None
        g.signed_in_payer = phone
    return g.signed_in_payer


def session_orders() -> list[str]:
    return list(session.get(ORDERS) or [])


def remember_order(number: str) -> None:
    """This session placed or paid the order: it may see its pages from now on."""
    kept = [n for n in session_orders() if n != number]
    session[ORDERS] = (kept + [number])[-KEEP_ORDERS:]


def sign_in_session(phone: str, version: int) -> None:
    """A new session for the payer who just signed in (carrying the payer's session version,
    which a sign-out moves on): nothing from before carries over but the orders it placed or
    paid (the sign-in link on an order page comes back to it)."""
    orders = session_orders()
    session.clear()
    session[PAYER] = phone
    session[PAYER_VERSION] = version
    g.signed_in_payer = phone
    if orders:
        session[ORDERS] = orders


def visible_order_or_404(number: str) -> Order:
    """The order, settled up to now, if this session or payer may see it; else 404, the same
    as for an order that does not exist."""
    order = order_service.visible(number, session_orders(), payer())
    if order is None:
        abort(404)
    return order
