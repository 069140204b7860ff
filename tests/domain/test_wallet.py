"""The wallet's pure rules (SPEC §3.3): trade moves, expiry (2 h or the order's deadline),
the password lock (5 wrong → 30 min), the notification's signature (5 min) and its retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.domain import wallet as w
from webapp.domain.machines import WALLET_TRADE
from webapp.domain.states import IllegalMove
from webapp.rules import load_rules

NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
RULES = load_rules().wallet
SECRET = b"shared"


@pytest.mark.parametrize(("current", "new", "allowed"), [
    (w.WAIT_BUYER_PAY, w.TRADE_SUCCESS, True),
    (w.WAIT_BUYER_PAY, w.TRADE_CLOSED, True),
    (w.TRADE_SUCCESS, w.TRADE_CLOSED, True),  # a full refund
    (w.TRADE_SUCCESS, w.WAIT_BUYER_PAY, False),
    (w.TRADE_SUCCESS, w.TRADE_SUCCESS, False),  # paid at most once
    (w.TRADE_CLOSED, w.TRADE_SUCCESS, False),  # a closed trade is never paid
    (w.TRADE_CLOSED, w.WAIT_BUYER_PAY, False),
])
def test_trade_moves(current, new, allowed):
    if allowed:
        WALLET_TRADE.check(current, new)
    else:
        with pytest.raises(IllegalMove):
            WALLET_TRADE.check(current, new)


def test_trades_are_created_waiting_and_end_closed():
    assert WALLET_TRADE.initial == {w.WAIT_BUYER_PAY}
    assert WALLET_TRADE.final == {w.TRADE_CLOSED}


def test_rules_file_numbers():
    assert RULES.trade_valid_for == timedelta(hours=2)
    assert RULES.max_wrong_passwords == 5 and RULES.lock_for == timedelta(minutes=30)
    assert RULES.signature_tolerance == timedelta(minutes=5)
    assert [int(s.total_seconds()) for s in RULES.retry_after] == [
        15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]
    assert sum(RULES.retry_after, timedelta()) == timedelta(hours=24, minutes=4)
    assert RULES.demo_password == "111111"


@pytest.mark.parametrize(("deadline", "expected"), [
    (None, NOW + timedelta(hours=2)),
    (NOW + timedelta(hours=3), NOW + timedelta(hours=2)),  # 2 h is sooner
    (NOW + timedelta(hours=2), NOW + timedelta(hours=2)),
    (NOW + timedelta(minutes=59, seconds=59), NOW + timedelta(minutes=59, seconds=59)),
])
def test_expiry_is_two_hours_or_the_order_deadline_whichever_is_sooner(deadline, expected):
    assert w.trade_expires_at(NOW, deadline, RULES.trade_valid_for) == expected


def test_expired_at_the_moment_itself():
    expires = NOW + timedelta(hours=2)
    assert not w.is_expired(expires, expires - timedelta(microseconds=1))
    assert w.is_expired(expires, expires)


def test_four_wrong_passwords_leave_one_try_and_the_fifth_locks_for_30_minutes():
    state = w.LockState(0, None)
    for left in (4, 3, 2, 1):
        state = w.after_wrong_password(state, NOW, RULES)
        assert state.locked_until is None and w.tries_left(state.wrong_tries, RULES) == left
    state = w.after_wrong_password(state, NOW, RULES)
    assert state == w.LockState(0, NOW + timedelta(minutes=30))
    assert w.is_locked(state.locked_until, NOW + timedelta(minutes=29, seconds=59))
    assert not w.is_locked(state.locked_until, NOW + timedelta(minutes=30))


@pytest.mark.parametrize(("typed", "ok"), [("111111", True), ("000000", True), ("11111", False),
                                           ("1111111", False), ("11111a", False), ("", False),
                                           (None, False), ("١١١١١١", False)])
def test_password_is_six_ascii_digits(typed, ok):
    assert w.is_password_shape(typed) is ok


def test_password_hash_is_salted_and_keyed():
    stored = w.password_hash(b"k", "salt", "111111")
    assert "111111" not in stored
    assert w.password_matches(b"k", "salt", "111111", stored)
    assert not w.password_matches(b"k", "salt", "111112", stored)
    assert not w.password_matches(b"other", "salt", "111111", stored)
    assert w.password_hash(b"k", "salt2", "111111") != stored


def _signed(body: bytes, at: datetime):
    ts = int(at.timestamp())
    return str(ts), w.sign(SECRET, ts, body)


def test_signature_over_timestamp_and_body():
    body = b'{"trade_no": "1"}'
    ts, sig = _signed(body, NOW)
    assert w.check_signature(SECRET, ts, sig, body, NOW, RULES.signature_tolerance) is None
    assert w.check_signature(SECRET, ts, sig.upper(), body, NOW, RULES.signature_tolerance) \
        is None
    assert w.check_signature(SECRET, ts, sig, body + b" ", NOW, RULES.signature_tolerance) \
        == w.BAD_SIGNATURE
    assert w.check_signature(b"other", ts, sig, body, NOW, RULES.signature_tolerance) \
        == w.BAD_SIGNATURE
    assert w.check_signature(SECRET, str(int(ts) + 1), sig, body, NOW,
                             RULES.signature_tolerance) == w.BAD_SIGNATURE


@pytest.mark.parametrize(("skew", "result"), [
    (timedelta(minutes=5), None), (-timedelta(minutes=5), None),
    (timedelta(minutes=5, seconds=1), w.STALE), (-timedelta(minutes=5, seconds=1), w.STALE),
])
def test_signature_tolerance_is_five_minutes_either_way(skew, result):
    body = b"{}"
    ts, sig = _signed(body, NOW)
    assert w.check_signature(SECRET, ts, sig, body, NOW + skew, RULES.signature_tolerance) \
        == result


@pytest.mark.parametrize(("ts", "sig"), [(None, "ab"), ("123", None), ("12a", "ab"),
                                         ("", "ab"), ("1" * 13, "ab")])
def test_missing_or_malformed_headers(ts, sig):
    assert w.check_signature(SECRET, ts, sig, b"{}", NOW, RULES.signature_tolerance) \
        == w.MALFORMED


def test_retry_schedule_follows_the_data_file_then_gives_up():
    at = NOW
    waits = []
    for sent in range(1, 16):
        nxt = w.next_attempt_at(sent, at, RULES.retry_after)
        waits.append(nxt - at)
        at = nxt
    assert waits == list(RULES.retry_after)
    assert at - NOW == timedelta(hours=24, minutes=4)
    assert w.next_attempt_at(16, at, RULES.retry_after) is None  # 1 post + 15 retries
    assert w.next_attempt_at(0, NOW, RULES.retry_after) is None


def test_trade_numbers_are_dated_and_unique():
    numbers = {w.new_trade_no(NOW) for _ in range(200)}
    assert len(numbers) == 200
    assert all(n.startswith("20261122") and len(n) == 24 and n.isdigit() for n in numbers)
