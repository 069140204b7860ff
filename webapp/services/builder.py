"""The subscriber builder (sandbox only, SPEC §9): a test subscriber with a chosen market,
operator, tariff, balance, activation date, location, flags, months of spending on services and
mobile payments already made today, this week and this month, so that every rule of SPEC §3.2
and §4 can be reached in minutes instead of by paying by hand.

The ledger is written so that the rules read exactly what was asked for: service charges in
30-day months back from now, mobile payments (`mcommerce_debit`) inside the market's calendar
periods (domain.builder), a top-up if the number was ever topped up, and last a
`starting_balance` entry on the activation day that makes the sum the chosen balance.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ..clock import clock
from ..database import begin_write
from ..domain import builder as plan
from ..domain.builder import Paid, PlanError, Problem
from ..domain.markets import Market, Operator
from ..domain.money import MINOR_DIGITS
from ..domain.phone import PhoneError, parse_mobile
from ..domain.trust import add_months
from ..extensions import db
from ..models import Subscriber
from . import ledger, rules, trust

TARIFF_KINDS = ("prepaid", "monthly_fee", "postpaid", "corporate")
LOCATIONS = ("home", "roaming", "crimea")
# Markets where Crimea and Sevastopol are a location of their own (SPEC §4's "away" terms).
CRIMEA_MARKETS = ("RU",)
NOTE = "built"  # demo.NOTES key: "made with the subscriber builder"
STUDIO_NOTE = "studio"  # demo.NOTES key: a subject of one of the studio's screens
STARTING_BALANCE = "starting_balance"
TOPUP = "topup"
# Tries at a random number before giving up (each is checked by phonenumbers and the database).
NUMBER_TRIES = 50
PERIODS = ("day", "week", "month")


class BuilderRefused(Exception):
    """The subscriber cannot be built as asked; `problems` names each field and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class SubscriberSpec:
    """What the tester asked for. Amounts are minor units of the market's currency."""

    operator: str
    balance: int
    activated_on: date
    market: str | None = None  # None: the operator's market
    phone: str | None = None  # as typed; None or "": a free number is made up
    tariff_kind: str = "prepaid"
    tariff_name: str = ""
    monthly_fee: int | None = None
    location: str = "home"
    mobile_payments_enabled: bool = True
    personal_budget: bool = False
    auto_trust: bool = False
    suspended: bool = False
    topped_up: bool = True
    history_months: int = 0
    monthly_spend: int = 0
    paid: dict[str, Paid] = field(default_factory=dict)  # "day" / "week" / "month"
    note: str = NOTE  # STUDIO_NOTE for the studio's own subjects, kept off the demo list

    def paid_in(self, period: str) -> Paid:
        return self.paid.get(period) or Paid()


@dataclass(frozen=True)
class Built:
    subscriber: Subscriber
    spec: SubscriberSpec  # with the market and the number filled in
    balance: int  # the ledger's sum after building: always spec.balance


def _sandbox_only() -> None:
    if not current_app.config["SANDBOX"]:
        raise RuntimeError("the subscriber builder exists only in sandbox mode")


def market_of(operator_id: str) -> Market | None:
    """The market an operator works in."""
    return next((m for m in rules().markets.values() if m.operator(operator_id)), None)


def _market_and_operator(spec: SubscriberSpec) -> tuple[Market | None, Operator | None,
                                                         list[Problem]]:
    every = rules().markets
    owner = market_of(spec.operator)
    if spec.market and spec.market not in every:
        return None, None, [Problem("market", "unknown_market")]
    if owner is None:
        return None, None, [Problem("operator", "unknown_operator")]
    if spec.market and spec.market != owner.code:
        return None, None, [Problem("operator", "operator_elsewhere",
                                    {"market": spec.market})]
    return owner, owner.operator(spec.operator), []


