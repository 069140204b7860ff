"""Sign-in by code, 3-D Secure, saved cards, the virtual phone and the inbound SMS endpoint."""

import hashlib
import hmac
import json
import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import Order, PaymentAttempt, SavedCard, SmsMessage

from ..conftest import FIXED_NOW
from ..factories import page_text, topup_order

PHONE = "+79031234567"
THREE_DS_CARD = "4000 0027 6000 3184"


def latest_code(phone=PHONE) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def sign_in(client, phone=PHONE, lang="en"):
    assert client.post(f"/signin?lang={lang}", data={"phone": phone}).status_code == 303
    response = client.post("/signin/code", data={"code": latest_code(phone)})
    assert response.status_code == 303
    return response


def pay_3ds(client, order, lang="en", **extra):
    data = {"number": THREE_DS_CARD, "expiry": "12/30", "cvc": "123",
            "attempt_key": "k" * 24, **extra}
    response = client.post(f"/orders/{order.number}/card?lang={lang}", data=data)
    assert response.status_code == 303
    assert re.fullmatch(rf"/orders/{order.number}/3ds/\d+", response.headers["Location"])
    return response.headers["Location"]


# --- sign-in ----------------------------------------------------------------------------------

def test_sign_in_with_a_code_from_the_sms(client):
    assert client.get("/account").headers["Location"].startswith("/signin")
    client.post("/signin?lang=ru", data={"phone": "8 903 123-45-67"})
    sms = db.session.scalar(select(SmsMessage))
    assert sms.phone == PHONE and sms.status == "delivered"
    assert "Никому не сообщайте" in sms.body or "не сообщайте" in sms.body.lower()
    page = client.get("/signin/code?lang=en").get_data(as_text=True)
    assert "valid for 10 minutes more" in page and "5 tries left" in page
    assert "You can ask for a new code in 1 minute" in page
    assert 'href="/phone/79031234567"' in page
    with client.session_transaction() as session:
        assert session["signin_phone"] == PHONE
    response = client.post("/signin/code", data={"code": latest_code()})
    assert response.headers["Location"] == "/account"
    with client.session_transaction() as session:
        # Renewed: nothing from before sign-in; the version a sign-out would end.
        assert dict(session) == {"payer": PHONE, "payer_version": 0}
    assert "Signed in as +7 903 123-45-67" in page_text(client.get("/account?lang=en").get_data(
        as_text=True))
    client.post("/signout")
    with client.session_transaction() as session:
        assert "payer" not in session


def test_wrong_codes_then_lockout(client):
    client.post("/signin", data={"phone": PHONE})
    wrong = other_than(latest_code())
    for left in ("4 tries left", "3 tries left", "2 tries left", "1 try left"):
        page = client.post("/signin/code?lang=en", data={"code": wrong})
        assert page.status_code == 422 and left in page.get_data(as_text=True)
    page = client.post("/signin/code?lang=en", data={"code": wrong}).get_data(as_text=True)
    assert "Too many wrong codes" in page
    page = client.post("/signin/code?lang=en", data={"code": latest_code()})
    assert "Too many wrong codes" in page.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "payer" not in session


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", ""])
def test_malformed_code_is_refused_without_counting_a_try(client, typed):
    client.post("/signin", data={"phone": PHONE})
    page = client.post("/signin/code?lang=en", data={"code": typed})
    assert page.status_code == 422 and "The code is 6 digits" in page.get_data(as_text=True)
    assert "5 tries left" in page.get_data(as_text=True)


def test_resend_waits_60_seconds(client):
    client.post("/signin", data={"phone": PHONE})
    clock.freeze(FIXED_NOW + timedelta(seconds=59))
    page = client.post("/signin/resend?lang=en")
    assert page.status_code == 429
    assert "A new code can be sent in 1 second" in page.get_data(as_text=True)
    clock.freeze(FIXED_NOW + timedelta(seconds=60))
    assert client.post("/signin/resend").status_code == 303
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 2


def test_bad_number_on_sign_in(client):
    page = client.post("/signin?lang=en", data={"phone": "12"})
    assert page.status_code == 422 and "not a valid phone number" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_sms_is_in_the_language_of_the_page(client):
    client.post("/signin?lang=zh", data={"phone": PHONE})
    body = db.session.scalar(select(SmsMessage.body))
    assert re.search(r"[\u4e00-\u9fff]", body)


# --- 3-D Secure -------------------------------------------------------------------------------

def test_three_ds_right_code_pays(client):
    order = topup_order(client=client)
    url = pay_3ds(client, order, lang="ru")
    sms = db.session.scalar(select(SmsMessage).where(SmsMessage.peer == "3-D Secure"))
    assert "3184" in sms.body and order.number in sms.body
    page = page_text(client.get(url + "?lang=en").get_data(as_text=True))
    assert "We sent a code by SMS to +7 903 123-45-67" in page
    assert db.session.get(Order, order.id).status == "awaiting_payment"
    response = client.post(url, data={"code": latest_code()})
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert db.session.get(Order, order.id).status == "credited"
    again = client.post(url, data={"code": latest_code()})  # a replayed confirmation
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(PaymentAttempt.id)).where(
        PaymentAttempt.status == "succeeded")) == 1


