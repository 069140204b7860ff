"""Money as an integer number of minor units with its currency. No float ever touches it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering

# Both markets' currencies have two minor digits (kopecks, fen).
MINOR_DIGITS = {"RUB": 2, "CNY": 2}


class MoneyError(ValueError):
    """Raised for an amount that cannot be read; `code` names the reason for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@total_ordering
@dataclass(frozen=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError("Money.minor must be an int")
        if self.currency not in MINOR_DIGITS:
            raise ValueError(f"unknown currency {self.currency!r}")

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def percent(self, pct: Decimal) -> Money:
        """This amount times pct/100, rounded half-up to one minor unit."""
        return Money(percent_of(self.minor, pct), self.currency)

    @property
    def major(self) -> Decimal:
        """The amount in major units as an exact Decimal (for Babel formatting only)."""
        return Decimal(self.minor).scaleb(-MINOR_DIGITS[self.currency])


def percent_of(minor: int, pct: Decimal) -> int:
    """minor × pct / 100, rounded half-up to a whole minor unit."""
    exact = Decimal(minor) * Decimal(pct) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_AMOUNT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


def parse_major(raw: str | None, currency: str) -> int:
    """Read an amount typed by a person ("1500", "1 500,50", "99.9") into minor units.

    Raises MoneyError('empty') or MoneyError('format') — more than two decimals, a sign,
    letters or an exponent are refused rather than guessed at.
    """
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise MoneyError("empty")
    if not _AMOUNT.match(text):
        raise MoneyError("format")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise MoneyError("format") from exc
    return int(value.scaleb(MINOR_DIGITS[currency]))
