"""Issuing and using codes through the service, with the clock pinned (SPEC §5)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import OneTimeCode, SmsMessage
from webapp.services import codes

from ..conftest import FIXED_NOW

PHONE = "+79031234567"


def send(subject="s1", purpose="signin", phone=PHONE) -> str:
    """Issue a code and read it back from the SMS, as a person would."""
    codes.issue(phone, purpose, subject, "Test", lambda code: f"Your code {code}. Keep it.")
    body = db.session.scalars(select(SmsMessage.body).order_by(SmsMessage.id.desc())).first()
    return re.search(r"\d{6}", body).group(0)


def at(delta: timedelta) -> None:
    clock.freeze(FIXED_NOW + delta)


def refused(typed, subject="s1", purpose="signin", **kwargs) -> codes.CodeRefused:
    with pytest.raises(codes.CodeRefused) as info:
        codes.use(purpose, subject, typed, **kwargs)
    db.session.rollback()
    return info.value


def test_only_a_keyed_hash_is_stored(app):
    code = send()
    row = db.session.scalar(select(OneTimeCode))
    for column in OneTimeCode.__table__.columns:
        assert code not in str(getattr(row, column.key))


def test_valid_at_9_59_dead_at_10_00(app):
    code = send()
    at(timedelta(minutes=10))
    assert refused(code).reason == "expired"
    assert db.session.scalar(select(OneTimeCode.status)) == "expired"
    clock.freeze(FIXED_NOW)
    code = send(subject="s2")
    at(timedelta(minutes=9, seconds=59))
    codes.use("signin", "s2", code)
    db.session.commit()


def test_usable_once(app):
    code = send()
    codes.use("signin", "s1", code)
    db.session.commit()
    assert refused(code).reason == "used"


def test_four_wrong_tries_then_the_right_code_works(app):
    code = send()
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        error = refused(wrong)
        assert (error.reason, error.tries_left) == ("wrong", left)
    codes.use("signin", "s1", code)
    db.session.commit()


def test_the_fifth_wrong_try_kills_the_code(app):
    code = send()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        refused(wrong)
    assert refused(wrong).reason == "dead"
    assert refused(code).reason == "dead"


def test_bound_to_its_subject_and_purpose(app):
    code = send(subject="attempt:1", purpose="3ds")
    send(subject="attempt:2", purpose="3ds")
    assert refused(code, subject="attempt:2", purpose="3ds").reason == "wrong"
    assert refused(code, subject="attempt:1", purpose="signin").reason == "no_code"


def test_a_reply_from_another_number_only_counts_a_try(app):
    code = send()
    error = refused(code, from_phone="+79261234567")
    assert (error.reason, error.tries_left) == ("wrong", 4)
    codes.use("signin", "s1", code, from_phone=PHONE)
    db.session.commit()


def test_a_new_code_replaces_the_old_one(app):
    old = send()
    at(timedelta(seconds=60))
    new = send()
    if old != new:
        assert refused(old).reason == "wrong"
    codes.use("signin", "s1", new)
    db.session.commit()


def test_resend_refused_at_59_seconds_allowed_at_60(app):
    send()
    at(timedelta(seconds=59))
    with pytest.raises(codes.CodeRefused) as info:
        send()
    assert info.value.reason == "resend_too_soon"
    assert info.value.retry_at == FIXED_NOW + timedelta(seconds=60)
    at(timedelta(seconds=60))
    send()
    assert db.session.query(OneTimeCode).count() == 2


def test_the_sixth_code_in_an_hour_is_refused(app):
    for minute in range(5):
        at(timedelta(minutes=2 * minute))
        send(subject=f"s{minute}")
    at(timedelta(minutes=10))
    with pytest.raises(codes.CodeRefused) as info:
        send(subject="s5")
    assert info.value.reason == "hourly_limit"
    assert info.value.retry_at == FIXED_NOW + timedelta(hours=1)
    at(timedelta(hours=1))
    send(subject="s5")


def test_the_hourly_cap_counts_per_purpose_and_apart_for_the_owner(app):
    """Issue 8, item 7: codes strangers ask for (3-D Secure of top-ups to the number) use up
    neither the number's sign-in codes nor those its owner asks for while signed in."""
    for minute in range(5):
        at(timedelta(minutes=minute))
        send(subject=f"attempt:{minute}", purpose="3ds")
    with pytest.raises(codes.CodeRefused) as info:
        send(subject="attempt:5", purpose="3ds")
    assert info.value.reason == "hourly_limit"
    db.session.rollback()
    send(subject=PHONE, purpose="signin")
    codes.issue(PHONE, "3ds", "attempt:6", "Test", lambda code: f"Your code {code}.",
                by_owner=True)
    assert db.session.query(OneTimeCode).filter_by(purpose="3ds").count() == 6
    at(timedelta(minutes=6))
    assert codes.view("3ds", "attempt:6").resend_at is None  # the owner's has room for more
    assert codes.view("3ds", "attempt:4").resend_at == FIXED_NOW + timedelta(hours=1)


def test_view_reports_time_tries_and_resend(app):
    code = send()
    at(timedelta(seconds=30))
    refused("000000" if code != "000000" else "111111")
    shown = codes.view("signin", "s1")
    assert shown.status == "active" and shown.tries_left == 4
    assert shown.seconds_left(clock.now()) == 570
    assert shown.resend_at == FIXED_NOW + timedelta(seconds=60)
    at(timedelta(minutes=10))
    assert codes.view("signin", "s1").status == "expired"
    assert codes.view("signin", "s1").resend_at is None


def test_settle_expires_old_codes_once(app):
    send()
    at(timedelta(minutes=10))
    assert codes.expire_due() == 1
    assert codes.expire_due() == 0


def test_outside_the_sandbox_the_stored_sms_hides_the_code(app):
    app.config["SANDBOX"] = False
    sent = []
    codes.issue(PHONE, "signin", "s1", "Test", lambda code: sent.append(code) or f"Code {code}")
    body = db.session.scalar(select(SmsMessage.body))
    assert sent[0] not in body and body == "Code ••••••"
