"""Trust payment through its three ways in: the web page, the account page, USSD."""

import hashlib
import hmac
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import page_text
from webapp.clock import clock
from webapp.extensions import db
from webapp.models import LedgerEntry, SmsMessage, Subscriber, TrustCredit
from webapp.services import demo
from webapp.services.settle import settle_all

from ..conftest import FIXED_NOW


@pytest.fixture
def seeded(app):
    demo.seed()


def balance(phone) -> int:
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    return int(db.session.scalar(select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.subscriber_id == subscriber.id)))


def latest_code(phone) -> str:
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def test_web_page_number_code_credit(client, seeded):
    phone = "+79037000005"
    before = balance(phone)
    assert client.post("/trust?lang=ru", data={"phone": "903 700-00-05"}).status_code == 303
    sms = db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone)).all()[-1]
    assert sms.peer == "Beeline" and "300\u00a0₽" in sms.body
    page = client.get("/trust/confirm?lang=en").get_data(as_text=True)
    for text in ("₽300", "₽25", "3 days", "November 25 at"):
        assert text in page, text
    response = client.post("/trust/confirm", data={"code": latest_code(phone)})
    assert re.fullmatch(r"/trust/done/[\w-]{22}", response.headers["Location"])
    assert balance(phone) == before + 30000
    done = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "₽300 has been credited to +7 903 700-00-05" in page_text(done)
    # Three days later the credit and its fee are debited.
    clock.freeze(FIXED_NOW + timedelta(days=3))
    settle_all()
    assert balance(phone) == before - 2500


@pytest.mark.parametrize("phone, text", [
    ("903 700-00-12", "from the third month"),
    ("903 700-00-13", "once ₽150 has been spent"),
    ("903 700-00-14", "not available on postpaid"),
    ("903 700-00-15", "after 3 months as a customer"),
    ("903 700-00-16", "suspended for debt"),
    ("903 700-00-17", "already outstanding"),
    ("926 123-45-67", "this number is with another operator"),
    ("903 999-99-99", "not a Beeline subscriber"),
    ("12", "not a valid phone number"),
])
def test_each_refusal_reads_right_and_sends_nothing(client, seeded, phone, text):
    response = client.post("/trust?lang=en", data={"phone": phone})
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SmsMessage.id))) == 0


def test_wrong_code_on_the_web_page(client, seeded):
    client.post("/trust", data={"phone": "+79037000003"})
    code = latest_code("+79037000003")
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/trust/confirm?lang=en", data={"code": wrong})
    assert page.status_code == 422 and "4 tries left" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TrustCredit.id))) == 1  # the seeded one only


def sign_in(client, phone):
    client.post("/signin", data={"phone": phone})
    client.post("/signin/code", data={"code": latest_code(phone)})


def test_account_page_balance_block(client, seeded):
    phone = "+79037000003"
    sign_in(client, phone)
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert "Get a trust payment of ₽100" in page and "₽15" in page and "3 days" in page
    assert client.post("/account/trust").status_code == 303
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert "Trust payment of ₽100: debited with its fee of ₽15 on November 25 at" in page
    assert client.post("/account/auto-trust", data={"action": "connect"}).status_code == 303
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))
    assert subscriber.auto_trust
    client.post("/account/auto-trust", data={"action": "disconnect"})
    assert not db.session.get(Subscriber, subscriber.id).auto_trust


def test_account_page_shows_refusals(client, seeded):
    sign_in(client, "+79035550011")  # Welcome: trust payment yes, auto no
    page = client.get("/account?lang=en").get_data(as_text=True)
    assert "Get a trust payment of" in page and "not available on the Welcome tariff" in page
    client.post("/account/auto-trust", data={"action": "connect"})
    assert not db.session.scalar(select(Subscriber.auto_trust).where(
        Subscriber.phone == "+79035550011"))


def test_account_page_of_another_operator_has_no_trust_block(client, seeded):
    sign_in(client, "+79261234567")
    assert 'id="balance"' not in client.get("/account").get_data(as_text=True)


def dial(client, digits, code, lang="en"):
    response = client.post(f"/ussd/{digits}?lang={lang}", data={"display": code,
                                                                "action": "dial"})
    return re.search(r'class="ussd-reply"[^>]*>([^<]*)<', response.get_data(as_text=True)).group(1)


