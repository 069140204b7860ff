"""Phone numbers: parse and validate a mobile number of a market, guess its operator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, carrier


class PhoneError(ValueError):
    """A number that cannot be topped up; `code` is one of: empty, invalid, wrong_country,
    not_mobile."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MobileNumber:
    e164: str
    international: str
    carrier_name: str  # what phonenumbers knows of the original carrier, "" if nothing


_LETTERS = re.compile(r"[^\W\d_]")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def parse_mobile(raw: str | None, region: str) -> MobileNumber:
    """Parse a number typed for `region` ("RU", "CN"); national and +CC forms both work.

    Raises PhoneError: empty, invalid (not a possible number), wrong_country (valid but of
    another country), not_mobile (a landline or a service number).
    """
    text = (raw or "").strip()
    if not text:
        raise PhoneError("empty")
    if _LETTERS.search(text):
        # phonenumbers would read letters as keypad digits (vanity numbers) or an extension:
        # a top-up must go to exactly the digits the payer typed.
        raise PhoneError("invalid")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    if phonenumbers.region_code_for_number(number) != region:
        raise PhoneError("wrong_country")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError("not_mobile")
    return MobileNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        carrier_name=carrier.name_for_number(number, "en"),
    )


@lru_cache(maxsize=4096)  # pages show the same few numbers over and over; parsing is slow
def format_international(e164: str) -> str:
    """+79031234567 → "+7 903 123-45-67" for display; the input is returned if unparsable."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def as_typed_in_field(e164: str) -> str:
    """+79031234567 → "903 123-45-67": the number as the top-up field takes it, next to its
    country code (links that fill the field in); the input is returned if unparsable."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    prefix = f"+{number.country_code} "
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return international.removeprefix(prefix)


# The longest national number a keypad takes: 10 digits in Russia, 11 in China.
NATIONAL_DIGITS = {"RU": 10, "CN": 11}


def format_as_typed(digits: str, region: str) -> str:
    """National digits typed so far, grouped as the region writes its numbers ("903 123-45",
    "138 1234 5678"), after its country code: what a keypad screen shows while typing."""
    formatter = phonenumbers.AsYouTypeFormatter(region)
    country = f"+{phonenumbers.country_code_for_region(region)}"
    shown = ""
    for digit in country + digits:
        shown = formatter.input_digit(digit)
    return shown
