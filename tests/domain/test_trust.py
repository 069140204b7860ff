"""Beeline trust payment rules (SPEC §4) at their boundaries, with the real rules file."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.domain import trust
from webapp.domain.trust import AUTO, ONE_OFF, NoFee, SubscriberFacts
from webapp.rules import load_rules

RULES = load_rules().trust
TODAY = date(2026, 11, 22)
KINDS = (ONE_OFF, AUTO)


def test_rules_have_the_spec_numbers():
    assert RULES.operator == "beeline"
    assert RULES.home_term == timedelta(days=3)
    assert RULES.away_term == timedelta(days=7)
    assert RULES.auto_below == 5000
    assert RULES.auto_first_day_fee == 50
    assert RULES.auto_daily_fee == 75
    assert RULES.auto_cooldown == timedelta(days=1)
    assert RULES.min_months == 2
    assert RULES.min_total_spent == 15000
    assert RULES.monthly_fee_min_months == 3
    assert RULES.monthly_fee_min_monthly_spend == 20000
    assert set(RULES.no_auto_tariffs) == {"Welcome", "Добро пожаловать"}
    assert (RULES.ussd_request, RULES.ussd_auto_amount, RULES.ussd_auto_connect,
            RULES.ussd_auto_disconnect) == ("*141#", "*141*9#", "*141*11#", "*141*10#")


# --- amount ------------------------------------------------------------------------------------

# 3-month spending in kopecks → (home, away) amount in kopecks.
AMOUNTS = [
    (0, 3000, 3000),
    (9999, 3000, 3000),  # 99.99 ₽ < 100
    (10000, 10000, 10000),  # 100 ≤ S
    (44999, 10000, 10000),  # 449.99 < 450
    (45000, 30000, 75000),  # 450 ≤ S
    (149999, 30000, 75000),  # 1 499.99 < 1 500
    (150000, 45000, 100000),  # 1 500 ≤ S
    (300000, 45000, 100000),  # S ≤ 3 000
    (300001, 75000, 150000),  # S > 3 000
    (10_000_000, 75000, 150000),
]


@pytest.mark.parametrize("spent, home, away", AMOUNTS)
@pytest.mark.parametrize("tariff_kind", ["prepaid", "corporate"])
def test_amount_by_three_month_spending_at_home(spent, home, away, tariff_kind):
    assert trust.amount_for(RULES, spent, "home", tariff_kind, None) == home


@pytest.mark.parametrize("spent, home, away", AMOUNTS)
@pytest.mark.parametrize("location", ["roaming", "crimea"])
def test_amount_by_three_month_spending_away(spent, home, away, location):
    assert trust.amount_for(RULES, spent, location, "prepaid", None) == away


@pytest.mark.parametrize("location", ["home", "roaming", "crimea"])
@pytest.mark.parametrize("spent", [0, 45000, 300001])
@pytest.mark.parametrize("fee", [35000, 59999, 120001])
def test_monthly_fee_tariff_gets_its_monthly_fee(location, spent, fee):
    assert trust.amount_for(RULES, spent, location, "monthly_fee", fee) == fee


def test_a_monthly_fee_on_a_prepaid_tariff_is_ignored():
    assert trust.amount_for(RULES, 45000, "home", "prepaid", 99900) == 30000


# --- term -------------------------------------------------------------------------------------

@pytest.mark.parametrize("location, days", [("home", 3), ("roaming", 7), ("crimea", 7)])
def test_term_and_due_date(location, days):
    assert trust.term_for(RULES, location) == timedelta(days=days)
    granted = datetime(2026, 11, 22, 6, 0, 1, tzinfo=UTC)
    assert trust.due_at(granted, RULES, location) == datetime(2026, 11, 22 + days, 6, 0, 1,
                                                               tzinfo=UTC)


@pytest.mark.parametrize("location, away", [("home", False), ("roaming", True),
                                            ("crimea", True), ("", False)])
def test_is_away(location, away):
    assert trust.is_away(location) is away


# --- one-off fee ------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, fee", [
    (1, 1500), (3000, 1500), (20000, 1500),
    (20001, 2500), (40000, 2500),
    (40001, 4000), (60000, 4000),
    (60001, 7000), (120000, 7000),
    (120001, 13000), (179000, 13000),
    (179001, 18000), (300000, 18000),
])
def test_one_off_fee_by_amount(amount, fee):
    assert trust.one_off_fee(RULES, amount) == fee


@pytest.mark.parametrize("amount", [300001, 10_000_000])
def test_no_fee_above_the_table(amount):
    with pytest.raises(NoFee) as info:
        trust.one_off_fee(RULES, amount)
    assert isinstance(info.value, ValueError)
    assert info.value.args == (amount,)


@pytest.mark.parametrize("home, away", [(h, a) for _, h, a in AMOUNTS])
def test_every_table_amount_has_a_fee(home, away):
    assert trust.one_off_fee(RULES, home) > 0
    assert trust.one_off_fee(RULES, away) > 0


# --- auto trust payment fee ---------------------------------------------------------------------

CONNECTED = date(2026, 11, 22)


@pytest.mark.parametrize("day, fee", [
    (CONNECTED, 50),
    (CONNECTED + timedelta(days=1), 75),
    (CONNECTED + timedelta(days=2), 75),
    (date(2027, 11, 22), 75),
])
def test_auto_fee_per_day(day, fee):
    assert trust.auto_fee_for_day(RULES, CONNECTED, day) == fee


def test_a_week_of_auto_fees():
    week = [trust.auto_fee_for_day(RULES, CONNECTED, CONNECTED + timedelta(days=n))
            for n in range(7)]
    assert week == [50, 75, 75, 75, 75, 75, 75]
    assert sum(week) == 500


@pytest.mark.parametrize("day", [CONNECTED - timedelta(days=1), date(2025, 11, 22)])
def test_no_auto_fee_before_connecting(day):
    with pytest.raises(ValueError):
        trust.auto_fee_for_day(RULES, CONNECTED, day)


# --- add_months -------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
    (date(2100, 1, 31), 1, date(2100, 2, 28)),  # not a leap year
    (date(2000, 1, 31), 1, date(2000, 2, 29)),  # a leap year
    (date(2026, 1, 30), 1, date(2026, 2, 28)),
    (date(2026, 1, 28), 1, date(2026, 2, 28)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 3, date(2026, 11, 30)),
    (date(2026, 9, 22), 2, date(2026, 11, 22)),
    (date(2026, 11, 15), 1, date(2026, 12, 15)),  # December, no wrap
    (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year wrap
    (date(2026, 11, 30), 3, date(2027, 2, 28)),  # wrap and month end
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2026, 12, 31), 12, date(2027, 12, 31)),
    (date(2026, 12, 31), 14, date(2028, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2026, 5, 17), 0, date(2026, 5, 17)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
])
def test_add_months(day, months, expected):
    assert trust.add_months(day, months) == expected


# --- eligibility ------------------------------------------------------------------------------

BASE = SubscriberFacts(
    operator="beeline", tariff_kind="prepaid", tariff_name="Beeline Prepaid",
    activated_on=date(2025, 1, 10), total_spent=100000, spent_last_3_months=60000,
    suspended=False, has_outstanding_credit=False)
MONTHLY = replace(BASE, tariff_kind="monthly_fee", tariff_name="VSYO 1")


@pytest.mark.parametrize("kind", KINDS)
def test_a_regular_subscriber_is_eligible(kind):
    assert trust.refusal(RULES, BASE, TODAY, kind) is None
    assert trust.refusal(RULES, MONTHLY, TODAY, kind) is None


# (facts, today, {kind: expected refusal}); None means allowed.
REFUSALS = {
    "other operator": (replace(BASE, operator="mts"), TODAY,
                       {ONE_OFF: "not_operator", AUTO: "not_operator"}),
    "megafon": (replace(BASE, operator="megafon"), TODAY,
                {ONE_OFF: "not_operator", AUTO: "not_operator"}),
    "postpaid": (replace(BASE, tariff_kind="postpaid"), TODAY,
                 {ONE_OFF: "postpaid", AUTO: "postpaid"}),
    "Welcome": (replace(BASE, tariff_name="Welcome"), TODAY,
                {ONE_OFF: None, AUTO: "welcome_no_auto"}),
    "Добро пожаловать": (replace(BASE, tariff_name="Добро пожаловать"), TODAY,
                         {ONE_OFF: None, AUTO: "welcome_no_auto"}),
    "a name like Welcome": (replace(BASE, tariff_name="Welcome Plus"), TODAY,
                            {ONE_OFF: None, AUTO: None}),
    "suspended": (replace(BASE, suspended=True), TODAY,
                  {ONE_OFF: "suspended", AUTO: "suspended"}),
    "outstanding": (replace(BASE, has_outstanding_credit=True), TODAY,
                    {ONE_OFF: "outstanding", AUTO: None}),
    "activated exactly 2 months ago": (replace(BASE, activated_on=date(2026, 9, 22)), TODAY,
                                       {ONE_OFF: None, AUTO: None}),
    "a day less than 2 months": (replace(BASE, activated_on=date(2026, 9, 23)), TODAY,
                                 {ONE_OFF: "first_months", AUTO: "first_months"}),
    "activated today": (replace(BASE, activated_on=TODAY), TODAY,
                        {ONE_OFF: "first_months", AUTO: "first_months"}),
    "2 months from 31 Dec is 28 Feb": (replace(BASE, activated_on=date(2025, 12, 31)),
                                       date(2026, 2, 28), {ONE_OFF: None, AUTO: None}),
    "27 Feb is too early": (replace(BASE, activated_on=date(2025, 12, 31)),
                            date(2026, 2, 27),
                            {ONE_OFF: "first_months", AUTO: "first_months"}),
    "spent 149.99": (replace(BASE, total_spent=14999), TODAY,
                     {ONE_OFF: "spent_too_little", AUTO: "spent_too_little"}),
    "spent 150.00": (replace(BASE, total_spent=15000, spent_last_3_months=0), TODAY,
                     {ONE_OFF: None, AUTO: None}),
    "spent nothing": (replace(BASE, total_spent=0, spent_last_3_months=0), TODAY,
                      {ONE_OFF: "spent_too_little", AUTO: "spent_too_little"}),
    "monthly fee, exactly 3 months": (replace(MONTHLY, activated_on=date(2026, 8, 22)), TODAY,
                                      {ONE_OFF: "monthly_fee_new", AUTO: "monthly_fee_new"}),
    "monthly fee, 3 months and a day": (replace(MONTHLY, activated_on=date(2026, 8, 21)),
                                        TODAY, {ONE_OFF: None, AUTO: None}),
    "monthly fee, 31 Aug + 3 months = 30 Nov": (
        replace(MONTHLY, activated_on=date(2026, 8, 31)), date(2026, 11, 30),
        {ONE_OFF: "monthly_fee_new", AUTO: "monthly_fee_new"}),
    "monthly fee, 1 Dec after 31 Aug": (replace(MONTHLY, activated_on=date(2026, 8, 31)),
                                        date(2026, 12, 1), {ONE_OFF: None, AUTO: None}),
    "monthly fee, 599.99 in 3 months": (replace(MONTHLY, spent_last_3_months=59999), TODAY,
                                        {ONE_OFF: "monthly_fee_low_spend",
                                         AUTO: "monthly_fee_low_spend"}),
    "monthly fee, 600.00 in 3 months": (replace(MONTHLY, spent_last_3_months=60000,
                                                total_spent=60000), TODAY,
                                        {ONE_OFF: None, AUTO: None}),
    "corporate My company": (replace(BASE, tariff_kind="corporate", tariff_name="My company"),
                             TODAY, {ONE_OFF: None, AUTO: None}),
    "corporate Мой бизнес": (replace(BASE, tariff_kind="corporate", tariff_name="Мой бизнес"),
                             TODAY, {ONE_OFF: None, AUTO: None}),
    "corporate, a day less than 2 months": (
        replace(BASE, tariff_kind="corporate", tariff_name="My company",
                activated_on=date(2026, 9, 23)), TODAY,
        {ONE_OFF: "first_months", AUTO: "first_months"}),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_refusal(case, kind):
    facts, today, expected = REFUSALS[case]
    assert trust.refusal(RULES, facts, today, kind) == expected[kind]


# The first reason in the documented order wins.
ORDER = [
    (replace(BASE, operator="mts", tariff_kind="postpaid", suspended=True), AUTO,
     "not_operator"),
    (replace(BASE, tariff_kind="postpaid", suspended=True, has_outstanding_credit=True),
     ONE_OFF, "postpaid"),
    (replace(BASE, tariff_name="Welcome", suspended=True), AUTO, "welcome_no_auto"),
    (replace(BASE, tariff_name="Welcome", suspended=True), ONE_OFF, "suspended"),
    (replace(BASE, suspended=True, has_outstanding_credit=True), ONE_OFF, "suspended"),
    (replace(BASE, has_outstanding_credit=True, activated_on=TODAY), ONE_OFF, "outstanding"),
    (replace(BASE, has_outstanding_credit=True, activated_on=TODAY), AUTO, "first_months"),
    (replace(BASE, activated_on=TODAY, total_spent=0), ONE_OFF, "first_months"),
    (replace(MONTHLY, activated_on=TODAY, spent_last_3_months=0), AUTO, "monthly_fee_new"),
]


@pytest.mark.parametrize("facts, kind, reason", ORDER)
def test_refusal_order(facts, kind, reason):
    assert trust.refusal(RULES, facts, TODAY, kind) == reason
