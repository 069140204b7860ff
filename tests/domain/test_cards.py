"""Bank card checks (SPEC §3.1): Luhn, brand by prefix, number, expiry, CVC, test outcomes."""

from datetime import date

import pytest

from webapp.domain.cards import (
    BRAND_NAMES,
    OUTCOMES,
    CardDetails,
    TestCard,
    card_brand,
    card_outcome,
    luhn_valid,
    normalize_number,
    validate_card,
)
from webapp.rules import load_rules

TODAY = date(2026, 11, 22)
GOOD_EXPIRY = "12/30"
GOOD_CVC = "123"

# The test cards of SPEC §3.1 and the outcome each must give.
SPEC_TEST_CARDS = {
    "4242424242424242": "success",
    "5555555555554444": "success",
    "2200000000000004": "success",
    "6200000000000005": "success",
    "4000000000009995": "insufficient_funds",
    "4000000000000002": "do_not_honor",
    "4000000000000069": "expired_card",
    "4000002760003184": "requires_3ds",
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


# --- Luhn -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        *[(number, True) for number in SPEC_TEST_CARDS],
        ("79927398713", True),          # the textbook example
        ("79927398710", False),
        ("79927398711", False),
        ("79927398719", False),
        ("4111111111111111", True),
        ("4242424242424241", False),    # last digit off by one
        ("4242424242424243", False),
        ("2424242424242424", False),    # digits reversed
        ("18", True),                   # 1·2 + 8 = 10
        ("19", False),
        ("0", False),                   # too short to carry a check digit
        ("", False),
        ("4242 4242 4242 4242", False),  # not digits until normalized
        ("4242-4242-4242-4242", False),
        ("abcdefgh", False),
    ],
)
def test_luhn_valid(digits, valid):
    assert luhn_valid(digits) is valid


# --- brand by prefix, every boundary ----------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "brand"),
    [
        # Visa: 4
        ("4", "visa"),
        ("4000000000000002", "visa"),
        ("4999999999999999", "visa"),
        ("3", None),
        # Mastercard: 51–55
        ("50", None),
        ("5000000000000009", None),
        ("51", "mastercard"),
        ("5100000000000008", "mastercard"),
        ("53", "mastercard"),
        ("55", "mastercard"),
        ("5500000000000004", "mastercard"),
        ("56", None),
        ("5600000000000003", None),
        ("5", None),                    # cannot tell yet
        # Mastercard: 2221–2720
        ("2220", None),
        ("2220000000000000", None),
        ("2221", "mastercard"),
        ("2221000000000009", "mastercard"),
        ("2500", "mastercard"),
        ("2720", "mastercard"),
        ("2720000000000005", "mastercard"),
        ("2721", None),
        ("2721000000000004", None),
        # Mir: 2200–2204
        ("2199", None),
        ("2199000000000007", None),
        ("2200", "mir"),
        ("2200000000000004", "mir"),
        ("2202", "mir"),
        ("2204", "mir"),
        ("2204000000000000", "mir"),
        ("2205", None),                 # neither Mir nor Mastercard
        ("2205000000000009", None),
        ("2210", None),
        ("22", None),                   # cannot tell Mir from Mastercard yet
        ("220", None),
        # UnionPay: 62
        ("62", "unionpay"),
        ("6200000000000005", "unionpay"),
        ("6299999999999999", "unionpay"),
        ("61", None),
        ("6100000000000006", None),
        ("63", None),
        ("6300000000000004", None),
        ("6", None),
        # Others
        ("340000000000009", None),      # American Express
        ("3500000000000009", None),     # JCB
        ("", None),
        ("x4", None),
        ("4x", None),
    ],
)
def test_card_brand_by_prefix(digits, brand):
    assert card_brand(digits) == brand


def test_brand_names_for_display():
    assert BRAND_NAMES == {"visa": "Visa", "mastercard": "Mastercard", "mir": "Mir",
                           "unionpay": "UnionPay"}


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("4242 4242 4242 4242", "4242424242424242"),
        ("  4242424242424242  ", "4242424242424242"),
        ("4242\u00a04242\t4242\n4242", "4242424242424242"),
        ("4242-4242", "4242-4242"),     # only whitespace is removed
        (None, ""),
        ("", ""),
    ],
)
def test_normalize_number_strips_whitespace_only(raw, normalized):
    assert normalize_number(raw) == normalized


