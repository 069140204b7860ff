"""The subscriber builder's pure part (SPEC §9): where a built subscriber's history goes.

Spending on services is spread over 30-day months counted back from now (the trust payment
reads "the last 3 months" as 90 days, so N months of M each make exactly min(N, 3) × M there).
Mobile payments already made are placed inside the market's calendar day, ISO week and month
(SPEC §3.2 limits), so that the limits read exactly the figures the tester gave. The figures
are nested, as the limits read them: this week's include today's, this month's include
today's too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from .mcommerce import period_starts

MONTH = timedelta(days=30)
SERVICE_CHARGE = "service_charge"
MCOMMERCE_DEBIT = "mcommerce_debit"
# Where in each 30-day month the charges fall (days back from the month's end): three parts.
_CHARGE_DAYS = (5, 15, 25)


@dataclass(frozen=True)
class BuilderRules:
    """rules/builder.toml: each operator's number prefixes and the bounds of a request."""

    prefixes: dict[str, tuple[str, ...]]  # operator id → E.164 digit prefixes
    max_amount: int  # major units
    max_history_months: int
    max_payments: int
    max_years_active: int


@dataclass(frozen=True)
class Paid:
    """Mobile payments made in a period: how many and their total (minor units, commission
    included, as the limits count them)."""

    count: int = 0
    total: int = 0

    def __sub__(self, other: Paid) -> Paid:
        return Paid(self.count - other.count, self.total - other.total)

    def __bool__(self) -> bool:
        return bool(self.count or self.total)


@dataclass(frozen=True)
class Planned:
    """A ledger entry to write: kind, signed amount (minor units), when."""

    kind: str
    amount: int
    at: datetime


@dataclass(frozen=True)
class Problem:
    """Why the figures of one field cannot be built: a code for the message and its values
    (minor units stay ints, dates stay dates: the caller formats them)."""

    field: str
    code: str
    values: dict = field(default_factory=dict)


class PlanError(ValueError):
    """The history asked for is impossible; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = problems


def split(total: int, parts: int) -> list[int]:
    """`total` in `parts` amounts as equal as whole minor units allow, the larger first;
    they add up to `total` exactly."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def local_start(day: date, zone: tzinfo) -> datetime:
    """The first moment of a calendar day in the market's timezone."""
    return datetime.combine(day, time.min, zone)


def max_history_months(now: datetime, opened: datetime) -> int:
    """How many 30-day months of spending fit between the activation and now."""
    room = now - opened - timedelta(days=_CHARGE_DAYS[-1])
    if room < timedelta(0):
        return 0
    return room // MONTH + 1


def spending(now: datetime, opened: datetime, months: int, monthly: int) -> list[Planned]:
    """Service charges of `monthly` (minor units) in each of the last `months` 30-day months,
    three a month. Raises PlanError(history_months: history_too_long) when they would fall
    before `opened` (the activation)."""
    if months > max_history_months(now, opened):
        raise PlanError([Problem("history_months", "history_too_long",
                                 {"num": max_history_months(now, opened)})])
    charges = []
    for month in range(months):
        for days, amount in zip(_CHARGE_DAYS, split(monthly, len(_CHARGE_DAYS)), strict=True):
            if amount:
                charges.append(Planned(SERVICE_CHARGE, -amount,
                                       now - month * MONTH - timedelta(days=days)))
    return charges


def _place(paid: Paid, start: datetime, end: datetime) -> list[Planned]:
    """`paid` as debits spread evenly over [start, end)."""
    span = end - start
    return [Planned(MCOMMERCE_DEBIT, -amount, start + span * (index + 1) / (paid.count + 1))
            for index, amount in enumerate(split(paid.total, paid.count))]


def _check_pair(name: str, paid: Paid, problems: list[Problem]) -> None:
    if paid.count == 0 and paid.total > 0:
        problems.append(Problem(f"paid_{name}_count", "sum_without_count"))
    elif paid.total < paid.count:
        problems.append(Problem(f"paid_{name}_sum", "sum_too_small",
                                {"num": paid.count, "sum": paid.count}))


def _check_more(name: str, than: str, extra: Paid, floor: Paid,
                problems: list[Problem]) -> bool:
    """`extra` = period `name`'s figures less those of `than` (a period inside it): never
    negative, and a sum beyond `than`'s needs payments to carry it."""
    before = len(problems)
    if extra.count < 0:
        problems.append(Problem(f"paid_{name}_count", f"below_{than}", {"num": floor.count}))
    if extra.total < 0:
        problems.append(Problem(f"paid_{name}_sum", f"below_{than}_sum", {"sum": floor.total}))
    if len(problems) == before:
        if extra.count == 0 and extra.total > 0:
            problems.append(Problem(f"paid_{name}_count", f"more_than_{than}_no_count",
                                    {"sum": extra.total}))
        elif extra.total < extra.count:
            problems.append(Problem(f"paid_{name}_sum", f"more_than_{than}_too_small",
                                    {"num": extra.count, "sum": extra.count}))
    return len(problems) == before


def payments(now: datetime, zone: tzinfo, opened: datetime, day: Paid, week: Paid,
             month: Paid) -> list[Planned]:
    """Debits dated so that today's calendar day, this ISO week and this month (in `zone`)
    hold exactly `day`, `week` and `month` (each including today's). None before `opened`.

    The part of the week before today and the part of the month before today both end where
    today begins, so one of them holds the other: the inner one gets its own extra payments,
    the outer one's stretch before it gets the rest. Raises PlanError naming the fields whose
    figures cannot be met."""
    problems: list[Problem] = []
    for name, paid in (("day", day), ("week", week), ("month", month)):
        _check_pair(name, paid, problems)
    if problems:
        raise PlanError(problems)
    today, week_first, month_first = period_starts(now.astimezone(zone).date())
    today_start = local_start(today, zone)
    week_from = max(local_start(week_first, zone), opened)
    month_from = max(local_start(month_first, zone), opened)
    extra_week, extra_month = week - day, month - day
    week_ok = _check_more("week", "day", extra_week, day, problems)
    month_ok = _check_more("month", "day", extra_month, day, problems)
    if problems or not (week_ok and month_ok):
        raise PlanError(problems)
    if week_from >= month_from:
        inner, inner_from, inner_extra = "week", week_from, extra_week
        outer, outer_from, outer_extra = "month", month_from, extra_month
    else:
        inner, inner_from, inner_extra = "month", month_from, extra_month
        outer, outer_from, outer_extra = "week", week_from, extra_week
    if inner_extra and inner_from >= today_start:
        problems.append(Problem(f"paid_{inner}_count", "begins_today"))
    rest = outer_extra - inner_extra
    if _check_more(outer, inner, rest, week if inner == "week" else month, problems) \
            and rest and outer_from >= inner_from:
        problems.append(Problem(f"paid_{outer}_count", "same_start",
                                {"date": inner_from.astimezone(zone).date()}))
    if problems:
        raise PlanError(problems)
    return (_place(day, max(today_start, opened), now)
            + _place(inner_extra, inner_from, today_start)
            + _place(rest, outer_from, inner_from))