def _bounds(spec: SubscriberSpec, market: Market) -> list[Problem]:
    limits = rules().builder
    most = limits.max_amount * 10 ** MINOR_DIGITS[market.currency]
    problems = []
    amounts = [("balance", abs(spec.balance)), ("monthly_fee", spec.monthly_fee or 0),
               ("monthly_spend", spec.monthly_spend)]
    amounts += [(f"paid_{p}_sum", spec.paid_in(p).total) for p in PERIODS]
    for name, amount in amounts:
        if amount > most:
            problems.append(Problem(name, "amount_too_large", {"max": most}))
    for name, amount in amounts[1:]:
        if amount < 0:
            problems.append(Problem(name, "amount_negative"))
    counts = [("history_months", spec.history_months, limits.max_history_months)]
    counts += [(f"paid_{p}_count", spec.paid_in(p).count, limits.max_payments) for p in PERIODS]
    for name, count, top in counts:
        if not 0 <= count <= top:
            problems.append(Problem(name, "count_out_of_range", {"max": top}))
    return problems


def _consistency(spec: SubscriberSpec, market: Market, today: date) -> list[Problem]:
    """The checks between fields: tariff and fee, location, flags, dates, history."""
    problems = []
    if spec.tariff_kind not in TARIFF_KINDS:
        problems.append(Problem("tariff_kind", "unknown_choice"))
    elif spec.tariff_kind == "monthly_fee" and not spec.monthly_fee:
        problems.append(Problem("monthly_fee", "fee_missing"))
    elif spec.tariff_kind != "monthly_fee" and spec.monthly_fee:
        problems.append(Problem("monthly_fee", "fee_not_monthly"))
    if len(spec.tariff_name) > 64:
        problems.append(Problem("tariff_name", "too_long", {"max": 64}))
    if spec.location not in LOCATIONS:
        problems.append(Problem("location", "unknown_choice"))
    elif spec.location == "crimea" and market.code not in CRIMEA_MARKETS:
        problems.append(Problem("location", "crimea_elsewhere"))
    terms = rules().mcommerce.get(spec.operator)
    if spec.personal_budget and (terms is None or terms.activation != "personal_budget"):
        problems.append(Problem("personal_budget", "no_personal_budget"))
    if spec.auto_trust and spec.operator != rules().trust.operator:
        problems.append(Problem("auto_trust", "no_auto_trust"))
    if spec.suspended and spec.balance >= 0:
        problems.append(Problem("suspended", "suspended_needs_debt"))
    if spec.activated_on > today:
        problems.append(Problem("activated_on", "activated_future"))
    elif spec.activated_on < add_months(today, -12 * rules().builder.max_years_active):
        problems.append(Problem("activated_on", "activated_too_old",
                                {"years": rules().builder.max_years_active}))
    if spec.monthly_spend and not spec.history_months:
        problems.append(Problem("history_months", "history_missing"))
    if terms is None:
        for period in PERIODS:
            if spec.paid_in(period):
                problems.append(Problem(f"paid_{period}_count", "no_mobile_payments"))
    return problems


def _history(spec: SubscriberSpec, market: Market,
             now: datetime) -> tuple[list[plan.Planned], list[Problem]]:
    """The entries of the history asked for, or the problems that make it impossible."""
    zone = ZoneInfo(market.timezone)
    opened = plan.local_start(spec.activated_on, zone)
    problems, planned = [], []
    try:
        planned += plan.spending(now, opened, spec.history_months, spec.monthly_spend)
    except PlanError as error:
        problems += error.problems
    try:
        planned += plan.payments(now, zone, opened, *(spec.paid_in(p) for p in PERIODS))
    except PlanError as error:
        problems += error.problems
    if spec.topped_up:
        first_tile = market.topup.tiles[0]
        planned.append(plan.Planned(TOPUP, first_tile, min(opened + timedelta(hours=1), now)))
    return planned, problems


def _taken(phone: str) -> bool:
    return bool(db.session.scalar(select(exists().where(Subscriber.phone == phone))))


