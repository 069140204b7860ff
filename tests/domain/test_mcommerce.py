"""Mobile payment from a Russian phone balance (SPEC §3.2), pure, with the real rules file:
commission, the checks in their order, activation, the cap, limits at their boundaries
(commission included), the funds reserve, calendar periods and what is left of the limits."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from webapp.domain.mcommerce import (
    OperatorTerms,
    Payer,
    Remaining,
    Usage,
    commission,
    period_starts,
    refusal,
    remaining_after,
)
from webapp.rules import load_rules

TERMS = load_rules().mcommerce
MTS, BEELINE, MEGAFON, TELE2 = (TERMS[op] for op in ("mts", "beeline", "megafon", "tele2"))
TODAY = date(2026, 11, 22)  # a Sunday
RICH = 100_000_000  # 1 000 000 ₽: funds never in the way unless a test says so
NOTHING = Usage()


def payer(operator: str, **changes) -> Payer:
    """A payer that passes every check of `operator`, with `changes` applied."""
    base = Payer(operator=operator, mobile_payments_enabled=True, tariff_kind="prepaid",
                 has_outstanding_trust=False, total_spent=1_000_000,
                 activated_on=date(2024, 1, 10), ever_topped_up=True, personal_budget=True,
                 balance_without_trust=RICH)
    return replace(base, **changes)


def check(terms: OperatorTerms, amount: int, usage: Usage = NOTHING, **changes) -> str | None:
    return refusal(terms, payer(terms.operator, **changes), usage, amount, TODAY)


# --- the rules file ----------------------------------------------------------------------------

def test_rules_file_has_the_spec_numbers():
    assert set(TERMS) == {"mts", "beeline", "megafon", "tele2"}
    assert [(t.percent, t.fixed, t.reserve, t.activation)
            for t in (MTS, BEELINE, MEGAFON, TELE2)] == [
        (Decimal("0"), 0, 1000, "none"),
        (Decimal("3.9"), 0, 5000, "spent_over"),
        (Decimal("1.95"), 0, 1000, "personal_budget"),
        (Decimal("2.45"), 0, 1000, "months_or_topup"),
    ]
    assert (BEELINE.activation_spent, TELE2.activation_months) == (15000, 2)
    assert [t.per_payment_cap for t in (MTS, BEELINE, MEGAFON, TELE2)] == [
        None, None, None, 100000]
    limits = [(t.daily_sum, t.daily_count, t.weekly_sum, t.weekly_count, t.monthly_sum,
               t.monthly_count) for t in (MTS, BEELINE, MEGAFON, TELE2)]
    assert limits == [
        (3_000_000, 5, None, None, 4_000_000, None),
        (1_500_000, 10, 4_000_000, 20, 4_000_000, 50),
        (None, None, None, None, 4_000_000, None),
        (None, None, None, None, None, None),
    ]


# --- commission --------------------------------------------------------------------------------

@pytest.mark.parametrize("terms, amount, fee", [
    # Beeline 3.9 %
    (BEELINE, 20000, 780),      # the article's 200 ₽ case: 7.80 ₽
    (BEELINE, 1500, 59),        # 58.5 → 59 (half-up; half-even would give 58)
    (BEELINE, 500, 20),         # 19.5 → 20
    (BEELINE, 1234, 48),        # 48.126 → 48
    (BEELINE, 9625, 375),       # 375.375 → 375
    (BEELINE, 149999, 5850),    # 5 849.961 → 5 850
    (BEELINE, 1, 0),            # 0.039 → 0
    (BEELINE, 13, 1),           # 0.507 → 1
    # MegaFon 1.95 %
    (MEGAFON, 20000, 390),
    (MEGAFON, 3000, 59),        # 58.5 → 59
    (MEGAFON, 1000, 20),        # 19.5 → 20
    (MEGAFON, 2564, 50),        # 49.998 → 50
    (MEGAFON, 2561, 50),        # 49.9395 → 50
    (MEGAFON, 2558, 50),        # 49.881 → 50
    (MEGAFON, 2538, 49),        # 49.491 → 49
    # Tele2 2.45 %
    (TELE2, 20000, 490),
    (TELE2, 1000, 25),          # 24.5 → 25 (half-even: 24)
    (TELE2, 5000, 123),         # 122.5 → 123 (half-even: 122)
    (TELE2, 3000, 74),          # 73.5 → 74 (73.50000000000001 in binary floating point)
    (TELE2, 100000, 2450),      # the 1 000 ₽ cap: 24.50 ₽
    (TELE2, 1020, 25),          # 24.99 → 25
    (TELE2, 1010, 25),          # 24.745 → 25
    (TELE2, 999, 24),           # 24.4755 → 24
    # MTS 0 %
    (MTS, 20000, 0),
    (MTS, 1, 0),
    (MTS, 10_000_000, 0),
])
def test_commission_is_a_percentage_rounded_half_up_to_a_kopeck(terms, amount, fee):
    assert commission(terms, amount) == fee
    assert isinstance(commission(terms, amount), int)


def test_commission_adds_the_fixed_fee_the_data_file_allows():
    # The article's other reading of MTS: 0.95 % + 10 ₽ per payment.
    other = replace(MTS, percent=Decimal("0.95"), fixed=1000)
    assert commission(other, 20000) == 190 + 1000
    assert commission(other, 5000) == 48 + 1000  # 47.5 → 48


# --- the worked examples -------------------------------------------------------------------------

@pytest.mark.parametrize("terms, balance, reason", [
    (MTS, 20999, "funds"),        # 200 ₽ via MTS: refused on 209.99 ₽
    (MTS, 21000, None),           # accepted on 210 ₽
    (BEELINE, 25779, "funds"),    # via Beeline: 207.80 ₽ + 50 ₽ reserve = 257.80 ₽
    (BEELINE, 25780, None),
    (MEGAFON, 21389, "funds"),    # 200 + 3.90 + 10 reserve
    (MEGAFON, 21390, None),
    (TELE2, 21489, "funds"),      # 200 + 4.90 + 10 reserve
    (TELE2, 21490, None),
])
def test_worked_examples_of_the_phone_case(terms, balance, reason):
    assert check(terms, 20000, balance_without_trust=balance) == reason


def test_beeline_phone_case_costs_207_80():
    assert 20000 + commission(BEELINE, 20000) == 20780


def test_funds_are_counted_without_the_trust_credit():
    # Whatever the balance shows, only balance_without_trust pays (trust credit cannot).
    assert check(MTS, 20000, balance_without_trust=20999) == "funds"
    assert check(MTS, 20000, balance_without_trust=-1) == "funds"


# --- the order of the checks -------------------------------------------------------------------

ALL_FAIL = {"mobile_payments_enabled": False, "tariff_kind": "corporate",
            "has_outstanding_trust": True, "total_spent": 0, "ever_topped_up": False,
            "activated_on": TODAY, "personal_budget": False, "balance_without_trust": 0}
FIXES = [  # (the change that makes one check pass, the reason expected before it)
    ({"mobile_payments_enabled": True}, "banned"),
    ({"tariff_kind": "prepaid"}, "corporate"),
    ({"has_outstanding_trust": False}, "trust_outstanding"),
    ({"total_spent": 1_000_000, "ever_topped_up": True, "personal_budget": True},
     "not_activated"),
]


def test_order_of_the_checks_with_limits():
    # Beeline: every check fails at first; each fix uncovers the next one.
    over = Usage(day_sum=1_500_000, day_count=10, week_sum=4_000_000, week_count=20,
                 month_sum=4_000_000, month_count=50)
    fixes = [({"usage": replace(over, day_sum=0)}, "daily_sum"),
             ({"usage": replace(over, day_sum=0, day_count=0)}, "daily_count"),
             ({"usage": replace(over, day_sum=0, day_count=0, week_sum=0)}, "weekly_sum"),
             ({"usage": Usage(month_sum=4_000_000, month_count=50)}, "weekly_count"),
             ({"usage": Usage(month_count=50)}, "monthly_sum"),
             ({"usage": Usage()}, "monthly_count"),
             ({"balance_without_trust": RICH}, "funds")]
    # `usage` and `balance_without_trust` are not Payer fields: apply them by hand.
    changes, usage = dict(ALL_FAIL), over
    seen = []
    for fix, _ in FIXES + fixes:
        seen.append(check(BEELINE, 20000, usage, **changes))
        if "usage" in fix:
            usage = fix["usage"]
        else:
            changes.update(fix)
    seen.append(check(BEELINE, 20000, usage, **changes))
    assert seen == [reason for _, reason in FIXES + fixes] + [None]


def test_order_of_the_checks_with_the_cap():
    # Tele2: banned, corporate, trust, activation, then the cap, then funds.
    changes, amount = dict(ALL_FAIL), 100001
    seen = []
    for fix, _ in FIXES + [({"amount": 100000}, "over_cap"),
                           ({"balance_without_trust": RICH}, "funds")]:
        seen.append(check(TELE2, amount, **changes))
        if "amount" in fix:
            amount = fix["amount"]
        else:
            changes.update(fix)
    seen.append(check(TELE2, amount, **changes))
    assert seen == ["banned", "corporate", "trust_outstanding", "not_activated", "over_cap",
                    "funds", None]


@pytest.mark.parametrize("terms", [MTS, BEELINE, MEGAFON, TELE2], ids=lambda t: t.operator)
@pytest.mark.parametrize("changes, reason", [
    ({"mobile_payments_enabled": False, "tariff_kind": "corporate"}, "banned"),
    ({"mobile_payments_enabled": False, "has_outstanding_trust": True}, "banned"),
    ({"mobile_payments_enabled": False, "balance_without_trust": 0}, "banned"),
    ({"tariff_kind": "corporate", "has_outstanding_trust": True}, "corporate"),
    ({"tariff_kind": "corporate", "balance_without_trust": 0}, "corporate"),
    ({"has_outstanding_trust": True, "balance_without_trust": 0}, "trust_outstanding"),
    ({"tariff_kind": "monthly_fee"}, None),
    ({"tariff_kind": "postpaid"}, None),
])
def test_first_failing_check_wins_for_every_operator(terms, changes, reason):
    assert check(terms, 20000, **changes) == reason


def test_limits_come_before_funds_and_cap_before_limits():
    broke = {"balance_without_trust": 0}
    assert check(MTS, 20000, Usage(day_count=5), **broke) == "daily_count"
    assert check(MEGAFON, 20000, Usage(month_sum=4_000_000), **broke) == "monthly_sum"
    assert check(TELE2, 100001, **broke) == "over_cap"


def test_activation_comes_before_the_cap():
    assert check(TELE2, 100001, ever_topped_up=False, activated_on=TODAY) == "not_activated"


# --- activation --------------------------------------------------------------------------------

@pytest.mark.parametrize("spent, reason", [
    (0, "not_activated"),
    (14999, "not_activated"),
    (15000, "not_activated"),   # exactly 150 ₽ is not "more than 150 ₽"
    (15001, None),
    (1_000_000, None),
])
def test_beeline_needs_more_than_150_rubles_spent_on_services(spent, reason):
    assert check(BEELINE, 20000, total_spent=spent) == reason
    # Nothing else counts for Beeline: not the age of the number, a top-up or a budget.
    assert check(BEELINE, 20000, total_spent=spent, activated_on=date(2000, 1, 1),
                 ever_topped_up=True, personal_budget=True) == reason


@pytest.mark.parametrize("activated_on, topped_up, reason", [
    (date(2026, 9, 22), False, None),            # exactly 2 calendar months ago
    (date(2026, 9, 23), False, "not_activated"),  # one day short
    (date(2026, 11, 22), False, "not_activated"),
    (date(2026, 11, 22), True, None),            # any top-up activates at once
    (date(2026, 9, 23), True, None),
    (date(2020, 1, 1), False, None),
])
def test_tele2_after_two_calendar_months_or_any_topup(activated_on, topped_up, reason):
    assert check(TELE2, 20000, activated_on=activated_on, ever_topped_up=topped_up,
                 total_spent=0, personal_budget=False) == reason


@pytest.mark.parametrize("activated_on, today, reason", [
    (date(2026, 12, 31), date(2027, 2, 28), None),  # 31 Dec + 2 months → 28 Feb
    (date(2026, 12, 31), date(2027, 2, 27), "not_activated"),
    (date(2027, 1, 31), date(2027, 3, 31), None),
    (date(2027, 1, 31), date(2027, 3, 30), "not_activated"),
])
def test_tele2_months_are_calendar_months(activated_on, today, reason):
    found = refusal(TELE2, payer("tele2", activated_on=activated_on, ever_topped_up=False),
                    Usage(), 20000, today)
    assert found == reason


@pytest.mark.parametrize("budget, reason", [(False, "not_activated"), (True, None)])
def test_megafon_only_with_a_personal_budget(budget, reason):
    assert check(MEGAFON, 20000, personal_budget=budget, total_spent=1_000_000,
                 ever_topped_up=True) == reason
    assert check(MEGAFON, 20000, personal_budget=budget, total_spent=0,
                 ever_topped_up=False, activated_on=TODAY) == reason


def test_mts_needs_no_activation():
    assert check(MTS, 20000, total_spent=0, ever_topped_up=False, personal_budget=False,
                 activated_on=TODAY) is None


# --- the per-payment cap -----------------------------------------------------------------------

@pytest.mark.parametrize("amount, reason", [
    (99999, None),
    (100000, None),         # 1 000.00 ₽ allowed (commission not counted against the cap)
    (100001, "over_cap"),   # 1 000.01 ₽ refused
    (10_000_000, "over_cap"),
])
def test_tele2_cap_of_1000_rubles(amount, reason):
    assert check(TELE2, amount) == reason


@pytest.mark.parametrize("terms", [MTS, BEELINE, MEGAFON], ids=lambda t: t.operator)
def test_no_cap_elsewhere(terms):
    assert check(terms, 100001) is None


# --- limits at their boundaries, commission included ---------------------------------------------

def _at_boundary(terms: OperatorTerms, amount: int, field: str, limit: int) -> list:
    total = amount + commission(terms, amount)
    exact = Usage(**{field: limit - total})
    over = Usage(**{field: limit - total + 1})
    return [check(terms, amount, exact), check(terms, amount, over)]


@pytest.mark.parametrize("terms, amount, field, limit, reason", [
    (MTS, 20000, "day_sum", 3_000_000, "daily_sum"),
    (MTS, 20000, "month_sum", 4_000_000, "monthly_sum"),
    (BEELINE, 10000, "day_sum", 1_500_000, "daily_sum"),      # 100 ₽ + 3.90 ₽
    (BEELINE, 20000, "week_sum", 4_000_000, "weekly_sum"),    # 200 ₽ + 7.80 ₽
    (BEELINE, 1500, "month_sum", 4_000_000, "monthly_sum"),   # 15 ₽ + 0.59 ₽
    (MEGAFON, 3000, "month_sum", 4_000_000, "monthly_sum"),   # 30 ₽ + 0.59 ₽
    (MEGAFON, 20000, "month_sum", 4_000_000, "monthly_sum"),  # 200 ₽ + 3.90 ₽
])
def test_sum_limits_count_the_commission(terms, amount, field, limit, reason):
    assert _at_boundary(terms, amount, field, limit) == [None, reason]


def test_sum_limit_counts_the_commission_not_only_the_amount():
    # 14 896.10 ₽ already today: 100 ₽ alone would fit under 15 000 ₽, 103.90 ₽ does not.
    assert check(BEELINE, 10000, Usage(day_sum=1_489_611)) == "daily_sum"
    assert check(BEELINE, 10000, Usage(day_sum=1_489_610)) is None


@pytest.mark.parametrize("terms, field, limit, reason", [
    (MTS, "day_count", 5, "daily_count"),
    (BEELINE, "day_count", 10, "daily_count"),
    (BEELINE, "week_count", 20, "weekly_count"),
    (BEELINE, "month_count", 50, "monthly_count"),
])
def test_count_limits(terms, field, limit, reason):
    # limit - 1 payments made: this one is the last allowed; limit made: refused.
    assert check(terms, 20000, Usage(**{field: limit - 1})) is None
    assert check(terms, 20000, Usage(**{field: limit})) == reason


def test_a_single_payment_over_a_sum_limit_is_refused_on_a_fresh_day():
    assert check(MTS, 3_000_000, Usage()) is None            # exactly 30 000 ₽
    assert check(MTS, 3_000_001, Usage()) == "daily_sum"
    # 14 436.96 + 563.04 = 15 000.00 ₽; a kopeck more is 15 000.01 ₽.
    assert check(BEELINE, 1_443_696, Usage()) is None
    assert check(BEELINE, 1_443_697, Usage()) == "daily_sum"
    # 39 234.92 + 765.08 = 40 000.00 ₽; a kopeck more is 40 000.01 ₽.
    assert check(MEGAFON, 3_923_492, Usage()) is None
    assert check(MEGAFON, 3_923_493, Usage()) == "monthly_sum"


@pytest.mark.parametrize("terms, usage", [
    (MEGAFON, Usage(day_sum=10_000_000, day_count=1000, week_sum=10_000_000,
                    week_count=1000)),
    (TELE2, Usage(day_sum=10_000_000, day_count=1000, week_sum=10_000_000, week_count=1000,
                  month_sum=10_000_000, month_count=1000)),
    (MTS, Usage(week_sum=10_000_000, week_count=1000, month_count=1000)),
], ids=["megafon", "tele2", "mts"])
def test_a_missing_limit_means_none(terms, usage):
    assert check(terms, 20000, usage) is None


# --- calendar periods --------------------------------------------------------------------------

@pytest.mark.parametrize("today, week, month", [
    (date(2026, 11, 22), date(2026, 11, 16), date(2026, 11, 1)),   # Sunday: week began Monday
    (date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 1)),   # Monday starts a week
    (date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 1)),
    (date(2026, 12, 1), date(2026, 11, 30), date(2026, 12, 1)),    # week began last month
    (date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 1)),      # across the year
    (date(2024, 2, 29), date(2024, 2, 26), date(2024, 2, 1)),
    (date(2026, 11, 1), date(2026, 10, 26), date(2026, 11, 1)),
])
def test_period_starts(today, week, month):
    assert period_starts(today) == (today, week, month)
    assert period_starts(today)[1].isoweekday() == 1


# --- what is left of the limits ----------------------------------------------------------------

@pytest.mark.parametrize("terms, usage, total, left", [
    (MTS, Usage(), 20000,
     Remaining(2_980_000, 4, None, None, 3_980_000, None)),
    (MTS, Usage(day_sum=100000, day_count=2, week_sum=999, week_count=9, month_sum=500000,
                month_count=7), 20000,
     Remaining(2_880_000, 2, None, None, 3_480_000, None)),
    (BEELINE, Usage(), 20780,
     Remaining(1_479_220, 9, 3_979_220, 19, 3_979_220, 49)),
    (BEELINE, Usage(day_sum=1_479_220, day_count=9, week_sum=100, week_count=1,
                    month_sum=200, month_count=2), 20780,
     Remaining(0, 0, 3_979_120, 18, 3_979_020, 47)),
    (BEELINE, Usage(day_sum=1_479_221, day_count=10), 20780,
     Remaining(-1, -1, 3_979_220, 19, 3_979_220, 49)),
    (MEGAFON, Usage(month_sum=1_000_000, month_count=3), 20390,
     Remaining(None, None, None, None, 2_979_610, None)),
    (TELE2, Usage(month_sum=1_000_000), 20490,
     Remaining(None, None, None, None, None, None)),
])
def test_remaining_after(terms, usage, total, left):
    assert remaining_after(terms, usage, total) == left
