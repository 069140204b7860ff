"""Order and payment-attempt state machines, the payment deadline, order numbers (SPEC §2, §3)."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from webapp.domain import orders
from webapp.domain.orders import (
    ATTEMPT_TRANSITIONS,
    ORDER_FINAL,
    ORDER_TRANSITIONS,
    InvalidTransition,
    check_transition,
    is_past_deadline,
    new_order_number,
    payment_deadline,
)
from webapp.rules import load_rules

ORDER_STATES = ["awaiting_payment", "paid", "crediting", "credited", "refunded", "expired"]
# SPEC §2.2 and §2.4: awaiting_payment → paid | expired; paid → crediting;
# crediting → credited | refunded (a failure to credit). Everything else is refused.
ORDER_ALLOWED = {
    ("awaiting_payment", "paid"),
    ("awaiting_payment", "expired"),
    ("paid", "crediting"),
    ("crediting", "credited"),
    ("crediting", "refunded"),
}
ATTEMPT_STATES = ["pending", "succeeded", "failed", "canceled"]
# SPEC §3: pending → succeeded | failed | canceled.
ATTEMPT_ALLOWED = {("pending", "succeeded"), ("pending", "failed"), ("pending", "canceled")}


def _all_pairs(states, allowed):
    return [pytest.param(a, b, (a, b) in allowed, id=f"{a}->{b}")
            for a, b in itertools.product(states, repeat=2)]


def test_order_states_are_those_of_the_spec():
    assert set(ORDER_TRANSITIONS) == set(ORDER_STATES)
    assert ORDER_FINAL == {"credited", "refunded", "expired"}


def test_attempt_states_are_those_of_the_spec():
    assert set(ATTEMPT_TRANSITIONS) == set(ATTEMPT_STATES)


@pytest.mark.parametrize(("current", "new", "allowed"),
                         _all_pairs(ORDER_STATES, ORDER_ALLOWED))
def test_every_order_transition(current, new, allowed):
    if allowed:
        assert check_transition(ORDER_TRANSITIONS, current, new) is None
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(ORDER_TRANSITIONS, current, new)
        assert (info.value.current, info.value.new) == (current, new)
        assert str(info.value) == f"cannot move from {current} to {new}"


@pytest.mark.parametrize(("current", "new", "allowed"),
                         _all_pairs(ATTEMPT_STATES, ATTEMPT_ALLOWED))
def test_every_attempt_transition(current, new, allowed):
    if allowed:
        assert check_transition(ATTEMPT_TRANSITIONS, current, new) is None
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(ATTEMPT_TRANSITIONS, current, new)
        assert (info.value.current, info.value.new) == (current, new)


@pytest.mark.parametrize(
    ("table", "current", "new"),
    [
        (ORDER_TRANSITIONS, "bogus", "paid"),
        (ORDER_TRANSITIONS, "awaiting_payment", "bogus"),
        (ORDER_TRANSITIONS, "awaiting_payment", "succeeded"),   # an attempt status
        (ORDER_TRANSITIONS, "", ""),
        (ATTEMPT_TRANSITIONS, "pending", "paid"),               # an order status
        (ATTEMPT_TRANSITIONS, "awaiting_payment", "paid"),
    ],
)
def test_unknown_or_foreign_states_are_refused(table, current, new):
    with pytest.raises(InvalidTransition):
        check_transition(table, current, new)


# --- the payment deadline ---------------------------------------------------------------------

CREATED = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
HOUR = timedelta(minutes=60)


def test_the_payment_window_of_the_rules_is_one_hour():
    assert load_rules().payment_window == HOUR


@pytest.mark.parametrize(
    ("created", "window", "deadline"),
    [
        (CREATED, HOUR, datetime(2026, 11, 22, 7, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), HOUR,
         datetime(2027, 1, 1, 0, 30, tzinfo=UTC)),
        (CREATED, timedelta(minutes=15), datetime(2026, 11, 22, 6, 15, tzinfo=UTC)),
    ],
)
def test_payment_deadline_is_creation_plus_the_window(created, window, deadline):
    assert payment_deadline(created, window) == deadline


@pytest.mark.parametrize(
    ("elapsed", "expired"),
    [
        (timedelta(0), False),
        (timedelta(minutes=30), False),
        (timedelta(minutes=59, seconds=59), False),
        (timedelta(minutes=59, seconds=59, microseconds=999999), False),
        (timedelta(minutes=60), True),                   # the deadline itself is too late
        (timedelta(minutes=60, microseconds=1), True),
        (timedelta(minutes=60, seconds=1), True),
        (timedelta(hours=5), True),
        (timedelta(seconds=-1), False),                  # clock before creation
    ],
)
def test_is_past_deadline(elapsed, expired):
    deadline = payment_deadline(CREATED, HOUR)
    assert is_past_deadline(deadline, CREATED + elapsed) is expired


# --- order numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "now", "random", "number"),
    [
        ("T", datetime(2026, 11, 22, 6, 0, tzinfo=UTC), 48213, "T-261122-048213"),
        ("T", datetime(2026, 11, 22, 6, 0, tzinfo=UTC), 0, "T-261122-000000"),
        ("T", datetime(2026, 11, 22, 6, 0, tzinfo=UTC), 999999, "T-261122-999999"),
        ("T", datetime(2025, 1, 2, 23, 59, tzinfo=UTC), 7, "T-250102-000007"),
        ("G", datetime(2030, 12, 31, 0, 0, tzinfo=UTC), 123456, "G-301231-123456"),
    ],
)
def test_new_order_number_format(monkeypatch, prefix, now, random, number):
    asked = []

    def fake_randbelow(limit):
        asked.append(limit)
        return random

    monkeypatch.setattr(orders.secrets, "randbelow", fake_randbelow)
    assert new_order_number(prefix, now) == number
    assert asked == [10**6]


def test_new_order_numbers_are_random_and_well_formed():
    now = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    numbers = {new_order_number("T", now) for _ in range(200)}
    assert all(re.fullmatch(r"T-261122-\d{6}", n) for n in numbers)
    assert len(numbers) > 190  # 200 draws from a million rarely collide more than a little
