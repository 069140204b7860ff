"""Lock-out of a victim (issue 8, item 7): strangers asking for codes to a number, or starting a
mobile payment from it, must not keep its owner from signing in or paying. The hourly cap of
codes counts per number and purpose, and apart for the owner signed in; a newer mobile payment
of a number replaces a waiting one."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import page_text
from webapp.clock import clock
from webapp.extensions import db
from webapp.models import OneTimeCode, Order, PaymentAttempt, SmsMessage
from webapp.services import demo, rules

VICTIM = "+79031234567"  # Beeline, money on the account
THREE_DS_CARD = {"number": "4000 0027 6000 3184", "expiry": "12/30", "cvc": "123"}


@pytest.fixture
def seeded(app):
    demo.seed()


def cap() -> int:
    return rules().codes.max_per_hour


def sms_from(sender: str, phone: str = VICTIM) -> list[SmsMessage]:
    return list(db.session.scalars(select(SmsMessage).where(
        SmsMessage.phone == phone, SmsMessage.peer == sender).order_by(SmsMessage.id)))


def latest_code(phone: str = VICTIM) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def sign_in(client, phone: str = VICTIM):
    assert client.post("/signin", data={"phone": phone}).status_code == 303
    return client.post("/signin/code", data={"code": latest_code(phone)})


def stranger_pays_with_3ds(app, phone: str = VICTIM):
    """A stranger tops up `phone` and pays with a card that needs 3-D Secure: the bank's code
    goes to the number topped up. Returns the 3-D Secure page."""
    stranger = app.test_client()
    placed = stranger.post("/topup/RU", data={"phone": phone, "amount": "10000"})
    number = placed.headers["Location"].rsplit("/", 1)[1]
    paid = stranger.post(f"/orders/{number}/card?lang=en", data={
        **THREE_DS_CARD, "attempt_key": secrets.token_urlsafe(18)})
    assert re.fullmatch(rf"/orders/{number}/3ds/\d+", paid.headers["Location"])
    return stranger.get(paid.headers["Location"] + "?lang=en").get_data(as_text=True)


def test_payment_codes_to_a_number_do_not_starve_its_sign_in(client, app, seeded):
    for _ in range(cap()):
        stranger_pays_with_3ds(app)
    assert len(sms_from("3-D Secure")) == cap()
    # The strangers' bucket is full: the next 3-D Secure code to the number waits.
    page = stranger_pays_with_3ds(app)
    assert len(sms_from("3-D Secure")) == cap()
    assert "We sent a code" not in page
    # The owner signs in all the same.
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert len(sms_from("TopupSandbox")) == 1


def test_the_owner_signed_in_gets_a_code_strangers_used_up_theirs(client, app, seeded):
    for _ in range(cap()):
        stranger_pays_with_3ds(app)
    clock.freeze(clock.now() + timedelta(seconds=61))
    sign_in(client)
    placed = client.post("/topup/RU", data={"phone": "+79261234567", "amount": "10000"})
    number = placed.headers["Location"].rsplit("/", 1)[1]
    paid = client.post(f"/orders/{number}/card", data={
        **THREE_DS_CARD, "attempt_key": secrets.token_urlsafe(18)})
    page = client.get(paid.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "We sent a code by SMS to +7 903 123-45-67" in page_text(page)
    assert len(sms_from("3-D Secure")) == cap() + 1
    assert client.post(paid.headers["Location"], data={"code": latest_code()}).status_code == 303
    assert db.session.scalar(select(Order.status).where(Order.number == number)) == "credited"


def buy(client) -> str:
    response = client.post("/shop/RU/buy", data={"product": "phone-case"})
    return response.headers["Location"]


def start_mobile(client, url: str, phone: str = VICTIM):
    return client.post(url + "/mobile?lang=en", data={"phone": phone, "operator": "beeline"})


def test_a_strangers_waiting_mobile_payment_does_not_block_the_owners_own(client, app, seeded):
    stranger = app.test_client()
    theirs = buy(stranger)
    waiting = start_mobile(stranger, theirs)
    assert waiting.status_code == 303
    first = db.session.scalar(select(PaymentAttempt))
    sign_in(client)
    mine = buy(client)
    started = start_mobile(client, mine)
    assert started.status_code == 303, started.get_data(as_text=True)
    db.session.refresh(first)
    assert (first.status, first.decline_code) == ("canceled", "replaced")
    assert db.session.scalar(select(OneTimeCode.status).where(
        OneTimeCode.subject == f"attempt:{first.id}")) == "superseded"
    # The owner answers the SMS: the owner's order is paid, the stranger's is not.
    client.post(f"/phone/{VICTIM[1:]}/reply", data={"to": "8464", "text": latest_code()})
    statuses = dict(db.session.execute(select(Order.number, Order.status)).all())
    assert statuses[mine.rsplit("/", 1)[1]] == "paid"
    assert statuses[theirs.rsplit("/", 1)[1]] == "awaiting_payment"
    moved = stranger.get(waiting.headers["Location"], headers={"HX-Request": "true"})
    assert moved.headers["HX-Redirect"] == theirs


def test_strangers_starting_payments_cannot_use_up_the_owners_codes(client, app, seeded):
    for _ in range(cap()):
        stranger = app.test_client()
        assert start_mobile(stranger, buy(stranger)).status_code == 303
    stranger = app.test_client()
    refused = start_mobile(stranger, buy(stranger))
    assert refused.status_code == 422
    assert "Too many codes were sent to this number" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PaymentAttempt.id)).where(
        PaymentAttempt.status == "pending")) == 1
    clock.freeze(clock.now() + timedelta(seconds=61))
    sign_in(client)
    mine = buy(client)
    assert start_mobile(client, mine).status_code == 303
    client.post(f"/phone/{VICTIM[1:]}/reply", data={"to": "8464", "text": latest_code()})
    assert db.session.scalar(select(Order.status).where(
        Order.number == mine.rsplit("/", 1)[1])) == "paid"
    assert db.session.scalar(select(func.count(PaymentAttempt.id)).where(
        PaymentAttempt.status == "pending")) == 0
