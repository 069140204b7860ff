"""The subscriber builder's pure part: spending spread over 30-day months, and mobile payments
placed inside today's Moscow day, ISO week and month so that the limits read exactly the
figures asked for — whichever of the week and the month starts first, on a Monday, on the
1st, and for a number connected this week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.domain.builder import (
    MCOMMERCE_DEBIT,
    MONTH,
    SERVICE_CHARGE,
    Paid,
    PlanError,
    local_start,
    max_history_months,
    payments,
    spending,
    split,
)
from webapp.domain.mcommerce import period_starts

MSK = ZoneInfo("Europe/Moscow")
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=MSK)  # week from Mon 16th, month from the 1st
WEDNESDAY_2ND = datetime(2026, 12, 2, 15, 30, tzinfo=MSK)  # week from Mon 30 Nov: before it
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)
FIRST_TUESDAY = datetime(2026, 12, 1, 16, 0, tzinfo=MSK)
OPENED_LONG_AGO = local_start(date(2024, 1, 10), MSK)


@pytest.mark.parametrize(("total", "parts", "expected"), [
    (30000, 3, [10000, 10000, 10000]), (10001, 3, [3334, 3334, 3333]), (2, 3, [1, 1, 0]),
    (0, 2, [0, 0]), (5, 0, []),
])
def test_split_adds_up_exactly(total, parts, expected):
    assert split(total, parts) == expected
    assert sum(split(total, parts)) == (total if parts else 0)


def test_spending_is_monthly_amount_in_each_30_day_month():
    now = SUNDAY.astimezone(UTC)
    charges = spending(now, OPENED_LONG_AGO, 6, 15000)
    assert {c.kind for c in charges} == {SERVICE_CHARGE}
    assert sum(c.amount for c in charges) == -6 * 15000
    for month in range(6):
        window = [c for c in charges if now - (month + 1) * MONTH < c.at <= now - month * MONTH]
        assert sum(c.amount for c in window) == -15000
    # The trust payment reads "the last 3 months" as 90 days: exactly three months are in it.
    assert sum(c.amount for c in charges if c.at > now - 3 * MONTH) == -45000


def test_spending_never_before_the_activation():
    now = SUNDAY.astimezone(UTC)
    opened = now - timedelta(days=70)  # room for the charges of 2 months (25 + 30 days back)
    assert max_history_months(now, opened) == 2
    assert min(c.at for c in spending(now, opened, 2, 3000)) >= opened
    with pytest.raises(PlanError) as error:
        spending(now, opened, 3, 3000)
    problem = error.value.problems[0]
    assert (problem.field, problem.code, problem.values) == (
        "history_months", "history_too_long", {"num": 2})
    assert spending(now, now, 0, 0) == []


def usage(entries, now):
    """(count, total) in today's day, week and month, as services.mobile counts them."""
    day, week, month = period_starts(now.astimezone(MSK).date())
    found = {}
    for name, start in (("day", day), ("week", week), ("month", month)):
        inside = [e for e in entries if e.at.astimezone(MSK).date() >= start and e.at <= now]
        found[name] = Paid(len(inside), -sum(e.amount for e in inside))
    return found


@pytest.mark.parametrize("now", [SUNDAY, WEDNESDAY_2ND], ids=["month-first", "week-first"])
def test_payments_land_in_their_periods(now):
    day, week, month = Paid(2, 1000_00), Paid(7, 21000_00), Paid(9, 25000_00)
    if now is WEDNESDAY_2ND:  # the week began in November: it holds more than December
        week, month = Paid(9, 25000_00), Paid(7, 21000_00)
    entries = payments(now.astimezone(UTC), MSK, OPENED_LONG_AGO, day, week, month)
    assert {e.kind for e in entries} == {MCOMMERCE_DEBIT}
    assert all(e.amount < 0 for e in entries)
    assert usage(entries, now) == {"day": day, "week": week, "month": month}


