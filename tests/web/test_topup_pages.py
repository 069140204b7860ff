"""The top-up screen through the Flask client: pages, fragments, validation, the order placed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Order, OrderEvent
from webapp.services import demo

from ..conftest import FIXED_NOW


def order_count() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_home_redirects_to_the_market_of_the_language(app):
    assert app.test_client().get("/?lang=ru").headers["Location"] == "/topup/RU"
    response = app.test_client().get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/topup/CN"


def test_full_page_and_htmx_fragment(client):
    page = client.get("/topup/RU?phone=9031234567&lang=en")
    assert page.status_code == 200
    assert b"<html" in page.data and b'id="details"' in page.data
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/topup/RU?phone=9031234567&lang=en", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.data
    assert fragment.data.lstrip().startswith(b'<div id="details">')
    assert b'value="beeline" checked' in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]
    restore = client.get("/topup/RU?phone=9031234567", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in restore.data


@pytest.mark.parametrize("phone, operator", [
    ("903 123-45-67", "beeline"), ("8 926 123 45 67", "megafon"), ("+7 977 123 45 67", "tele2"),
    ("+79821234567", "mts"),
])
def test_operator_is_preselected_from_the_carrier(client, phone, operator):
    page = client.get("/topup/RU", query_string={"phone": phone, "lang": "en"},
                      headers={"HX-Request": "true"})
    assert f'value="{operator}" checked'.encode() in page.data


@pytest.mark.parametrize("phone, text", [
    ("12345", "This is not a valid phone number"),
    ("+8613812345678", "belongs to another country"),
    ("+7 495 123-45-67", "landline"),
    ("", "Enter the phone number"),
])
def test_bad_numbers_get_a_message_and_no_order(client, phone, text):
    response = client.post("/topup/RU?lang=en", data={"phone": phone, "operator": "beeline",
                                                       "amount": "10000"})
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert order_count() == 0


@pytest.mark.parametrize("market, other, ok", [
    ("RU", "9.99", False), ("RU", "10", True), ("RU", "1500", True), ("RU", "1500.01", False),
    ("RU", "1 500,00", True), ("RU", "abc", False), ("RU", "-100", False), ("RU", "1e3", False),
    ("CN", "9.99", False), ("CN", "10", True), ("CN", "3000", True), ("CN", "3000.01", False),
])
def test_other_amount_boundaries(client, market, other, ok):
    phone = "+79031234567" if market == "RU" else "+8613812345678"
    response = client.post(f"/topup/{market}?lang=en", data={
        "phone": phone, "amount": "other", "other_amount": other})
    if ok:
        assert response.status_code == 303
        assert order_count() == 1
    else:
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert ("minimum" in body or "maximum" in body or "as a number" in body)
        assert order_count() == 0


def test_amount_message_names_the_limit(client):
    body = client.post("/topup/RU?lang=ru", data={"phone": "+79031234567", "amount": "other",
                                                  "other_amount": "2000"}).get_data(as_text=True)
    assert "1\u00a0500\u00a0₽" in body


@pytest.mark.parametrize("data", [
    {"phone": "+79031234567", "amount": "12345"},  # a tile that is not offered
    {"phone": "+79031234567"},  # no amount
    {"phone": "+79031234567", "amount": "10000", "operator": "china_mobile"},  # wrong market
])
def test_tampered_or_incomplete_forms_change_nothing(client, data):
    response = client.post("/topup/RU?lang=en", data=data)
    assert response.status_code == 422
    assert order_count() == 0


def test_place_order_creates_an_order_due_in_one_hour(client):
    response = client.post("/topup/RU", data={"phone": "903 123 45 67", "amount": "20000"})
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert order.status == "awaiting_payment"
    assert order.phone == "+79031234567" and order.operator_id == "beeline"
    assert order.amount == 20000 and order.currency == "RUB"
    assert order.created_at == FIXED_NOW
    assert order.deadline == FIXED_NOW + timedelta(hours=1)
    events = db.session.scalars(select(OrderEvent)).all()
    assert [(e.from_status, e.to_status) for e in events] == [(None, "awaiting_payment")]


def test_chosen_operator_wins_over_the_guess(client):
    client.post("/topup/RU", data={"phone": "+79031234567", "operator": "mts", "amount": "10000"})
    assert db.session.scalar(select(Order)).operator_id == "mts"


def test_tile_shows_promotional_price(client):
    demo.seed()
    # A number never topped up gets 5 % off; 100 元 also has "2 元 off": the better one applies.
    page = client.get("/topup/CN?lang=zh&phone=13911112222").get_data(as_text=True)
    assert "¥95" in page
    # A demo number with history: only "2 元 off 100 元" applies.
    page = client.get("/topup/CN?lang=zh&phone=13812345678").get_data(as_text=True)
    assert "¥98" in page


def test_unknown_market_is_a_localized_404(client):
    response = client.get("/topup/XX?lang=ru")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)
    assert 'lang="ru"' in response.get_data(as_text=True)
