"""The virtual phone's code actions (sandbox): "expire now" and "skip the wait" reach "code
expired" and "a new code at once" without waiting, by changing the code's own row only; the
shared clock does not move. Absent outside sandbox mode."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import OneTimeCode, Setting, SmsMessage

from ..conftest import FIXED_NOW

PHONE = "+79031234567"
INBOX = "/phone/79031234567"


def latest_code(phone: str = PHONE) -> str:
    db.session.commit()
    body = db.session.scalars(select(SmsMessage.body).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b\d{6}\b", body).group(0)


def the_code() -> OneTimeCode:
    db.session.commit()
    return db.session.scalar(select(OneTimeCode).order_by(OneTimeCode.id.desc()))


def sms_count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(SmsMessage))


def ask_for_sign_in_code(client) -> OneTimeCode:
    assert client.post("/signin", data={"phone": PHONE}).status_code == 303
    return the_code()


@pytest.mark.parametrize(("lang", "purpose", "expire", "skip"), [
    ("en", "Sign-in code", "Expire now", "Skip the wait"),
    ("ru", "Код для входа", "Завершить срок действия", "Пропустить ожидание"),
    ("zh", "登录验证码", "立即过期", "跳过等待"),
])
def test_the_phone_lists_the_code_with_its_actions(client, lang, purpose, expire, skip):
    code = ask_for_sign_in_code(client)
    page = client.get(f"{INBOX}?lang={lang}").get_data(as_text=True)
    assert purpose in page and expire in page and skip in page
    assert f'action="{INBOX}/codes/{code.id}/expire"' in page
    assert f'action="{INBOX}/codes/{code.id}/skip-wait"' in page
    fragment = client.get(INBOX, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="inbox"') and expire in fragment


def test_expire_now_makes_the_code_page_say_expired(client):
    code = ask_for_sign_in_code(client)
    typed = latest_code()
    response = client.post(f"{INBOX}/codes/{code.id}/expire?lang=en")
    assert response.status_code == 303 and response.headers["Location"] == INBOX
    expired = the_code()
    assert (expired.status, expired.expires_at, expired.issued_at) == (
        "expired", FIXED_NOW, FIXED_NOW)
    assert db.session.get(Setting, "clock_offset_seconds") is None  # the clock did not move
    page = client.get("/signin/code?lang=en").get_data(as_text=True)
    assert "This code has expired. Ask for a new one." in page
    assert "You can ask for a new code in 1 minute" in page  # the wait still runs
    refused = client.post("/signin/code?lang=en", data={"code": typed})
    assert refused.status_code == 422
    assert "This code has expired" in refused.get_data(as_text=True)
    again = client.post(f"{INBOX}/codes/{code.id}/expire?lang=en")
    assert "This code is no longer active." in client.get(again.headers["Location"] + "?lang=en"
                                                          ).get_data(as_text=True)


def test_skip_the_wait_lets_a_new_code_come_at_once(client):
    code = ask_for_sign_in_code(client)
    assert client.post("/signin/resend").status_code == 429  # the 60 s wait
    sent = sms_count()
    assert client.post(f"{INBOX}/codes/{code.id}/skip-wait").status_code == 303
    moved = the_code()
    assert moved.issued_at == FIXED_NOW - timedelta(seconds=60)
    assert moved.expires_at == FIXED_NOW + timedelta(minutes=9)  # its own 10 min, moved back
    page = client.get("/signin/code?lang=en").get_data(as_text=True)
    assert "valid for 9 minutes more" in page and "You can ask for a new code" not in page
    assert client.post("/signin/resend").status_code == 303
    assert sms_count() == sent + 1
    assert the_code().id != code.id
    assert client.post("/signin/code", data={"code": latest_code()}).status_code == 303
    assert clock.now() == FIXED_NOW


def test_skip_the_wait_of_an_expired_code_and_when_there_is_none(client):
    code = ask_for_sign_in_code(client)
    client.post(f"{INBOX}/codes/{code.id}/expire")
    client.post(f"{INBOX}/codes/{code.id}/skip-wait")
    assert client.post("/signin/resend").status_code == 303
    newer = the_code()
    clock.freeze(FIXED_NOW + timedelta(seconds=61))
    response = client.post(f"{INBOX}/codes/{newer.id}/skip-wait?lang=en")
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "There is no wait to skip" in page
    assert "Skip the wait" not in page and "Expire now" in page


def test_a_code_of_another_number_or_an_unknown_action_is_not_found(client):
    code = ask_for_sign_in_code(client)
    assert client.post(f"/phone/79037000001/codes/{code.id}/expire").status_code == 404
    assert client.post(f"{INBOX}/codes/{code.id + 1}/expire").status_code == 404
    assert client.post(f"{INBOX}/codes/{code.id}/burn").status_code == 404
    assert the_code().status == "active"


def test_absent_outside_sandbox(client, client_with):
    code = ask_for_sign_in_code(client)
    other = client_with(SANDBOX=False)
    assert other.post(f"{INBOX}/codes/{code.id}/expire").status_code == 404
    assert other.post(f"{INBOX}/codes/{code.id}/skip-wait").status_code == 404
    assert the_code().status == "active"