def free_number(market: Market, operator: Operator) -> str | None:
    """A number nobody has, made up in the operator's range: one of its prefixes of
    rules/builder.toml and random digits to the market's length, kept only if phonenumbers
    takes it for a mobile number of the market whose carrier is this operator. None when
    NUMBER_TRIES numbers were all taken or refused."""
    example = phonenumbers.example_number_for_type(market.code,
                                                   phonenumbers.PhoneNumberType.MOBILE)
    length = len(f"{example.country_code}{example.national_number}")
    for _ in range(NUMBER_TRIES):
        prefix = secrets.choice(rules().builder.prefixes[operator.id])
        digits = prefix + "".join(secrets.choice("0123456789")
                                  for _ in range(length - len(prefix)))
        try:
            number = parse_mobile("+" + digits, market.code)
        except PhoneError:
            continue
        if market.guess_operator(number.carrier_name) == operator and not _taken(number.e164):
            return number.e164
    return None


def _typed_number(spec: SubscriberSpec, market: Market) -> tuple[str | None, list[Problem]]:
    """The number as typed, in E.164, if it is a mobile number of the market nobody has."""
    if not spec.phone:
        return None, []
    try:
        phone = parse_mobile(spec.phone, market.code).e164
    except PhoneError as error:
        return None, [Problem("phone", "phone_" + error.code)]
    if _taken(phone):
        return None, [Problem("phone", "phone_taken")]
    return phone, []


# The fields the history is made of: their own problems come first, then the history's.
HISTORY_FIELDS = frozenset({"activated_on", "history_months", "monthly_spend",
                            *(f"paid_{p}_{part}" for p in PERIODS for part in ("count", "sum"))})


def check(spec: SubscriberSpec) -> tuple[Market, Operator, str | None, list[plan.Planned]]:
    """Every check of a request but the free number's: the market, operator and typed number
    (in E.164, None when one is to be made up), each field, the rules between fields and the
    history; returns the history's entries. Raises BuilderRefused with all the problems."""
    market, operator, problems = _market_and_operator(spec)
    if problems:
        raise BuilderRefused(problems)
    now = clock.now()
    today = now.astimezone(ZoneInfo(market.timezone)).date()
    phone, problems = _typed_number(spec, market)
    problems += _bounds(spec, market) + _consistency(spec, market, today)
    planned = []
    if not any(p.field in HISTORY_FIELDS for p in problems):
        planned, later = _history(spec, market, now)
        problems += later
    if problems:
        raise BuilderRefused(problems)
    return market, operator, phone, planned


def create(spec: SubscriberSpec) -> Built:
    """Build the subscriber and its ledger in one transaction, its balance exactly
    `spec.balance`. Raises BuilderRefused (nothing is written then)."""
    _sandbox_only()
    begin_write()
    try:
        market, operator, phone, planned = check(spec)
        now = clock.now()
        phone = phone or free_number(market, operator)
        if phone is None:
            raise BuilderRefused([Problem("phone", "no_free_number")])
        subscriber = Subscriber(
            phone=phone, market=market.code, operator_id=operator.id,
            tariff_kind=spec.tariff_kind, tariff_name=spec.tariff_name.strip(),
            monthly_fee=spec.monthly_fee if spec.tariff_kind == "monthly_fee" else None,
            activated_on=spec.activated_on, location=spec.location,
            mobile_payments_enabled=spec.mobile_payments_enabled,
            personal_budget=spec.personal_budget, suspended=spec.suspended, demo_note=spec.note)
        db.session.add(subscriber)
        db.session.flush()
        for entry in planned:
            ledger.post(subscriber, entry.kind,
                        entry.amount, entry.at,
                        description="subscriber builder")
        if spec.auto_trust:
            trust.mark_auto_connected(subscriber, now)
        db.session.flush()
        opening = spec.balance - subscriber.balance()
        ledger.post(
            subscriber, STARTING_BALANCE, opening,
            plan.local_start(spec.activated_on, ZoneInfo(market.timezone)),
            description="subscriber builder: makes the balance the one asked for")
        db.session.flush()
        trust.reschedule(subscriber, now)  # an auto trust payment or a debt may fall due
        balance = subscriber.balance()
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()  # the same number, built a moment ago by someone else
        raise BuilderRefused([Problem("phone", "phone_taken")]) from error
    except BaseException:
        db.session.rollback()
        raise
    return Built(subscriber=subscriber,
                 spec=replace(spec, phone=phone, market=market.code), balance=balance)