def test_three_ds_five_wrong_codes_fail_the_attempt(client):
    order = topup_order(client=client)
    url = pay_3ds(client, order)
    wrong = other_than(latest_code())
    for _ in range(4):
        assert client.post(url, data={"code": wrong}).status_code == 422
    assert client.post(url, data={"code": wrong}).status_code == 303
    attempt = db.session.scalar(select(PaymentAttempt))
    assert (attempt.status, attempt.decline_code) == ("failed", "three_ds_failed")
    page = client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True)
    assert "3-D Secure confirmation failed" in page and 'id="card-number"' in page


def test_three_ds_expired_code_offers_a_new_one(client):
    order = topup_order(client=client)
    url = pay_3ds(client, order)
    clock.freeze(FIXED_NOW + timedelta(minutes=10))
    page = client.post(url + "?lang=en", data={"code": latest_code()})
    assert "This code has expired" in page.get_data(as_text=True)
    assert client.post(url + "/resend").status_code == 303
    assert client.post(url, data={"code": latest_code()}).status_code == 303
    assert db.session.get(Order, order.id).status == "credited"


def test_three_ds_after_the_order_deadline(client):
    order = topup_order(client=client)
    url = pay_3ds(client, order)
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    response = client.post(url, data={"code": latest_code()})
    assert response.headers["Location"] == f"/orders/{order.number}"
    assert db.session.get(Order, order.id).status == "expired"
    assert db.session.scalar(select(PaymentAttempt.status)) == "canceled"


def test_three_ds_code_page_fragment_and_full_page(client):
    url = pay_3ds(client, topup_order(client=client))
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.data.lstrip().startswith(b'<section id="code-status"')
    assert b'hx-trigger="every 5s"' in fragment.data
    assert b"<html" in client.get(url).data


# --- saved cards ------------------------------------------------------------------------------

def place(client, phone) -> Order:
    """Place a top-up as the (signed-in) client would."""
    response = client.post("/topup/RU", data={"phone": phone, "amount": "10000"})
    return db.session.scalar(select(Order).where(
        Order.number == response.headers["Location"].rsplit("/", 1)[1]))


def test_saved_card_is_preselected_and_needs_the_cvc(client):
    sign_in(client)
    order = place(client, "+79261234567")
    client.post(f"/orders/{order.number}/card", data={
        "number": "5555 5555 5555 4444", "expiry": "08/29", "cvc": "321",
        "attempt_key": "a" * 24, "save_card": "1"})
    card = db.session.scalar(select(SavedCard))
    assert (card.owner_phone, card.brand, card.last4, card.exp_month, card.exp_year) == (
        PHONE, "mastercard", "4444", 8, 2029)
    second = place(client, "+79261234567")
    page = client.get(f"/orders/{second.number}?lang=en").get_data(as_text=True)
    assert f'value="{card.token}" checked' in page and "Add a new card" in page
    no_cvc = client.post(f"/orders/{second.number}/card?lang=en", data={
        "card_choice": card.token, "attempt_key": "b" * 24})
    assert no_cvc.status_code == 422 and "The CVC is the 3 digits" in no_cvc.get_data(
        as_text=True)
    paid = client.post(f"/orders/{second.number}/card", data={
        "card_choice": card.token, "saved_cvc": "321", "attempt_key": "c" * 24})
    assert paid.status_code == 303
    assert db.session.get(Order, second.id).status == "credited"
    account = client.get("/account?lang=en").get_data(as_text=True)
    assert "•••• 4444" in account and second.number in account
    client.post(f"/account/cards/{card.token}/remove")
    assert db.session.scalar(select(func.count(SavedCard.id))) == 0


def test_someone_elses_saved_card_cannot_be_used(client, app):
    sign_in(client)
    order = topup_order(client=client)
    client.post(f"/orders/{order.number}/card", data={
        "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123",
        "attempt_key": "a" * 24, "save_card": "1"})
    token = db.session.scalar(select(SavedCard.token))
    stranger = app.test_client()
    other = topup_order(client=stranger)
    page = stranger.post(f"/orders/{other.number}/card?lang=en", data={
        "card_choice": token, "saved_cvc": "123", "attempt_key": "d" * 24})
    assert page.status_code == 422 and "no longer available" in page.get_data(as_text=True)
    assert db.session.get(Order, other.id).status == "awaiting_payment"


