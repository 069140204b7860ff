"""Money: integer minor units with a currency, half-up percentages, amounts typed by people."""

from decimal import Decimal

import pytest

from webapp.domain.money import MINOR_DIGITS, Money, MoneyError, parse_major, percent_of

# --- the value type ---------------------------------------------------------------------------


def test_both_market_currencies_have_two_minor_digits():
    assert MINOR_DIGITS == {"RUB": 2, "CNY": 2}


@pytest.mark.parametrize(
    ("minor", "currency", "major"),
    [
        (150000, "RUB", Decimal("1500.00")),
        (150050, "RUB", Decimal("1500.50")),
        (1, "RUB", Decimal("0.01")),
        (0, "CNY", Decimal("0.00")),
        (9850, "CNY", Decimal("98.50")),
        (-250, "CNY", Decimal("-2.50")),
    ],
)
def test_major_is_the_exact_decimal_amount(minor, currency, major):
    value = Money(minor, currency).major
    assert value == major
    assert isinstance(value, Decimal)
    assert str(value) == str(major)


@pytest.mark.parametrize(
    "minor",
    [10.0, 10.5, Decimal("10"), "10", True, False, None],
    ids=["float-whole", "float", "decimal", "str", "bool-true", "bool-false", "none"],
)
def test_minor_units_must_be_an_int(minor):
    with pytest.raises(TypeError, match="Money.minor must be an int"):
        Money(minor, "RUB")


@pytest.mark.parametrize("currency", ["USD", "rub", "", "RUR", "CNH"])
def test_unknown_currency_is_refused(currency):
    with pytest.raises(ValueError, match="unknown currency"):
        Money(100, currency)


@pytest.mark.parametrize(
    ("left", "right", "total", "difference"),
    [
        (Money(1000, "RUB"), Money(250, "RUB"), Money(1250, "RUB"), Money(750, "RUB")),
        (Money(1, "CNY"), Money(1, "CNY"), Money(2, "CNY"), Money(0, "CNY")),
        (Money(100, "CNY"), Money(300, "CNY"), Money(400, "CNY"), Money(-200, "CNY")),
    ],
)
def test_adding_and_subtracting_the_same_currency(left, right, total, difference):
    assert left + right == total
    assert left - right == difference


@pytest.mark.parametrize("op", ["add", "sub"])
def test_mixing_currencies_in_arithmetic_is_refused(op):
    rub, cny = Money(100, "RUB"), Money(100, "CNY")
    with pytest.raises(ValueError, match="cannot mix RUB and CNY"):
        if op == "add":
            rub + cny
        else:
            rub - cny


def test_equal_minor_units_of_different_currencies_are_not_equal():
    assert Money(100, "RUB") != Money(100, "CNY")
    assert Money(100, "RUB") == Money(100, "RUB")


def test_money_is_immutable():
    money = Money(100, "RUB")
    with pytest.raises(AttributeError):
        money.minor = 200  # type: ignore[misc]
    assert money.minor == 100


def test_ordering_within_one_currency():
    assert Money(999, "RUB") < Money(1000, "RUB")
    assert sorted([Money(3, "CNY"), Money(1, "CNY"), Money(2, "CNY")]) == [
        Money(1, "CNY"), Money(2, "CNY"), Money(3, "CNY")]


def test_ordering_across_currencies_is_refused_like_arithmetic():
    with pytest.raises(ValueError, match="cannot mix"):
        _ = Money(1, "RUB") < Money(2, "CNY")


# --- percentages: half-up to one minor unit ---------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "pct", "expected"),
    [
        (1010, Decimal("5"), 51),      # 50.5 rounds up
        (1009, Decimal("5"), 50),      # 50.45 rounds down
        (1000, Decimal("5"), 50),      # exact
        (10000, Decimal("5"), 500),
        (150000, Decimal("5"), 7500),
        (10, Decimal("5"), 1),         # 0.5 rounds up
        (9, Decimal("5"), 0),          # 0.45 rounds down
        (1, Decimal("50"), 1),         # 0.5 rounds up
        (1, Decimal("49"), 0),         # 0.49 rounds down
        (3, Decimal("50"), 2),         # 1.5 rounds up (not to even)
        (5, Decimal("50"), 3),         # 2.5 rounds up (banker's rounding would give 2)
        (999, Decimal("2.5"), 25),     # 24.975
        (1990, Decimal("0.5"), 10),    # 9.95
        (1989, Decimal("0.5"), 10),    # 9.945
        (1889, Decimal("0.5"), 9),     # 9.445
        (1100, Decimal("4.5"), 50),    # 49.5 rounds up
        (1099, Decimal("4.5"), 49),    # 49.455 rounds down
        (0, Decimal("5"), 0),
        (12345, Decimal("100"), 12345),
        (12345, Decimal("0"), 0),
        (1000, 5, 50),                 # an int percent works too
    ],
)
def test_percent_of_rounds_half_up_to_one_minor_unit(minor, pct, expected):
    result = percent_of(minor, pct)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("money", "pct", "expected"),
    [
        (Money(1010, "RUB"), Decimal("5"), Money(51, "RUB")),
        (Money(1009, "CNY"), Decimal("5"), Money(50, "CNY")),
        (Money(10000, "CNY"), Decimal("5"), Money(500, "CNY")),
    ],
)
def test_money_percent_keeps_the_currency(money, pct, expected):
    assert money.percent(pct) == expected


# --- amounts typed by a person ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [
        ("1500", "RUB", 150000),
        ("1 500", "RUB", 150000),
        ("1\u00a0500,50", "RUB", 150050),
        ("1 500,50", "RUB", 150050),
        ("99.9", "RUB", 9990),
        ("99,9", "RUB", 9990),
        ("99.99", "CNY", 9999),
        ("0.01", "CNY", 1),
        ("10", "CNY", 1000),
        ("10.5", "CNY", 1050),
        ("  10  ", "RUB", 1000),
        ("007", "RUB", 700),
        ("3 000", "CNY", 300000),
        ("0", "RUB", 0),
    ],
)
def test_parse_major_reads_amounts_into_minor_units(raw, currency, minor):
    result = parse_major(raw, currency)
    assert result == minor
    assert type(result) is int


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", " \u00a0 "])
def test_parse_major_empty(raw):
    with pytest.raises(MoneyError) as info:
        parse_major(raw, "RUB")
    assert info.value.code == "empty"


@pytest.mark.parametrize(
    "raw",
    [
        "1.999",      # three decimals: refused, not rounded
        "1,000",      # looks like a thousands separator: refused, not guessed
        "10.005",
        "-5",
        "+5",
        "1e3",
        "1E3",
        "abc",
        "10 руб",
        "10₽",
        "¥10",
        "1.",
        ".5",
        ",5",
        "1.2.3",
        "1_000",
        "0x10",
        "Infinity",
        "NaN",
        "1\t000",
    ],
)
def test_parse_major_refuses_what_it_would_have_to_guess(raw):
    with pytest.raises(MoneyError) as info:
        parse_major(raw, "RUB")
    assert info.value.code == "format"


def test_money_error_is_a_value_error_carrying_its_code():
    error = MoneyError("format")
    assert isinstance(error, ValueError)
    assert error.code == "format"
    assert str(error) == "format"
