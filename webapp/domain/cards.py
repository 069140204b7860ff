"""Bank card checks (SPEC §3.1): format, Luhn, brand by prefix, expiry, CVC, test outcomes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# (brand, lowest prefix, highest prefix) — prefixes compared on the same number of digits.
_BRAND_RANGES: tuple[tuple[str, int, int], ...] = (
    ("mir", 2200, 2204),
    ("mastercard", 2221, 2720),
    ("mastercard", 51, 55),
    ("unionpay", 62, 62),
    ("visa", 4, 4),
)
_LENGTHS = {"visa": (13, 16, 19), "mastercard": (16,), "mir": (16, 17, 18, 19),
            "unionpay": (16, 17, 18, 19)}
BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "mir": "Mir", "unionpay": "UnionPay"}


# Full-width digits, as a Chinese input method types them, read as the ASCII digits they are.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize_number(raw: str | None) -> str:
    """Strip spaces (as people type a card in groups of four) and read full-width digits as
    ASCII ones; anything else stays, for the format check to refuse."""
    return re.sub(r"\s+", "", (raw or "").translate(_FULL_WIDTH))


def _ascii_digits(text: str) -> bool:
    # str.isdigit() would also accept "²" and other digits int() cannot read.
    return bool(re.fullmatch(r"[0-9]+", text))


def card_brand(digits: str) -> str | None:
    """The brand of a card number (or of its first digits, for showing it while typing)."""
    if not _ascii_digits(digits):
        return None
    for brand, low, high in _BRAND_RANGES:
        width = len(str(low))
        if len(digits) >= width and low <= int(digits[:width]) <= high:
            return brand
    return None


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check digit test."""
    if not _ascii_digits(digits) or len(digits) < 2:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class CardDetails:
    number: str
    brand: str
    exp_month: int
    exp_year: int
    cvc: str

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def __repr__(self) -> str:  # never let a full number or CVC reach a log through repr()
        return f"CardDetails(brand={self.brand!r}, last4={self.last4!r})"


_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*$")


def check_number(number: str) -> tuple[str | None, str | None]:
    """(brand, error code or None) for a card number without spaces."""
    if not number:
        return None, "number_empty"
    if not _ascii_digits(number):
        return None, "number_format"
    brand = card_brand(number)
    if brand is None:
        return None, "number_brand"
    if len(number) not in _LENGTHS[brand] or not luhn_valid(number):
        return brand, "number_invalid"
    return brand, None


def _check_expiry(raw: str, today: date) -> tuple[tuple[int, int] | None, str | None]:
    """((month, year), error code) for an MM/YY expiry; a card is valid through its month."""
    match = _EXPIRY.match(raw or "")
    if not match:
        return None, "expiry_format" if raw else "expiry_empty"
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        return None, "expiry_format"
    if (year, month) < (today.year, today.month):
        return None, "expiry_past"
    return (month, year), None


def valid_cvc(typed: str | None) -> bool:
    """A CVC is the 3 digits on the back of the card: for a new card and, asked again at
    every payment, for a saved one (its CVC is never stored)."""
    return re.fullmatch(r"\d{3}", (typed or "").strip()) is not None


def validate_card(number_raw: str | None, expiry_raw: str | None, cvc_raw: str | None,
                  today: date) -> tuple[CardDetails | None, dict[str, str]]:
    """Check a card as typed. Returns (details, {}) or (None, {field: error code}).

    Fields: number, expiry, cvc. Codes: number_empty, number_format, number_brand,
    number_invalid, expiry_empty, expiry_format, expiry_past, cvc_format.
    """
    errors: dict[str, str] = {}
    number = normalize_number(number_raw)
    brand, error = check_number(number)
    if error:
        errors["number"] = error
    expiry, error = _check_expiry((expiry_raw or "").strip(), today)
    if error:
        errors["expiry"] = error
    cvc = (cvc_raw or "").strip()
    if not valid_cvc(cvc):
        errors["cvc"] = "cvc_format"
    if errors:
        return None, errors
    assert brand is not None and expiry is not None
    return CardDetails(number, brand, expiry[0], expiry[1], cvc), {}


# Outcomes a simulated acquirer can give (SPEC §3.1).
SUCCESS = "success"
INSUFFICIENT_FUNDS = "insufficient_funds"
DO_NOT_HONOR = "do_not_honor"
EXPIRED_CARD = "expired_card"
REQUIRES_3DS = "requires_3ds"
OUTCOMES = (SUCCESS, INSUFFICIENT_FUNDS, DO_NOT_HONOR, EXPIRED_CARD, REQUIRES_3DS)


@dataclass(frozen=True)
class TestCard:
    __test__ = False  # not a pytest class
    number: str
    brand: str
    outcome: str


def card_outcome(number: str, test_cards: tuple[TestCard, ...]) -> str:
    """The outcome the sandbox acquirer gives this number; any other valid card succeeds."""
    return next((card.outcome for card in test_cards if card.number == number), SUCCESS)