def test_no_card_number_or_cvc_is_stored_or_logged(client, caplog, backend):
    caplog.set_level(logging.DEBUG)
    sign_in(client)
    for number, cvc in (("4242 4242 4242 4242", "987"), ("4000 0000 0000 9995", "654"),
                        (THREE_DS_CARD, "876")):
        order = topup_order(client=client)
        client.post(f"/orders/{order.number}/card", data={
            "number": number, "expiry": "12/30", "cvc": cvc, "attempt_key": order.number * 2,
            "save_card": "1"})
    cells = [str(value) for table in db.metadata.sorted_tables
             for row in db.session.execute(select(table)).all() for value in row]
    everything = "\n".join(cells) + "\n" + caplog.text
    for number in ("4242424242424242", "4000000000009995", "4000002760003184",
                   "4242 4242 4242 4242", "4000 0027 6000 3184"):
        assert number not in everything, number
    for cvc in ("987", "654", "876"):  # 3 digits can occur by chance inside longer values
        assert cvc not in cells, cvc
        assert f"cvc={cvc}" not in caplog.text and f"'cvc': '{cvc}'" not in caplog.text
    assert [c.last4 for c in db.session.scalars(select(SavedCard))] == ["4242"]
    assert backend in ("sqlite", "postgresql")


# --- virtual phone and inbound SMS ------------------------------------------------------------

def test_virtual_phone_inbox_groups_by_sender_newest_first(client):
    client.post("/signin", data={"phone": PHONE})
    pay_3ds(client, topup_order(client=client))
    page = client.get("/phone/79031234567?lang=en").get_data(as_text=True)
    assert page.index("<h2>3-D Secure</h2>") < page.index("<h2>TopupSandbox</h2>")
    fragment = client.get("/phone/79031234567", headers={"HX-Request": "true"})
    assert fragment.data.lstrip().startswith(b'<section id="inbox"')
    reply = client.post("/phone/79031234567/reply", data={"to": "8464", "text": "hello"})
    assert reply.status_code == 303
    inbound = db.session.scalar(select(SmsMessage).where(SmsMessage.direction == "in"))
    assert (inbound.peer, inbound.body) == ("8464", "hello")
    bad = client.post("/phone/79031234567/reply?lang=en", data={"to": "", "text": ""})
    assert bad.status_code == 422


def test_virtual_phone_does_not_exist_outside_sandbox(client_with):
    client = client_with(SANDBOX=False)
    assert client.get("/phone/79031234567").status_code == 404
    assert client.post("/signin", data={"phone": PHONE}).status_code == 303
    page = client.get("/signin/code").get_data(as_text=True)
    assert not re.search(r"\b\d{6}\b", page) and "/phone/" not in page
    stored = db.session.scalar(select(SmsMessage.body))
    assert "••••••" in stored and not re.search(r"\b\d{6}\b", stored)


def signed(body: bytes, secret="test-inbound-secret") -> dict:
    """The headers a gateway sends: the time, and HMAC-SHA256 of "<time>.<body>"."""
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": digest.hexdigest(),
            "Content-Type": "application/json"}


def test_inbound_reply_with_a_good_signature(client):
    body = json.dumps({"type": "reply", "id": "gw-1", "from": PHONE, "to": "8464",
                       "text": "123456"}).encode()
    response = client.post("/api/sms/inbound", data=body, headers=signed(body))
    assert response.status_code == 200 and response.json == {"ok": True, "confirmed": False}
    assert db.session.scalar(select(SmsMessage.body).where(SmsMessage.direction == "in")) == (
        "123456")


@pytest.mark.parametrize("headers", [
    {}, {"X-Signature": "00" * 32}, {"X-Signature": "not-hex"},
], ids=["missing", "wrong", "garbage"])
def test_inbound_with_a_bad_or_missing_signature_changes_nothing(client, headers):
    body = json.dumps({"type": "reply", "from": PHONE, "to": "8464", "text": "1"}).encode()
    response = client.post("/api/sms/inbound", data=body,
                           headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_inbound_signed_with_another_secret_is_refused(client):
    body = b'{"type": "reply", "from": "+79031234567", "to": "8464", "text": "1"}'
    response = client.post("/api/sms/inbound", data=body, headers=signed(body, "guess"))
    assert response.status_code == 403


def test_inbound_delivery_report(client):
    client.post("/signin", data={"phone": PHONE})
    gateway_id = db.session.scalar(select(SmsMessage.gateway_id))
    body = json.dumps({"type": "delivery", "id": gateway_id, "status": "failed"}).encode()
    assert client.post("/api/sms/inbound", data=body, headers=signed(body)).status_code == 200
    assert db.session.scalar(select(SmsMessage.status)) == "failed"
    unknown = json.dumps({"type": "delivery", "id": "nope", "status": "failed"}).encode()
    assert client.post("/api/sms/inbound", data=unknown, headers=signed(unknown)).status_code \
        == 404


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"type": "reply"}', b'{"type": 1}'])
def test_inbound_malformed_is_400(client, body):
    assert client.post("/api/sms/inbound", data=body, headers=signed(body)).status_code == 400
