"""Hardening of the platform (issue 8): redirects, proxy headers, rate-limit keys, signed
gateway posts, sign-out and caching, logs outside sandbox, and the input layer."""

from __future__ import annotations

import re
import secrets
from urllib.parse import unquote

import pytest
from flask import request
from sqlalchemy import select

from webapp.extensions import db, limiter
from webapp.models import SmsMessage
from webapp.services import demo

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
             "/%00/evil.example"]


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


def test_three_ds_code_is_limited_by_the_number_it_went_to(limited):
    order = topup_order()
    data = {"number": "4000 0027 6000 3184", "expiry": "12/30", "cvc": "123",
            "attempt_key": "k" * 24}
    location = limited().post(f"/orders/{order.number}/card", data=data).headers["Location"]
    payer = limited()
    for i in range(30):
        response = payer.post(location, data={"code": "12"}, **at(f"198.51.100.{i}"))
        assert response.status_code == 422, i
    assert payer.post(location, data={"code": "12"}, **at("203.0.113.5")).status_code == 429
    # Another order's attempt whose code went to another number is not affected.
    other = topup_order(phone="+79261234567", operator="megafon")
    other_location = limited().post(f"/orders/{other.number}/card",
                                    data=data | {"attempt_key": "m" * 24}).headers["Location"]
    assert payer.post(other_location, data={"code": "12"},
                      **at("203.0.113.7")).status_code == 422
