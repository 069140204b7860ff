"""Hardening of the platform (issue 8): redirects, proxy headers, rate-limit keys, signed
gateway posts, sign-out and caching, logs outside sandbox, and the input layer."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from datetime import timedelta
from urllib.parse import unquote

import pytest
from flask import request
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db, limiter
from webapp.models import Order, PaymentAttempt, SmsMessage
from webapp.services import demo

from ..conftest import FIXED_NOW
from ..factories import topup_order

PHONE = "+79031234567"


def latest_code(phone=PHONE) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def sign_in(client, phone=PHONE, next_url=None):
    data = {"phone": phone} | ({"next": next_url} if next_url is not None else {})
    assert client.post("/signin", data=data).status_code == 303
    response = client.post("/signin/code", data={"code": latest_code(phone)})
    assert response.status_code == 303
    return response


def at(address: str) -> dict:
    """Request options for a client at another address (the connection's, not a header)."""
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def limited(client_with):
    """build(**config) -> a client with rate limits on (memory storage, a fresh prefix)."""

    def build(**overrides):
        return client_with(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                           RATELIMIT_KEY_PREFIX="test-" + secrets.token_hex(4), **overrides)

    yield build
    limiter.reset()


# --- 3. open redirect -------------------------------------------------------------------------

ELSEWHERE = ["/%09/evil.example/x", "/%0A/evil.example/x", "/%0D%0A/evil.example/x",
             "/%5Cevil.example/x", "/%5C/evil.example/x", "//evil.example/x",
             "%09//evil.example/x", "https://evil.example/x", "javascript:alert(1)",
             "/%7F/evil.example", "/%1B/evil.example"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_next_never_leads_to_another_site(client, target):
    page = client.get(f"/signin?next={target}").get_data(as_text=True)
    assert re.search(r'name="next" value=""', page)
    # The form posted by hand with the same target: sign-in ends on the account page.
    response = sign_in(client, next_url=unquote(target))
    assert response.headers["Location"] == "/account"


def test_sign_in_next_keeps_a_local_path(client):
    order = topup_order()
    target = f"/orders/{order.number}?lang=en"
    page = client.get("/signin", query_string={"next": target}).get_data(as_text=True)
    assert f'name="next" value="/orders/{order.number}?lang=en"' in page
    assert sign_in(client, next_url=target).headers["Location"] == target


@pytest.mark.parametrize("target", ELSEWHERE)
def test_clock_form_next_never_leads_to_another_site(client, target):
    response = client.post("/sandbox/clock", data={"step": "1h", "next": unquote(target)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/sandbox/"


def test_clock_form_next_keeps_a_local_path(client):
    response = client.post("/sandbox/clock", data={"step": "1h", "next": "/trust?lang=en"})
    assert response.headers["Location"] == "/trust?lang=en"


# --- 4. proxy headers ---------------------------------------------------------------------------

def test_forwarded_for_does_not_bypass_the_address_limit(limited):
    client = limited()
    for i in range(20):
        response = client.post("/signin", data={"phone": f"+790300000{i:02d}"},
                               headers={"X-Forwarded-For": f"198.51.100.{i}"})
        assert response.status_code == 303, i
    blocked = client.post("/signin", data={"phone": "+79030000099"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert blocked.status_code == 429


def test_forwarded_for_is_read_when_a_proxy_is_configured(limited):
    client = limited(PROXY_FIX_X_FOR=1)
    for i in range(20):
        assert client.post("/signin", data={"phone": f"+790300000{i:02d}"}).status_code == 303
    assert client.post("/signin", data={"phone": "+79030000099"}).status_code == 429
    behind_proxy = client.post("/signin", data={"phone": "+79030000098"},
                               headers={"X-Forwarded-For": "203.0.113.9"})
    assert behind_proxy.status_code == 303


def test_forwarded_proto_only_when_configured(client_with):
    seen = {}
    behind = client_with(PROXY_FIX_X_PROTO=1)
    behind.application.before_request(lambda: seen.setdefault("scheme", request.scheme))
    behind.get("/signin", headers={"X-Forwarded-Proto": "https"})
    assert seen["scheme"] == "https"
    other = client_with()
    other.application.before_request(lambda: seen.__setitem__("plain", request.scheme))
    other.get("/signin", headers={"X-Forwarded-Proto": "https"})
    assert seen["plain"] == "http"


# --- 5. the per-number limit of the code pages ----------------------------------------------------

@pytest.fixture
def seeded(app):
    demo.seed()


TRUST_PHONE = "+79037000005"


def with_trust_number(client, phone=TRUST_PHONE):
    with client.session_transaction() as session:
        session["trust_phone"] = phone


def test_anonymous_confirm_posts_do_not_lock_out_everyone(limited, seeded):
    client = limited()
    for i in range(31):
        response = client.post("/trust/confirm", data={"code": "000000"},
                               **at(f"198.51.100.{i}"))
        assert response.status_code == 303, i  # no number in the session: back to the start
        client.post("/trust/resend", **at(f"198.51.101.{i}"))
    with_trust_number(client)
    page = client.post("/trust/confirm?lang=en", data={"code": "12"}, **at("203.0.113.5"))
    assert page.status_code == 422  # the victim's own post is answered, not refused
    resend = client.post("/trust/resend", **at("203.0.113.6"))
    assert resend.status_code != 429


def test_a_phone_field_does_not_choose_the_number_limited(limited, seeded):
    attacker, victim = limited(), limited()
    with_trust_number(attacker, "+79037000003")
    for i in range(31):
        attacker.post("/trust/confirm", data={"code": "12", "phone": TRUST_PHONE},
                      **at(f"198.51.100.{i}"))
    with_trust_number(victim)
    page = victim.post("/trust/confirm?lang=en", data={"code": "12"}, **at("203.0.113.5"))
    assert page.status_code == 422


def test_the_number_in_the_session_is_limited_across_addresses(limited, seeded):
    client = limited()
    with_trust_number(client)
    for i in range(30):
        response = client.post("/trust/confirm", data={"code": "12"}, **at(f"198.51.100.{i}"))
        assert response.status_code == 422, i
    assert client.post("/trust/confirm", data={"code": "12"},
                       **at("203.0.113.5")).status_code == 429


def test_sign_in_code_is_limited_by_the_number_being_signed_in(limited):
    client = limited()
    assert client.post("/signin", data={"phone": PHONE}, **at("203.0.113.1")).status_code == 303
    for i in range(30):
        response = client.post("/signin/code", data={"code": "12", "phone": "+79261234567"},
                               **at(f"198.51.100.{i}"))
        assert response.status_code == 422, i
    assert client.post("/signin/code", data={"code": "12"},
                       **at("203.0.113.5")).status_code == 429
    other = limited()
    other.post("/signin", data={"phone": "+79261234567"}, **at("203.0.113.2"))
    assert other.post("/signin/code", data={"code": "12"},
                      **at("203.0.113.6")).status_code == 422


def test_a_number_written_in_other_digits_is_the_same_number(limited):
    client = limited()
    for i in range(30):
        response = client.post("/signin", data={"phone": "+7 903 000-00-42"},
                               **at(f"198.51.100.{i}"))
        assert response.status_code == 303, i
    arabic = "+٧ ٩٠٣ ٠٠٠-٠٠-٤٢"
    assert client.post("/signin", data={"phone": arabic}, **at("203.0.113.5")).status_code == 429


def test_three_ds_code_is_limited_by_the_number_it_went_to(limited):
    payer = limited()
    order = topup_order(client=payer)
    data = {"number": "4000 0027 6000 3184", "expiry": "12/30", "cvc": "123",
            "attempt_key": "k" * 24}
    location = payer.post(f"/orders/{order.number}/card", data=data).headers["Location"]
    for i in range(30):
        response = payer.post(location, data={"code": "12"}, **at(f"198.51.100.{i}"))
        assert response.status_code == 422, i
    assert payer.post(location, data={"code": "12"}, **at("203.0.113.5")).status_code == 429
    # Another order's attempt whose code went to another number is not affected.
    other = topup_order(phone="+79261234567", operator="megafon", client=payer)
    other_location = payer.post(f"/orders/{other.number}/card",
                                    data=data | {"attempt_key": "m" * 24}).headers["Location"]
    assert payer.post(other_location, data={"code": "12"},
                      **at("203.0.113.7")).status_code == 422


# --- 8. signed gateway posts: a timestamp in the signature, each message taken once ------------

INBOUND_SECRET = "test-inbound-secret"


def signed(body: bytes, secret=INBOUND_SECRET, age: float = 0) -> dict:
    """The headers a gateway sends `age` seconds after signing (negative: a clock ahead)."""
    timestamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": digest.hexdigest(),
            "Content-Type": "application/json"}


def reply_body(text: str, message_id: str, sender=PHONE, to="8464") -> bytes:
    return json.dumps({"type": "reply", "id": message_id, "from": sender, "to": to,
                       "text": text}).encode()


def start_mobile_payment(client) -> str:
    url = client.post("/shop/RU/buy", data={"product": "phone-case"}).headers["Location"]
    waiting = client.post(url + "/mobile", data={"phone": PHONE, "operator": "beeline"})
    assert waiting.status_code == 303
    return url


def test_a_replayed_reply_is_taken_once(client, seeded):
    url = start_mobile_payment(client)
    code = re.match(r"(\d{6})", db.session.scalars(
        select(SmsMessage.body).where(SmsMessage.phone == PHONE)
        .order_by(SmsMessage.id.desc())).first()).group(1)
    wrong = "000000" if code != "000000" else "111111"
    body = reply_body(wrong, "gw-41")
    headers = signed(body)
    first = client.post("/api/sms/inbound", data=body, headers=headers)
    assert first.json == {"ok": True, "confirmed": False}
    for _ in range(5):  # the same signed post again: recognized, changes nothing
        again = client.post("/api/sms/inbound", data=body, headers=headers)
        assert again.status_code == 200
        assert again.json == {"ok": True, "confirmed": False, "duplicate": True}
    assert db.session.scalar(select(func.count(SmsMessage.id))
                             .where(SmsMessage.direction == "in")) == 1
    page = client.get(url + "/mobile/" + str(db.session.scalar(
        select(func.max(PaymentAttempt.id)))) + "?lang=en").get_data(as_text=True)
    assert "4 tries left" in page  # one wrong try, not six: the code is alive
    right = reply_body(code, "gw-42")
    confirmed = client.post("/api/sms/inbound", data=right, headers=signed(right))
    assert confirmed.json == {"ok": True, "confirmed": True}
    assert db.session.scalar(select(Order.status).where(
        Order.number == url.rsplit("/", 1)[1])) == "paid"


@pytest.mark.parametrize("age, status", [(290, 200), (-290, 200), (310, 403), (-310, 403)],
                         ids=["recent", "clock-ahead", "too-old", "too-far-ahead"])
def test_inbound_timestamp_tolerance_is_five_minutes(client, age, status):
    body = reply_body("hello", f"gw-age-{age}")
    response = client.post("/api/sms/inbound", data=body, headers=signed(body, age=age))
    assert response.status_code == status
    stored = db.session.scalar(select(func.count(SmsMessage.id)))
    assert stored == (1 if status == 200 else 0)


def test_tolerance_is_real_time_not_the_sandbox_clock(client):
    clock.advance(timedelta(days=3))  # the sandbox clock far ahead: genuine posts still pass
    body = reply_body("hello", "gw-real-time")
    assert client.post("/api/sms/inbound", data=body, headers=signed(body)).status_code == 200


@pytest.mark.parametrize("tamper", ["timestamp", "body-only-signature", "no-timestamp"])
def test_inbound_signature_covers_the_timestamp(client, tamper):
    body = reply_body("hello", "gw-tamper")
    headers = signed(body, age=3600)
    if tamper == "timestamp":  # an old post with a fresh time written in
        headers["X-Timestamp"] = str(int(time.time()))
    elif tamper == "body-only-signature":  # the old scheme
        headers["X-Signature"] = hmac.new(INBOUND_SECRET.encode(), body,
                                          hashlib.sha256).hexdigest()
        headers["X-Timestamp"] = str(int(time.time()))
    else:
        del headers["X-Timestamp"]
    assert client.post("/api/sms/inbound", data=body, headers=headers).status_code == 403
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_a_reply_needs_the_gateway_message_id(client):
    body = json.dumps({"type": "reply", "from": PHONE, "to": "8464", "text": "1"}).encode()
    response = client.post("/api/sms/inbound", data=body, headers=signed(body))
    assert response.status_code == 400 and "id" in response.json["error"]


def test_ussd_gateway_posts_are_signed_with_a_timestamp(client, seeded):
    body = json.dumps({"msisdn": "+79037000004", "code": "*141*9#", "lang": "en"}).encode()
    good = client.post("/api/ussd", data=body, headers=signed(body, "test-ussd-secret"))
    assert good.status_code == 200 and "reply" in good.json
    stale = client.post("/api/ussd", data=body,
                        headers=signed(body, "test-ussd-secret", age=600))
    assert stale.status_code == 403
    old_scheme = {"X-Signature": hmac.new(b"test-ussd-secret", body, hashlib.sha256).hexdigest(),
                  "Content-Type": "application/json"}
    assert client.post("/api/ussd", data=body, headers=old_scheme).status_code == 403


# --- 9. sign-out ends the session on the server; personal pages are never stored ------------------

def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copy_of_the_cookie_is_signed_out_too(client):
    sign_in(client)
    copied = session_cookie(client)
    assert client.get("/account").status_code == 200
    assert client.post("/signout").status_code == 303
    client.set_cookie("session", copied)
    response = client.get("/account")
    assert response.status_code == 303 and response.headers["Location"].startswith("/signin")
    page = client.get("/topup/RU?lang=en").get_data(as_text=True)
    assert "My account" not in page and "Sign in" in page


def test_sign_out_ends_the_payer_sessions_on_other_devices(client, app):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    clock.freeze(FIXED_NOW + timedelta(minutes=2))  # a new code may be sent after 60 s
    sign_in(phone)
    phone.post("/signout")
    assert laptop.get("/account").status_code == 303
    clock.freeze(FIXED_NOW + timedelta(minutes=4))
    sign_in(laptop)  # signing in again starts a new, valid session
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 303


def test_a_session_from_before_versions_is_ended_by_a_sign_out(client, app):
    with client.session_transaction() as session:
        session["payer"] = PHONE  # a cookie issued before sessions carried a version
    assert client.get("/account").status_code == 200
    other = app.test_client()
    sign_in(other)
    other.post("/signout")
    assert client.get("/account").status_code == 303


def test_pages_with_personal_data_are_not_stored(client, seeded):
    order = topup_order(client=client)
    three_ds = client.post(f"/orders/{order.number}/card", data={
        "number": "4000 0027 6000 3184", "expiry": "12/30", "cvc": "123",
        "attempt_key": "k" * 24}).headers["Location"]
    shop_order = client.post("/shop/RU/buy", data={"product": "phone-case"}).headers["Location"]
    waiting = client.post(shop_order + "/mobile", data={"phone": PHONE, "operator": "beeline"})

    def assert_not_stored(*urls):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "no-store", url

    with_trust_number(client)
    assert_not_stored(f"/orders/{order.number}", f"/orders/{order.number}/status", three_ds,
                      waiting.headers["Location"], "/trust/confirm", "/phone/79031234567",
                      "/sandbox/subscribers/79037000005")
    clock.freeze(FIXED_NOW + timedelta(minutes=2))
    sign_in(client)
    assert_not_stored("/account", "/topup/RU")
    client.post("/signout")
    clock.freeze(FIXED_NOW + timedelta(minutes=4))
    client.post("/signin", data={"phone": PHONE})
    assert_not_stored("/signin/code")
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


# --- 10. logs and the clock outside sandbox mode -------------------------------------------------

def test_log_gateway_masks_codes_outside_sandbox(client_with, caplog):
    caplog.set_level(logging.INFO, logger="webapp.sms")
    client = client_with(SANDBOX=False, SMS_GATEWAY="log")
    assert client.post("/signin", data={"phone": PHONE}).status_code == 303
    logged = [r.getMessage() for r in caplog.records if r.name == "webapp.sms"]
    assert len(logged) == 1 and "••••••" in logged[0]
    assert not re.search(r"\b\d{4,10}\b", logged[0].split(": ", 1)[1])


def test_log_gateway_shows_codes_in_sandbox(client_with, caplog):
    caplog.set_level(logging.INFO, logger="webapp.sms")
    client = client_with(SMS_GATEWAY="log")
    client.post("/signin", data={"phone": PHONE})
    logged = [r.getMessage() for r in caplog.records if r.name == "webapp.sms"]
    assert len(logged) == 1 and latest_code() in logged[0]


def test_a_stored_clock_offset_is_ignored_outside_sandbox(client, client_with):
    clock.advance(timedelta(days=33))  # left by an earlier sandbox run on the same database
    production = client_with(SANDBOX=False)
    response = production.post("/topup/RU", data={"phone": PHONE, "amount": "10000"})
    assert response.status_code == 303
    placed = db.session.scalar(select(Order))
    assert placed.created_at == FIXED_NOW
    sandbox_order = topup_order(phone="+79261234567", operator="megafon")
    assert sandbox_order.created_at == FIXED_NOW + timedelta(days=33)


# --- 11. the input layer: a clear 4xx, never a 500 -----------------------------------------------

def assert_bad_input(response):
    assert response.status_code == 400
    assert "characters that are not allowed" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/orders/A%00B", "/phone/7903%00", "/trust/done/1%00",
                                 "/topup/RU?phone=%2B7903%00", "/signin?next=/%00",
                                 "/topup/RU?%00=1"])
def test_nul_in_path_or_query_is_a_clear_400(client, url):
    assert_bad_input(client.get(url + ("&" if "?" in url else "?") + "lang=en"))


@pytest.mark.parametrize("url, data", [
    ("/topup/RU", {"phone": "+7903\x001234567", "amount": "10000"}),
    ("/signin", {"phone": "+79031234567\x00"}),
    ("/trust", {"phone": "903 700-00-05\x00"}),
    ("/shop/RU/buy", {"product": "phone-case\x00"}),
    ("/phone/79031234567/reply", {"to": "8464", "text": "12\x0034"}),
])
def test_nul_in_a_form_field_is_a_clear_400(client, url, data):
    assert_bad_input(client.post(url + "?lang=en", data=data))
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_an_over_long_form_field_is_a_clear_400(client):
    assert_bad_input(client.post("/signin?lang=en", data={"phone": "9" * 5000}))
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_ids_out_of_range_or_in_other_digits_are_404(client):
    order = topup_order(client=client)
    location = client.post(f"/orders/{order.number}/card", data={
        "number": "4000 0027 6000 3184", "expiry": "12/30", "cvc": "123",
        "attempt_key": "k" * 24}).headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    assert client.get(location).status_code == 200
    arabic = "".join(chr(0x660 + int(d)) for d in str(attempt_id))  # ٠١٢٣٤٥٦٧٨٩
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in str(attempt_id))
    for url in (f"/orders/{order.number}/3ds/{arabic}", f"/orders/{order.number}/3ds/{fullwidth}",
                f"/orders/{order.number}/3ds/2147483648", f"/orders/{order.number}/3ds/2147483647",
                f"/orders/{order.number}/3ds/99999999999", "/trust/done/99999999999",
                "/trust/done/2147483648", f"/orders/{order.number}/mobile/99999999999",
                "/phone/٧٩٠٣١٢٣٤٥٦٧", "/ussd/٧٩٠٣٧٠٠٠٠٠٤"):
        assert client.get(url).status_code == 404, url
    posted = client.post(f"/orders/{order.number}/3ds/99999999999", data={"code": "123456"})
    assert posted.status_code == 404


def signed_post(client, url, payload, secret=INBOUND_SECRET):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(url, data=body, headers=signed(body, secret))


@pytest.mark.parametrize("payload", [
    {"type": "reply", "id": "gw-1", "from": PHONE, "to": "8464", "text": "12\u000034"},
    {"type": "reply", "id": "gw-1", "from": PHONE + "\u0000", "to": "8464", "text": "1"},
    {"type": "reply", "id": "gw\u00001", "from": PHONE, "to": "8464", "text": "1"},
    {"type": "delivery", "id": "x\u0000", "status": "failed"},
    {"type": "reply", "id": "gw-1", "from": "+7" + "9" * 30, "to": "8464", "text": "1"},
    {"type": "reply", "id": "gw-1", "from": PHONE, "to": "8" * 17, "text": "1"},
    {"type": "reply", "id": "gw-1", "from": PHONE, "to": "8464", "text": "x" * 601},
    {"type": "reply", "id": "g" * 65, "from": PHONE, "to": "8464", "text": "1"},
], ids=["nul-text", "nul-from", "nul-id", "nul-delivery", "long-from", "long-to",
        "long-text", "long-id"])
def test_bad_values_in_a_signed_sms_post_are_400(client, payload):
    response = signed_post(client, "/api/sms/inbound", payload)
    assert response.status_code == 400 and response.json["error"]
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


@pytest.mark.parametrize("payload", [
    {"msisdn": "+79037000004\u0000", "code": "*141#"},
    {"msisdn": "+7" + "9" * 30, "code": "*141#"},
    {"msisdn": "+79037000004", "code": "*" * 33},
    {"msisdn": "+79037000004", "code": "*141#", "lang": ["en"]},
], ids=["nul", "long-msisdn", "long-code", "lang-not-text"])
def test_bad_values_in_a_signed_ussd_post_are_400_or_answered(client, seeded, payload):
    response = signed_post(client, "/api/ussd", payload, "test-ussd-secret")
    assert response.status_code in (200, 400) and response.is_json
    if "lang" not in payload:
        assert response.status_code == 400


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"type": "reply", "x": ' + b"[" * 50_000 + b"]" * 50_000
                                  + b"}"], ids=["array", "inside-an-object"])
@pytest.mark.parametrize("url, secret", [("/api/sms/inbound", INBOUND_SECRET),
                                         ("/api/ussd", "test-ussd-secret")])
def test_deeply_nested_json_is_400(client, body, url, secret):
    response = client.post(url, data=body, headers=signed(body, secret))
    assert response.status_code == 400 and response.json["error"] == "body is not JSON"
