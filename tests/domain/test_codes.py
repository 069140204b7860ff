"""One-time code rules (SPEC §5) at their boundaries."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from webapp.domain import codes
from webapp.rules import load_rules

POLICY = load_rules().codes
T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
KEY = b"test-key"


def test_policy_has_the_spec_numbers():
    assert POLICY.digits == 6
    assert POLICY.valid_for == timedelta(minutes=10)
    assert POLICY.max_wrong_tries == 5
    assert POLICY.resend_after == timedelta(seconds=60)
    assert POLICY.max_per_hour == 5


def test_new_codes_are_six_digits_and_vary():
    drawn = {codes.new_code(POLICY) for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", code) for code in drawn)
    assert len(drawn) > 190  # a CSPRNG practically never repeats in 200 draws of a million


@pytest.mark.parametrize("elapsed, expired", [
    (timedelta(0), False), (timedelta(minutes=9, seconds=59), False),
    (timedelta(minutes=10), True), (timedelta(hours=1), True),
])
def test_validity_is_ten_minutes(elapsed, expired):
    assert codes.is_expired(T0, T0 + elapsed, POLICY) is expired


def test_hash_is_keyed_and_bound_to_purpose_and_subject():
    stored = codes.code_hash(KEY, "3ds", "attempt:1", "123456")
    assert "123456" not in stored and len(stored) == 64
    assert codes.code_matches(KEY, "3ds", "attempt:1", "123456", stored)
    assert codes.code_matches(KEY, "3ds", "attempt:1", " 123456 ", stored)
    assert not codes.code_matches(KEY, "3ds", "attempt:2", "123456", stored)
    assert not codes.code_matches(KEY, "signin", "attempt:1", "123456", stored)
    assert not codes.code_matches(b"other-key", "3ds", "attempt:1", "123456", stored)
    assert not codes.code_matches(KEY, "3ds", "attempt:1", "123457", stored)


@pytest.mark.parametrize("since_last, allowed", [
    (timedelta(seconds=59), False), (timedelta(seconds=60), True), (timedelta(seconds=61), True),
])
def test_resend_no_sooner_than_60_seconds(since_last, allowed):
    last = T0
    decision = codes.may_issue(T0 + since_last, last, [last], POLICY)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reason == "resend_too_soon"
        assert decision.retry_at == T0 + timedelta(seconds=60)


def test_at_most_five_codes_per_number_in_a_rolling_hour():
    sent = [T0 + timedelta(minutes=m) for m in (0, 2, 4, 6, 8)]
    assert codes.may_issue(T0 + timedelta(minutes=5), None, sent[:4], POLICY).allowed
    sixth = codes.may_issue(T0 + timedelta(minutes=10), None, sent, POLICY)
    assert not sixth.allowed and sixth.reason == "hourly_limit"
    assert sixth.retry_at == T0 + timedelta(hours=1)
    # One hour after the first, one slot is free again.
    assert codes.may_issue(T0 + timedelta(hours=1), None, sent, POLICY).allowed
    assert not codes.may_issue(T0 + timedelta(minutes=59, seconds=59), None, sent,
                               POLICY).allowed


def test_resend_pause_is_per_thing_the_hourly_cap_per_number():
    # A sign-in code 10 s ago does not hold up a 3-D Secure code (a different thing)...
    assert codes.may_issue(T0 + timedelta(seconds=10), None, [T0], POLICY).allowed
    # ...but the same thing asked again does wait.
    assert not codes.may_issue(T0 + timedelta(seconds=10), T0, [T0], POLICY).allowed


@pytest.mark.parametrize("typed, normalized", [
    ("123 456", "123456"), (" 123456\n", "123456"), ("", ""), (None, ""),
])
def test_typed_codes_lose_their_spaces(typed, normalized):
    assert codes.normalize_typed(typed) == normalized


@pytest.mark.parametrize("final", ["used", "dead", "expired", "superseded"])
def test_a_finished_code_never_comes_back(final):
    assert codes.CODE_TRANSITIONS[final] == frozenset()
    assert final in codes.CODE_TRANSITIONS["active"]