# --- validate_card: a card that passes --------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "expected"),
    [
        ("4242 4242 4242 4242", "12/30", "123",
         CardDetails("4242424242424242", "visa", 12, 2030, "123")),
        ("4242424242424242", "1/27", " 456 ",
         CardDetails("4242424242424242", "visa", 1, 2027, "456")),
        ("5555 5555 5555 4444", "01/2031", "000",
         CardDetails("5555555555554444", "mastercard", 1, 2031, "000")),
        ("2221 0000 0000 0009", "11/26", "999",      # this month is still valid
         CardDetails("2221000000000009", "mastercard", 11, 2026, "999")),
        ("2720000000000005", "11/2026", "321",
         CardDetails("2720000000000005", "mastercard", 11, 2026, "321")),
        ("2200 0000 0000 0004", " 12 / 26 ", "123",
         CardDetails("2200000000000004", "mir", 12, 2026, "123")),
        ("2204000000000000", "1230", "123",         # MMYY without the slash
         CardDetails("2204000000000000", "mir", 12, 2030, "123")),
        ("6200 0000 0000 0005", "06/29", "123",
         CardDetails("6200000000000005", "unionpay", 6, 2029, "123")),
        # every allowed length
        ("4000000000006", "12/30", "123",
         CardDetails("4000000000006", "visa", 12, 2030, "123")),
        ("4000000000000000006", "12/30", "123",
         CardDetails("4000000000000000006", "visa", 12, 2030, "123")),
        ("22040000000000006", "12/30", "123",
         CardDetails("22040000000000006", "mir", 12, 2030, "123")),
        ("220400000000000000", "12/30", "123",
         CardDetails("220400000000000000", "mir", 12, 2030, "123")),
        ("2200000000000000004", "12/30", "123",
         CardDetails("2200000000000000004", "mir", 12, 2030, "123")),
        ("6200000000000000000", "12/30", "123",
         CardDetails("6200000000000000000", "unionpay", 12, 2030, "123")),
    ],
)
def test_validate_card_accepts(number, expiry, cvc, expected):
    details, errors = validate_card(number, expiry, cvc, TODAY)
    assert errors == {}
    assert details == expected
    assert details.last4 == expected.number[-4:]


# --- validate_card: the card number -----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (None, "number_empty"),
        ("", "number_empty"),
        ("    ", "number_empty"),
        ("4242-4242-4242-4242", "number_format"),
        ("4242424242424abc", "number_format"),
        ("+4242424242424242", "number_format"),
        ("340000000000009", "number_brand"),        # Amex, Luhn-valid
        ("3500000000000009", "number_brand"),       # JCB
        ("5000000000000009", "number_brand"),       # 50: not Mastercard
        ("5600000000000003", "number_brand"),       # 56: not Mastercard
        ("2220000000000000", "number_brand"),
        ("2721000000000004", "number_brand"),
        ("2199000000000007", "number_brand"),
        ("2205000000000009", "number_brand"),
        ("6100000000000006", "number_brand"),
        ("4242424242424241", "number_invalid"),     # bad Luhn
        ("5555555555554445", "number_invalid"),
        ("2200000000000005", "number_invalid"),
        ("6200000000000006", "number_invalid"),
        ("400000000000006", "number_invalid"),      # Visa, Luhn-valid, 15 digits
        ("40000000000000006", "number_invalid"),    # Visa, Luhn-valid, 17 digits
        ("510000000000003", "number_invalid"),      # Mastercard, Luhn-valid, 15 digits
        ("5100000000000000003", "number_invalid"),  # Mastercard, Luhn-valid, 19 digits
        ("220000000000004", "number_invalid"),      # Mir, Luhn-valid, 15 digits
        ("620000000000000", "number_invalid"),      # UnionPay, Luhn-valid, 15 digits
        ("4", "number_invalid"),
    ],
)
def test_validate_card_number_errors(number, code):
    details, errors = validate_card(number, GOOD_EXPIRY, GOOD_CVC, TODAY)
    assert details is None
    assert errors == {"number": code}


@pytest.mark.parametrize("number", ["²", "4242²42424242424"])
def test_a_superscript_digit_is_a_format_error_not_a_crash(number):
    details, errors = validate_card(number, GOOD_EXPIRY, GOOD_CVC, TODAY)
    assert details is None
    assert errors == {"number": "number_format"}


def test_full_width_digits_are_refused_or_read_as_ascii():
    details, errors = validate_card("４０００ ００００ ００００ ９９９５", GOOD_EXPIRY, GOOD_CVC,
                                    TODAY)
    if details is None:
        assert errors == {"number": "number_format"}
    else:
        assert details.number == "4000000000009995"


