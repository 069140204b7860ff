"""The checkout page: card validation, declines, success, replays, expiry, live status."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import LedgerEntry, Order, PaymentAttempt
from webapp.services import demo

from ..conftest import FIXED_NOW
from ..factories import ledger_balance, topup_order

GOOD = {"number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}


def post_card(client, order, key="k" * 24, lang="en", **fields):
    data = {**GOOD, **fields, "attempt_key": key}
    return client.post(f"/orders/{order.number}/card?lang={lang}", data=data)


def attempts() -> list[PaymentAttempt]:
    return db.session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.id)).all()


def test_checkout_page_shows_order_number_and_deadline(client, app):
    order = topup_order(client=client)
    body = client.get(f"/orders/{order.number}?lang=ru").get_data(as_text=True)
    assert re.search(r'<h1 class="order-no">[^<]*T-\d{6}-\d{6}', body)
    assert "60 минут" in body or "1 час" in body
    clock.freeze(FIXED_NOW + timedelta(seconds=61))
    body = client.get(f"/orders/{order.number}?lang=ru").get_data(as_text=True)
    assert "58 минут" in body
    body = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    assert "Pay within 58 minutes" in body


@pytest.mark.parametrize("fields, text", [
    ({"number": "4242 4242 4242 4241"}, "This card number is not valid"),
    ({"number": "3530 1113 3330 0000"}, "We accept Visa, Mastercard, Mir and UnionPay"),
    ({"number": "4242-4242"}, "A card number has digits only"),
    ({"number": ""}, "Enter the card number"),
    ({"expiry": "10/26"}, "This card has expired"),
    ({"expiry": "13/30"}, "Enter the expiry date as MM/YY"),
    ({"cvc": "12"}, "The CVC is the 3 digits"),
])
def test_bad_card_input_gets_a_message_and_no_attempt(client, fields, text):
    order = topup_order(client=client)
    response = post_card(client, order, **fields)
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert attempts() == []
    assert db.session.get(Order, order.id).status == "awaiting_payment"


def test_card_of_this_month_is_still_valid(client):
    order = topup_order(client=client)
    assert post_card(client, order, expiry="11/26").status_code == 303


@pytest.mark.parametrize("number, reason", [
    ("4000 0000 0000 9995", "not enough money on the card"),
    ("4000 0000 0000 0002", "Your bank declined the payment"),
    ("4000 0000 0000 0069", "the bank says this card has expired"),
])
def test_declines_say_why_and_allow_another_try(client, number, reason):
    order = topup_order(client=client)
    response = post_card(client, order, number=number)
    assert response.status_code == 402
    body = response.get_data(as_text=True)
    assert reason in body
    assert 'id="card-number"' in body  # the form is back for another try
    assert [a.status for a in attempts()] == ["failed"]
    assert db.session.get(Order, order.id).status == "awaiting_payment"
    again = post_card(client, order, key="n" * 24)
    assert again.status_code == 303
    assert [a.status for a in attempts()] == ["failed", "succeeded"]


def test_success_credits_the_number_and_shows_a_receipt(client):
    demo.seed()
    before = ledger_balance("+79031234567")
    order = topup_order(amount="50000", client=client)
    response = post_card(client, order, number="2200 0000 0000 0004", lang="ru")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orders/{order.number}"
    body = client.get(response.headers["Location"] + "?lang=ru").get_data(as_text=True)
    assert "status-credited" in body
    assert "Мир •••• 0004" in body  # the brand as labels.card_brand names it in Russian
    assert "485\u00a0₽" in body  # 500 ₽ minus the 15 ₽ promotion
    assert " МСК" in body and "(UTC+3)" not in body
    assert 'id="card-number"' not in body
    assert ledger_balance("+79031234567") == before + 50000
    order = db.session.get(Order, order.id)
    assert [(e.from_status, e.to_status) for e in order.events] == [
        (None, "awaiting_payment"), ("awaiting_payment", "paid"), ("paid", "crediting"),
        ("crediting", "credited")]


def test_a_replayed_form_does_not_charge_twice(client):
    order = topup_order(client=client)
    first = post_card(client, order, key="same-key-123456789")
    second = post_card(client, order, key="same-key-123456789")
    assert first.status_code == second.status_code == 303
    assert len(attempts()) == 1
    client.get(f"/orders/{order.number}")
    credits = db.session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.order_id == order.id))
    assert credits == 1


def test_paying_a_paid_order_again_is_refused(client):
    order = topup_order(client=client)
    post_card(client, order, key="a" * 24)
    response = post_card(client, order, key="b" * 24)
    assert response.status_code == 409
    assert "already paid" in response.get_data(as_text=True)
    assert len(attempts()) == 1


def test_an_expired_order_cannot_be_paid(client):
    order = topup_order(client=client)
    clock.freeze(FIXED_NOW + timedelta(minutes=59, seconds=59))
    assert "awaiting_payment" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    response = post_card(client, order)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "The time to pay this order is over" in body
    assert "status-expired" in body
    assert attempts() == []
    assert db.session.get(Order, order.id).status == "expired"


def test_status_fragment_polls_until_a_final_state(client):
    order = topup_order(client=client)
    url = f"/orders/{order.number}/status?shown=awaiting_payment"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.data.lstrip().startswith(b'<section id="status"')
    assert b'hx-trigger="every 30s"' in fragment.data
    full = client.get(url)
    assert b"<html" in full.data
    post_card(client, order)
    changed = client.get(url, headers={"HX-Request": "true"})
    assert changed.headers.get("HX-Refresh") == "true"
    final = client.get(f"/orders/{order.number}/status?shown=credited",
                       headers={"HX-Request": "true"})
    assert b"status-credited" in final.data
    assert b"hx-trigger" not in final.data


def test_crediting_waits_for_the_operator_delay(app, client):
    app.config["CREDIT_DELAY_SECONDS"] = 600
    order = topup_order(client=client)
    post_card(client, order)
    body = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    assert "status-crediting" in body and 'hx-trigger="every 2s"' in body
    clock.freeze(FIXED_NOW + timedelta(seconds=599))
    assert "status-crediting" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    clock.freeze(FIXED_NOW + timedelta(seconds=600))
    assert "status-credited" in client.get(f"/orders/{order.number}").get_data(as_text=True)


def test_a_ported_number_topped_up_at_the_old_operator_is_refunded(client):
    demo.seed()  # +79825551234 looks like MTS but moved to Beeline
    before = ledger_balance("+79825551234")
    order = topup_order(phone="+79825551234", operator="mts", client=client)
    post_card(client, order)
    body = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    assert "status-refunded" in body and "refunded" in body
    assert ledger_balance("+79825551234") == before


def test_unknown_order_is_404(client):
    assert client.get("/orders/T-000000-000000").status_code == 404
    assert client.post("/orders/T-000000-000000/card", data=GOOD).status_code == 404


@pytest.mark.parametrize("typed, brand", [
    ("4", "Visa"), ("2200", "Мир"), ("2221", "Mastercard"), ("62", "UnionPay"), ("9", ""),
])  # the page's language (Russian): brands as labels.card_brand names them
def test_brand_hint_while_typing(client, typed, brand):
    response = client.post("/cards/brand", data={"number": typed}, headers={"HX-Request": "true"})
    assert response.get_data(as_text=True).strip() == (
        f'<span id="card-brand" class="brand-badge">{brand}</span>')
