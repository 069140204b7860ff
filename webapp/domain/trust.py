"""Beeline trust payment and auto trust payment (SPEC §4): amounts, terms, fees, eligibility.

Pure functions over plain values; the numbers come from rules/trust.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

HOME = "home"
AWAY = frozenset({"roaming", "crimea"})  # international roaming, Crimea and Sevastopol


@dataclass(frozen=True)
class AmountBand:
    spend_from: int  # minor units, inclusive
    home: int
    away: int


@dataclass(frozen=True)
class FeeStep:
    up_to: int  # minor units, inclusive
    fee: int


@dataclass(frozen=True)
class TrustRules:
    operator: str
    bands: tuple[AmountBand, ...]  # ascending by spend_from, the first from 0
    home_term: timedelta
    away_term: timedelta
    fees: tuple[FeeStep, ...]  # ascending by up_to
    auto_below: int
    auto_first_day_fee: int
    auto_daily_fee: int
    auto_cooldown: timedelta
    min_months: int
    min_total_spent: int
    monthly_fee_min_months: int
    monthly_fee_min_monthly_spend: int
    no_auto_tariffs: tuple[str, ...]
    ussd_request: str
    ussd_auto_amount: str
    ussd_auto_connect: str
    ussd_auto_disconnect: str


def is_away(location: str) -> bool:
    return location in AWAY


def amount_for(rules: TrustRules, spend_3m: int, location: str, tariff_kind: str,
               monthly_fee: int | None) -> int:
    """The trust amount: the monthly fee on monthly-fee tariffs, else the table's amount for
    3-month spending `spend_3m` (minor units) at home or away."""
    if tariff_kind == "monthly_fee" and monthly_fee:
        return monthly_fee
    band = rules.bands[0]
    for candidate in rules.bands:
        if spend_3m >= candidate.spend_from:
            band = candidate
    return band.away if is_away(location) else band.home


def term_for(rules: TrustRules, location: str) -> timedelta:
    """3 days at home; 7 in international roaming and in Crimea / Sevastopol."""
    return rules.away_term if is_away(location) else rules.home_term


class NoFee(ValueError):
    """An amount above the fee table: no trust payment of that size exists."""


def one_off_fee(rules: TrustRules, amount: int) -> int:
    """The fee of a one-off trust payment of `amount` (≤ 200 → 15 ₽, …, ≤ 3 000 → 180 ₽)."""
    for step in rules.fees:
        if amount <= step.up_to:
            return step.fee
    raise NoFee(amount)


def auto_fee_for_day(rules: TrustRules, connected_on: date, day: date) -> int:
    """Auto trust subscription fee for one calendar day: 0.50 ₽ the day it was connected,
    0.75 ₽ each day after."""
    if day < connected_on:
        raise ValueError("no fee before the option was connected")
    return rules.auto_first_day_fee if day == connected_on else rules.auto_daily_fee


@dataclass(frozen=True)
class SubscriberFacts:
    """What eligibility depends on, read from the subscriber and its ledger."""

    operator: str
    tariff_kind: str  # prepaid | monthly_fee | postpaid | corporate
    tariff_name: str
    activated_on: date
    total_spent: int  # minor units, on services, ever
    spent_last_3_months: int
    suspended: bool
    has_outstanding_credit: bool


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (31 Jan + 1 month → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


ONE_OFF = "one_off"
AUTO = "auto"

# A trust credit is outstanding until settlement debits it, with its fee, on its due date.
OUTSTANDING = "outstanding"
REPAID = "repaid"


def refusal(rules: TrustRules, facts: SubscriberFacts, today: date, kind: str) -> str | None:
    """Why this subscriber cannot get a trust payment of `kind` (one_off or auto), or None.

    Reasons, checked in this order: not_operator, postpaid, welcome_no_auto, suspended,
    outstanding, first_months, spent_too_little, monthly_fee_new, monthly_fee_low_spend.
    """
    if facts.operator != rules.operator:
        return "not_operator"
    if facts.tariff_kind == "postpaid":
        return "postpaid"
    if kind == AUTO and facts.tariff_name in rules.no_auto_tariffs:
        return "welcome_no_auto"
    if facts.suspended:
        return "suspended"
    if facts.has_outstanding_credit and kind == ONE_OFF:
        return "outstanding"
    if facts.tariff_kind == "monthly_fee":
        # "More than 3 months as a customer" and "at least 200 ₽ a month" (over the last 3).
        if today <= add_months(facts.activated_on, rules.monthly_fee_min_months):
            return "monthly_fee_new"
        if facts.spent_last_3_months < 3 * rules.monthly_fee_min_monthly_spend:
            return "monthly_fee_low_spend"
        return None
    if today < add_months(facts.activated_on, rules.min_months):
        return "first_months"
    if facts.total_spent < rules.min_total_spent:
        return "spent_too_little"
    return None


def due_at(granted_at: datetime, rules: TrustRules, location: str) -> datetime:
    return granted_at + term_for(rules, location)


def next_fee_day(connected_on: date | None, paid_through: date | None) -> date | None:
    """The first calendar day whose auto trust fee is not taken yet (None: not connected)."""
    if connected_on is None:
        return None
    return paid_through + timedelta(days=1) if paid_through else connected_on


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in `zone` (a day's fee is owed from then)."""
    return datetime.combine(day, time.min, zone)


def auto_credit_from(last_repaid_at: datetime | None, rules: TrustRules) -> datetime | None:
    """From when another auto trust payment may be given: a day after the last one was
    debited; None when there never was one (no wait)."""
    return None if last_repaid_at is None else last_repaid_at + rules.auto_cooldown


def next_settlement(*moments: datetime | None) -> datetime | None:
    """When settlement next has something to do for a subscriber: the earliest of the moments
    that apply (a credit's due date, the next fee day's midnight, the end of the auto trust
    cool-down); None when nothing will fall due until something else changes."""
    return min((moment for moment in moments if moment is not None), default=None)