# --- validate_card: expiry --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expiry", "result"),
    [
        (TODAY, None, "expiry_empty"),
        (TODAY, "", "expiry_empty"),
        (TODAY, "   ", "expiry_empty"),
        (TODAY, "00/27", "expiry_format"),
        (TODAY, "13/27", "expiry_format"),
        (TODAY, "0/27", "expiry_format"),
        (TODAY, "99/99", "expiry_format"),
        (TODAY, "ab/cd", "expiry_format"),
        (TODAY, "12/3", "expiry_format"),
        (TODAY, "12/030", "expiry_format"),
        (TODAY, "12-30", "expiry_format"),
        (TODAY, "12.30", "expiry_format"),
        (TODAY, "123/30", "expiry_format"),
        (TODAY, "december", "expiry_format"),
        # the card is valid through the last day of its month
        (TODAY, "10/26", "expiry_past"),
        (TODAY, "10/2026", "expiry_past"),
        (TODAY, "11/25", "expiry_past"),
        (TODAY, "12/25", "expiry_past"),
        (TODAY, "11/26", (11, 2026)),
        (TODAY, "11/2026", (11, 2026)),
        (TODAY, "12/26", (12, 2026)),
        (TODAY, "01/27", (1, 2027)),
        (TODAY, "1/27", (1, 2027)),
        (TODAY, "0127", (1, 2027)),
        (TODAY, "12/99", (12, 2099)),
        (date(2026, 11, 30), "11/26", (11, 2026)),   # last day of the month
        (date(2026, 12, 1), "11/26", "expiry_past"),  # first day of the next
        (date(2027, 1, 1), "12/26", "expiry_past"),   # across a year end
        (date(2027, 1, 1), "01/27", (1, 2027)),
    ],
)
def test_validate_card_expiry(today, expiry, result):
    details, errors = validate_card("4242424242424242", expiry, GOOD_CVC, today)
    if isinstance(result, tuple):
        assert errors == {}
        assert (details.exp_month, details.exp_year) == result
    else:
        assert details is None
        assert errors == {"expiry": result}


# --- validate_card: CVC -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cvc", "ok"),
    [
        ("123", True),
        ("000", True),
        (" 987 ", True),
        ("12", False),
        ("1234", False),
        ("12a", False),
        ("abc", False),
        ("1 2 3", False),
        ("", False),
        (None, False),
    ],
)
def test_validate_card_cvc(cvc, ok):
    details, errors = validate_card("4242424242424242", GOOD_EXPIRY, cvc, TODAY)
    if ok:
        assert errors == {}
        assert details.cvc == cvc.strip()
    else:
        assert details is None
        assert errors == {"cvc": "cvc_format"}


def test_validate_card_reports_every_field_at_once():
    details, errors = validate_card("4242424242424241", "13/30", "12", TODAY)
    assert details is None
    assert errors == {"number": "number_invalid", "expiry": "expiry_format",
                      "cvc": "cvc_format"}


def test_validate_card_with_nothing_typed():
    assert validate_card(None, None, None, TODAY) == (
        None, {"number": "number_empty", "expiry": "expiry_empty", "cvc": "cvc_format"})


# --- the full number and the CVC never leak through repr/str ----------------------------------


@pytest.mark.parametrize(
    ("number", "brand", "cvc"),
    [
        ("4242424242424242", "visa", "123"),
        ("5555555555554444", "mastercard", "987"),
        ("2200000000000004", "mir", "555"),
    ],
)
def test_card_details_repr_hides_the_number_and_cvc(number, brand, cvc):
    details, errors = validate_card(number, GOOD_EXPIRY, cvc, TODAY)
    assert errors == {}
    expected = f"CardDetails(brand={brand!r}, last4={number[-4:]!r})"
    for shown in (repr(details), str(details), f"{details}", f"{details!r}",
                  repr([details]), repr({"card": details})):
        assert expected in shown
        assert number not in shown
        assert number[:6] not in shown
        assert cvc not in shown


# --- outcomes of the simulated acquirer -------------------------------------------------------


def test_the_test_cards_are_exactly_those_of_the_spec(rules):
    assert {card.number: card.outcome for card in rules.test_cards} == SPEC_TEST_CARDS


@pytest.mark.parametrize(("number", "outcome"), SPEC_TEST_CARDS.items())
def test_card_outcome_of_every_test_card(rules, number, outcome):
    assert card_outcome(number, rules.test_cards) == outcome
    details, errors = validate_card(number, GOOD_EXPIRY, GOOD_CVC, TODAY)
    assert errors == {}, "a test card must pass the card checks to be usable"
    assert card_outcome(details.number, rules.test_cards) == outcome


@pytest.mark.parametrize(
    "number",
    ["4111111111111111", "5105105105105100", "2221000000000009", "2204000000000000",
     "6200000000000000000", "4000000000006"],
)
def test_any_other_valid_card_succeeds(rules, number):
    _, errors = validate_card(number, GOOD_EXPIRY, GOOD_CVC, TODAY)
    assert errors == {}
    assert card_outcome(number, rules.test_cards) == "success"


def test_card_outcome_uses_the_table_given():
    cards = (TestCard("4111111111111111", "visa", "do_not_honor"),)
    assert card_outcome("4111111111111111", cards) == "do_not_honor"
    assert card_outcome("4242424242424242", cards) == "success"
    assert card_outcome("4111111111111111", ()) == "success"


def test_outcomes_are_the_five_of_the_spec():
    assert set(OUTCOMES) == {"success", "insufficient_funds", "do_not_honor", "expired_card",
                             "requires_3ds"}
