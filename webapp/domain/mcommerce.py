"""Mobile payment (m-commerce) from a Russian phone balance (SPEC §3.2): commission, the
checks in their order, limits over calendar periods, funds with the reserve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .money import percent_of
from .trust import add_months


@dataclass(frozen=True)
class OperatorTerms:
    operator: str
    percent: Decimal
    fixed: int  # minor units per payment
    reserve: int  # what must stay on the account
    activation: str  # none | spent_over | months_or_topup | personal_budget
    activation_spent: int = 0
    activation_months: int = 0
    per_payment_cap: int | None = None
    daily_sum: int | None = None
    daily_count: int | None = None
    weekly_sum: int | None = None
    weekly_count: int | None = None
    monthly_sum: int | None = None
    monthly_count: int | None = None


def commission(terms: OperatorTerms, amount: int) -> int:
    """The operator's commission on `amount`: percent (half-up) plus the fixed fee."""
    return percent_of(amount, terms.percent) + terms.fixed


@dataclass(frozen=True)
class Usage:
    """What was already paid from the number in the current day, week and month."""

    day_sum: int = 0
    day_count: int = 0
    week_sum: int = 0
    week_count: int = 0
    month_sum: int = 0
    month_count: int = 0


@dataclass(frozen=True)
class Payer:
    """What the checks read about the paying number."""

    operator: str
    mobile_payments_enabled: bool
    tariff_kind: str
    has_outstanding_trust: bool
    total_spent: int
    activated_on: date
    ever_topped_up: bool
    personal_budget: bool
    balance_without_trust: int  # the balance less any outstanding trust credit


def period_starts(today: date) -> tuple[date, date, date]:
    """The first day of today's calendar day, ISO week (Monday) and month."""
    return today, today - timedelta(days=today.weekday()), today.replace(day=1)


@dataclass(frozen=True)
class Remaining:
    """What is left of each limit after this payment (None where the operator has none)."""

    day_sum: int | None
    day_count: int | None
    week_sum: int | None
    week_count: int | None
    month_sum: int | None
    month_count: int | None


def _left(limit: int | None, used: int) -> int | None:
    return None if limit is None else limit - used


def remaining_after(terms: OperatorTerms, usage: Usage, total: int) -> Remaining:
    return Remaining(
        day_sum=_left(terms.daily_sum, usage.day_sum + total),
        day_count=_left(terms.daily_count, usage.day_count + 1),
        week_sum=_left(terms.weekly_sum, usage.week_sum + total),
        week_count=_left(terms.weekly_count, usage.week_count + 1),
        month_sum=_left(terms.monthly_sum, usage.month_sum + total),
        month_count=_left(terms.monthly_count, usage.month_count + 1))


def _activated(terms: OperatorTerms, payer: Payer, today: date) -> bool:
    if terms.activation == "spent_over":
        return payer.total_spent > terms.activation_spent
    if terms.activation == "months_or_topup":
        return payer.ever_topped_up or today >= add_months(payer.activated_on,
                                                           terms.activation_months)
    if terms.activation == "personal_budget":
        return payer.personal_budget
    return True


def refusal(terms: OperatorTerms, payer: Payer, usage: Usage, amount: int,
            today: date) -> str | None:
    """The first check of SPEC §3.2 that fails, in its order, or None:
    banned, corporate, trust_outstanding, not_activated, over_cap, daily_sum, daily_count,
    weekly_sum, weekly_count, monthly_sum, monthly_count, funds."""
    total = amount + commission(terms, amount)
    if not payer.mobile_payments_enabled:
        return "banned"
    if payer.tariff_kind == "corporate":
        return "corporate"
    if payer.has_outstanding_trust:
        return "trust_outstanding"
    if not _activated(terms, payer, today):
        return "not_activated"
    if terms.per_payment_cap is not None and amount > terms.per_payment_cap:
        return "over_cap"
    left = remaining_after(terms, usage, total)
    for name in ("day_sum", "day_count", "week_sum", "week_count", "month_sum", "month_count"):
        value = getattr(left, name)
        if value is not None and value < 0:
            return {"day_sum": "daily_sum", "day_count": "daily_count",
                    "week_sum": "weekly_sum", "week_count": "weekly_count",
                    "month_sum": "monthly_sum", "month_count": "monthly_count"}[name]
    if payer.balance_without_trust < total + terms.reserve:
        return "funds"
    return None