def test_payments_of_today_only_on_the_first_of_the_month_that_is_not_a_monday():
    now = FIRST_TUESDAY.astimezone(UTC)
    # The month began today: its figures are today's; the week began yesterday.
    entries = payments(now, MSK, OPENED_LONG_AGO, Paid(5, 30000_00), Paid(6, 30100_00),
                       Paid(5, 30000_00))
    assert usage(entries, FIRST_TUESDAY) == {"day": Paid(5, 30000_00),
                                             "week": Paid(6, 30100_00),
                                             "month": Paid(5, 30000_00)}
    with pytest.raises(PlanError) as error:
        payments(now, MSK, OPENED_LONG_AGO, Paid(), Paid(1, 100), Paid(1, 100))
    assert [(p.field, p.code) for p in error.value.problems] == [
        ("paid_month_count", "begins_today")]


def test_on_a_monday_the_week_is_today():
    now = MONDAY.astimezone(UTC)
    with pytest.raises(PlanError) as error:
        payments(now, MSK, OPENED_LONG_AGO, Paid(1, 100), Paid(2, 200), Paid(2, 200))
    assert [(p.field, p.code) for p in error.value.problems] == [
        ("paid_week_count", "begins_today")]
    entries = payments(now, MSK, OPENED_LONG_AGO, Paid(1, 100), Paid(1, 100), Paid(3, 300))
    assert usage(entries, MONDAY)["month"] == Paid(3, 300)


def test_nothing_before_the_activation():
    opened = local_start(date(2026, 11, 20), MSK)  # a Friday of this week
    now = SUNDAY.astimezone(UTC)
    entries = payments(now, MSK, opened, Paid(), Paid(2, 200), Paid(2, 200))
    assert min(e.at for e in entries) >= opened
    with pytest.raises(PlanError) as error:  # the month holds nothing the week does not
        payments(now, MSK, opened, Paid(), Paid(2, 200), Paid(3, 300))
    problem = error.value.problems[0]
    assert (problem.field, problem.code, problem.values) == (
        "paid_month_count", "same_start", {"date": date(2026, 11, 20)})


@pytest.mark.parametrize(("day", "week", "month", "expected"), [
    (Paid(0, 500), Paid(), Paid(), [("paid_day_count", "sum_without_count")]),
    (Paid(3, 2), Paid(3, 2), Paid(3, 2), [("paid_day_sum", "sum_too_small"),
                                          ("paid_week_sum", "sum_too_small"),
                                          ("paid_month_sum", "sum_too_small")]),
    (Paid(3, 300), Paid(2, 200), Paid(3, 300), [("paid_week_count", "below_day"),
                                                ("paid_week_sum", "below_day_sum")]),
    (Paid(1, 100), Paid(1, 150), Paid(1, 150), [("paid_week_count", "more_than_day_no_count"),
                                                ("paid_month_count", "more_than_day_no_count")]),
    (Paid(1, 100), Paid(3, 101), Paid(3, 101), [("paid_week_sum", "more_than_day_too_small"),
                                                ("paid_month_sum",
                                                 "more_than_day_too_small")]),
    # Sunday: the week is inside the month, so the month holds at least the week.
    (Paid(), Paid(4, 400), Paid(3, 500), [("paid_month_count", "below_week")]),
    (Paid(), Paid(4, 400), Paid(4, 300), [("paid_month_sum", "below_week_sum")]),
    (Paid(), Paid(4, 400), Paid(4, 450), [("paid_month_count", "more_than_week_no_count")]),
])
def test_figures_that_cannot_be_met_name_their_field(day, week, month, expected):
    with pytest.raises(PlanError) as error:
        payments(SUNDAY.astimezone(UTC), MSK, OPENED_LONG_AGO, day, week, month)
    assert [(p.field, p.code) for p in error.value.problems] == expected


def test_when_the_week_began_last_month_it_holds_the_month():
    with pytest.raises(PlanError) as error:
        payments(WEDNESDAY_2ND.astimezone(UTC), MSK, OPENED_LONG_AGO, Paid(), Paid(2, 200),
                 Paid(3, 300))
    problem = error.value.problems[0]
    assert (problem.field, problem.code, problem.values) == (
        "paid_week_count", "below_month", {"num": 3})


def test_no_payments_no_entries():
    assert payments(SUNDAY.astimezone(UTC), MSK, OPENED_LONG_AGO, Paid(), Paid(), Paid()) == []
