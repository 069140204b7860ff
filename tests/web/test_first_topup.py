"""The first top-up discount on the form (issue 8, item 14): one open or paid order of a number
carries it; a payer who saw it on the form and lost it to another order is told, never charged
another price silently."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Order

NEW_NUMBER = "+79031110077"  # never topped up
FORM = {"phone": NEW_NUMBER, "operator": "beeline", "amount": "10000"}


def price_seen(client, **fields) -> str:
    """The price the form shows for what was typed, as the form posts it back."""
    page = client.get("/topup/RU", query_string={**FORM, **fields}).get_data(as_text=True)
    return re.search(r'name="price_seen" value="([^"]+)"', page).group(1)


def orders() -> list[tuple[str, int]]:
    return [tuple(row) for row in db.session.execute(
        select(Order.promotion_id, Order.price).order_by(Order.id))]


def test_a_discount_seen_and_lost_to_another_order_is_told_not_charged(client, app):
    seen = price_seen(client)
    assert seen == f"{NEW_NUMBER}:10000:9500"  # 5 % off the first top-up
    other = app.test_client()
    assert other.post("/topup/RU", data={**FORM, "price_seen": seen}).status_code == 303
    response = client.post("/topup/RU?lang=en", data={**FORM, "price_seen": seen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The price has changed" in page and "To pay: ₽100" in page
    assert orders() == [("ru-first-5pct", 9500)]
    # The form now shows the full price: placing it again is the payer's informed choice.
    again = re.search(r'name="price_seen" value="([^"]+)"', page).group(1)
    assert again == f"{NEW_NUMBER}:10000:10000"
    assert client.post("/topup/RU", data={**FORM, "price_seen": again}).status_code == 303
    assert orders() == [("ru-first-5pct", 9500), (None, 10000)]


def test_a_price_seen_for_another_amount_or_number_is_not_held_against_the_order(client):
    seen = price_seen(client, amount="20000")  # then the payer picked 100 ₽ (no script)
    assert client.post("/topup/RU", data={**FORM, "price_seen": seen}).status_code == 303
    stale = price_seen(client, phone="+79031110078")
    assert client.post("/topup/RU", data={**FORM, "price_seen": stale}).status_code == 303
    assert client.post("/topup/RU", data={**FORM, "price_seen": "junk"}).status_code == 303
    assert db.session.scalar(select(func.count(Order.id))) == 3
    assert orders()[0] == ("ru-first-5pct", 9500)
