"""The demo shop: a goods order for a product (or, in the sandbox, any amount)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..clock import clock
from ..database import begin_write
from ..domain import orders as states
from ..domain.markets import Market, TopupLimits
from ..extensions import db
from ..models import Order
from . import rules
from .transitions import begin

CUSTOM = "custom"
# The sandbox's "any amount" goods order: 0.01 to 100 000 in the market's currency.
CUSTOM_RANGE = TopupLimits(tiles=(), min_amount=1, max_amount=10_000_000)


def create_order(prefix: str, *, commit: bool = True, **fields) -> Order:
    """A new order awaiting payment with a fresh human-readable number, due within the
    payment window, with its first event row; committed, together with the caller's write
    transaction (whose locks hold until then), unless `commit` is False: then the caller
    commits it with the rest of its work (a kiosk links it to its session under one lock)."""
    begin_write()
    for _ in range(5):  # a clash of the random order number is rare; draw again
        now = clock.now()
        order = Order(number=states.new_order_number(prefix, now),
                      status=states.AWAITING_PAYMENT, created_at=now,
                      deadline=states.payment_deadline(now, rules().payment_window), **fields)
        try:
            with db.session.begin_nested():  # a clash undoes this insert only
                db.session.add(order)
        except IntegrityError:
            continue
        begin(order, actor="payer", at=now)
        if commit:
            db.session.commit()
        return order
    db.session.rollback()
    raise RuntimeError("could not draw a free order number")


def place_goods_order(market: Market, product_id: str, amount: int, locale: str,
                      payer_phone: str | None = None) -> Order:
    """A goods order for `amount` (minor units) of the market's currency."""
    return create_order("G", kind="goods", market=market.code, currency=market.currency,
                        product_id=product_id, amount=amount, price=amount, locale=locale,
                        payer_phone=payer_phone)
