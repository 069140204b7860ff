"""Kiosk rules (SPEC §3.4, §7): the cash commission table, the bill acceptor's notes and cap,
the credited amount, idle times and the steps a kiosk session moves through. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .money import percent_of
from .states import define


@dataclass(frozen=True)
class CommissionStep:
    """From `start` inserted (minor units) upwards, until the next step: `percent` of the
    inserted sum, at least `minimum`."""

    start: int
    percent: Decimal
    minimum: int = 0


@dataclass(frozen=True)
class CashRules:
    """A market's bill acceptor and kiosk commission."""

    currency: str
    notes: tuple[int, ...]  # the denominations the acceptor takes, minor units, ascending
    max_per_payment: int  # a note that would take the inserted sum past this is refused
    commission: tuple[CommissionStep, ...]  # ascending by start, the first starting at 0

    def step_for(self, inserted: int) -> CommissionStep:
        """The commission step an inserted sum falls in."""
        return [s for s in self.commission if s.start <= inserted][-1]


@dataclass(frozen=True)
class Terminal:
    """A kiosk: its terminal number, market and where it stands."""

    id: str
    market: str
    address: Mapping[str, str] = field(compare=False)  # by language; "en" always there
    language: str = "ru"  # the language its attract screen starts in
    studio: bool = False  # the studio's own (sandbox): played by its gallery, listed nowhere

    def address_in(self, lang: str) -> str:
        return self.address.get(lang) or self.address["en"]


def commission(inserted: int, rules: CashRules) -> int:
    """The kiosk commission on an inserted sum: its step's percentage rounded half-up, at
    least the step's minimum, never more than what was inserted (0 for nothing inserted)."""
    if inserted <= 0:
        return 0
    step = rules.step_for(inserted)
    return min(inserted, max(step.minimum, percent_of(inserted, step.percent)))


def credited(inserted: int, rules: CashRules) -> int:
    """What goes to the number: inserted − commission, never below zero (no change is
    given: all of it goes to the number)."""
    return max(0, inserted - commission(inserted, rules))


class NoteRefused(ValueError):
    """The acceptor gives the note back; `code`: unknown_note (not a note it takes) or
    over_cap (it would take the payment past its maximum)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def accept_note(inserted: int, note: int, rules: CashRules) -> int:
    """The inserted sum after this note. Raises NoteRefused."""
    if note not in rules.notes:
        raise NoteRefused("unknown_note")
    if inserted + note > rules.max_per_payment:
        raise NoteRefused("over_cap")
    return inserted + note


def needed_for(amount: int, rules: CashRules) -> int | None:
    """The least sum to insert so that `amount` is credited, or None if the cap does not
    allow it. The credited amount never falls as more is inserted within a step, so each
    step is searched by bisection and the cheapest step wins."""
    best = None
    bounds = [s.start for s in rules.commission[1:]] + [rules.max_per_payment + 1]
    for step, end in zip(rules.commission, bounds, strict=True):
        low, high = max(step.start, amount, 1), end - 1
        if low > high or credited(high, rules) < amount:
            continue
        while low < high:
            middle = (low + high) // 2
            if credited(middle, rules) >= amount:
                high = middle
            else:
                low = middle + 1
        best = low if best is None else min(best, low)
    return best


# --- idle (SPEC §7) ---------------------------------------------------------------------------

IDLE_WARNING = timedelta(seconds=60)  # no touch this long: "Are you still there?"
IDLE_COUNTDOWN = timedelta(seconds=20)  # then this long to answer before the reset

ACTIVE, WARNING, TIMED_OUT = "active", "warning", "timed_out"


def idle_phase(last_touch: datetime, now: datetime) -> str:
    """Where a session is in its idle time: active, warning (the countdown runs) or
    timed_out (back to the attract screen; cash inserted is paid in)."""
    idle = now - last_touch
    if idle >= IDLE_WARNING + IDLE_COUNTDOWN:
        return TIMED_OUT
    if idle >= IDLE_WARNING:
        return WARNING
    return ACTIVE


def seconds_left(last_touch: datetime, now: datetime) -> int:
    """Whole seconds of the countdown left (rounded up: the screen shows 20 … 1)."""
    left = last_touch + IDLE_WARNING + IDLE_COUNTDOWN - now
    whole = int(left.total_seconds())
    return max(0, whole + (1 if left.total_seconds() > whole else 0))


# --- the steps of a kiosk session --------------------------------------------------------------

OPERATOR, NUMBER, AMOUNT, METHOD = "operator", "number", "amount", "method"
CASH, CARD, WALLET = "cash", "card", "wallet"
RESULT, RECEIPT = "result", "receipt"
DONE, ABANDONED = "done", "abandoned"  # final: the session is over, the kiosk shows attract

# Where a step may go. Back is allowed up to the payment; once a note is in, the cash step
# only moves on to its result (the service checks the inserted sum, the table the shape).
STEPS: dict[str, frozenset[str]] = {
    OPERATOR: frozenset({NUMBER, ABANDONED}),
    NUMBER: frozenset({OPERATOR, AMOUNT, ABANDONED}),
    AMOUNT: frozenset({NUMBER, METHOD, CASH, ABANDONED}),
    METHOD: frozenset({AMOUNT, CASH, CARD, WALLET, ABANDONED}),
    CASH: frozenset({METHOD, AMOUNT, RESULT, ABANDONED, DONE}),
    CARD: frozenset({METHOD, RESULT, ABANDONED}),
    WALLET: frozenset({METHOD, RESULT, ABANDONED}),
    RESULT: frozenset({RECEIPT, DONE}),
    RECEIPT: frozenset({RESULT, DONE}),
    DONE: frozenset(),
    ABANDONED: frozenset(),
}
FINAL = frozenset(step for step, nxt in STEPS.items() if not nxt)
PAYING = frozenset({CASH, CARD, WALLET})


# The kiosk session's machine (services/transitions.py moves it and writes its events).
KIOSK_SESSION = define("kiosk_session", STEPS, initial=OPERATOR)