def test_ussd_codes(client, seeded):
    assert "₽450" in dial(client, "79037000007", "*141#")
    assert "already outstanding" in dial(client, "79037000007", "*141#")
    assert dial(client, "79037000009", "*141*9#") == "Auto trust payment would credit ₽750."
    assert "connected" in dial(client, "79037000009", "*141*11#")
    assert db.session.scalar(select(Subscriber.auto_trust).where(
        Subscriber.phone == "+79037000009"))
    assert dial(client, "79037000009", "*141*10#") == "Auto trust payment disconnected."
    assert dial(client, "79037000009", "*100#") == "Unknown request."
    assert "Welcome" in dial(client, "79035550011", "*141*11#")
    zh = dial(client, "79037000003", "*141#", lang="zh")
    assert re.search(r"[\u4e00-\u9fff]", zh) and "₽100" in zh


def test_ussd_keypad_builds_the_request(client, seeded):
    display = ""
    for key in "*141#":
        response = client.post("/ussd/79037000003", data={"display": display, "key": key},
                               headers={"HX-Request": "true"})
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith('<form id="dialer"')
        display = re.search(r'name="display"[^>]*value="([^"]*)"', body).group(1)
    assert display == "*141#"
    back = client.post("/ussd/79037000003", data={"display": display, "action": "back"})
    assert 'value="*141"' in back.get_data(as_text=True)
    junk = client.post("/ussd/79037000003", data={"display": "<b>*1", "key": "x"})
    assert 'value="*1"' in junk.get_data(as_text=True)


def signed(body: bytes) -> dict:
    """The headers a USSD gateway sends: the time, and HMAC-SHA256 of "<time>.<body>"."""
    timestamp = str(int(time.time()))
    digest = hmac.new(b"test-ussd-secret", timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": digest.hexdigest(),
            "Content-Type": "application/json"}


def test_ussd_gateway_endpoint(client, seeded):
    body = json.dumps({"msisdn": "+79037000004", "code": "*141#", "lang": "en"}).encode()
    response = client.post("/api/ussd", data=body, headers=signed(body))
    assert response.status_code == 200 and "₽100" in response.json["reply"]
    assert "7 days" not in response.json["reply"]  # the due date is shown, roaming: 7 days
    credit = db.session.scalar(select(TrustCredit).where(TrustCredit.channel == "ussd"))
    assert credit.due_at - credit.granted_at == timedelta(days=7)
    unsigned = client.post("/api/ussd", data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 403
    bad = json.dumps({"msisdn": "+79037000004"}).encode()
    assert client.post("/api/ussd", data=bad, headers=signed(bad)).status_code == 400


def test_sandbox_spend_fires_auto_trust(client, seeded):
    phone = "+79037000019"
    before = balance(phone)
    response = client.post("/sandbox/subscribers/79037000019/spend", data={"amount": "20"})
    assert response.status_code == 303
    credit = db.session.scalar(select(TrustCredit).where(TrustCredit.kind == "auto"))
    assert credit.amount == 30000 and credit.fee == 0
    assert balance(phone) == before - 2000 + 30000
    page = client.get("/sandbox/subscribers/79037000019?lang=en").get_data(as_text=True)
    assert "automatic, to be paid back: due " in page  # the credit, named in English


@pytest.mark.parametrize("amount", ["", "-5", "abc", "0"])
def test_sandbox_spend_bad_amount(client, seeded, amount):
    before = balance("+79037000019")
    response = client.post("/sandbox/subscribers/79037000019/spend?lang=en",
                           data={"amount": amount})
    assert response.status_code == 422
    assert balance("+79037000019") == before


def test_sandbox_spend_on_a_suspended_number_is_refused(client, seeded):
    before = balance("+79037000016")
    response = client.post("/sandbox/subscribers/79037000016/spend", data={"amount": "5"})
    assert response.status_code == 303
    assert balance("+79037000016") == before


def test_unknown_pages_are_404(client, seeded):
    assert client.get("/sandbox/subscribers/70000000000").status_code == 404
    assert client.get("/ussd/abc").status_code == 404
    assert client.get("/trust/done/99999?lang=en").status_code == 404
