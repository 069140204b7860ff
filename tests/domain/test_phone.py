"""Mobile numbers of a market (SPEC §1): parsing, refusals, display, and the operator guess."""

import pytest

from webapp.domain.markets import Market, Operator, TopupLimits
from webapp.domain.phone import (
    MobileNumber,
    PhoneError,
    format_international,
    masked,
    parse_mobile,
)
from webapp.rules import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


# --- numbers that can be topped up ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164", "international", "carrier_name"),
    [
        # Russia: national forms, trunk prefix 8, +7, brackets and dashes.
        ("903 123-45-67", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("8 903 123 45 67", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("89031234567", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("9031234567", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("+7 903 123-45-67", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("+7 (903) 123-45-67", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("  +79031234567  ", "RU", "+79031234567", "+7 903 123-45-67", "Beeline"),
        ("+7 926 123-45-67", "RU", "+79261234567", "+7 926 123-45-67", "MegaFon"),
        ("+7 977 123-45-67", "RU", "+79771234567", "+7 977 123-45-67", "T2"),
        ("+7 951 123-45-67", "RU", "+79511234567", "+7 951 123-45-67", "T2"),
        ("+7 982 123-45-67", "RU", "+79821234567", "+7 982 123-45-67", "MTS"),
        ("+7 916 123-45-67", "RU", "+79161234567", "+7 916 123-45-67", ""),
        # China: national 11-digit form, +86 and the 00 international prefix.
        ("138 1234 5678", "CN", "+8613812345678", "+86 138 1234 5678", "China Mobile"),
        ("13812345678", "CN", "+8613812345678", "+86 138 1234 5678", "China Mobile"),
        ("+86 138 1234 5678", "CN", "+8613812345678", "+86 138 1234 5678", "China Mobile"),
        ("008613812345678", "CN", "+8613812345678", "+86 138 1234 5678", "China Mobile"),
        ("130 1234 5678", "CN", "+8613012345678", "+86 130 1234 5678", "China Unicom"),
        ("133 1234 5678", "CN", "+8613312345678", "+86 133 1234 5678", "China Telecom"),
    ],
)
def test_parse_mobile_accepts_national_and_international_forms(
    raw, region, e164, international, carrier_name
):
    assert parse_mobile(raw, region) == MobileNumber(
        e164=e164, international=international, carrier_name=carrier_name
    )


# --- numbers that cannot ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "code"),
    [
        (None, "RU", "empty"),
        ("", "RU", "empty"),
        ("   ", "CN", "empty"),
        ("abc", "RU", "invalid"),
        ("123", "RU", "invalid"),
        ("+", "RU", "invalid"),
        ("+7 903 123 45 6", "RU", "invalid"),        # one digit short
        ("+7 903 123 45 678", "RU", "invalid"),      # one digit too many
        ("1381234567", "CN", "invalid"),             # 10 digits
        ("+7 903 123 45 67abc", "RU", "invalid"),
        ("0611", "RU", "invalid"),                   # Beeline's short support number
        # A valid number of another country.
        ("+86 138 1234 5678", "RU", "wrong_country"),
        ("+7 903 123-45-67", "CN", "wrong_country"),
        ("+7 701 123 45 67", "RU", "wrong_country"),  # +7 7xx is Kazakhstan
        ("+852 5123 4567", "CN", "wrong_country"),    # Hong Kong
        ("+1 650 253 0000", "RU", "wrong_country"),
        # Landlines and service numbers.
        ("+7 495 123-45-67", "RU", "not_mobile"),     # Moscow landline
        ("8 495 123-45-67", "RU", "not_mobile"),
        ("8 800 555-35-35", "RU", "not_mobile"),      # toll-free
        ("+86 10 1234 5678", "CN", "not_mobile"),     # Beijing landline
        ("010 1234 5678", "CN", "not_mobile"),
        ("400 810 0000", "CN", "not_mobile"),         # shared-cost service number
    ],
)
def test_parse_mobile_refusals(raw, region, code):
    with pytest.raises(PhoneError) as info:
        parse_mobile(raw, region)
    assert info.value.code == code


def test_phone_error_is_a_value_error_carrying_its_code():
    error = PhoneError("not_mobile")
    assert isinstance(error, ValueError)
    assert error.code == "not_mobile"
    assert str(error) == "not_mobile"


@pytest.mark.parametrize(
    ("raw", "region"), [("+7 903 CALL ME1", "RU"), ("138 ABCD 5678", "CN")]
)
def test_letters_in_a_number_are_refused_not_converted_to_keypad_digits(raw, region):
    with pytest.raises(PhoneError) as info:
        parse_mobile(raw, region)
    assert info.value.code == "invalid"


def test_a_mobile_number_with_an_extension_is_refused():
    with pytest.raises(PhoneError) as info:
        parse_mobile("903 123 45 67 ext. 5", "RU")
    assert info.value.code == "invalid"


# --- display ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+79031234567", "+7 903 123-45-67"),
        ("+79771234567", "+7 977 123-45-67"),
        ("+8613812345678", "+86 138 1234 5678"),
        ("not a number", "not a number"),
        ("", ""),
    ],
)
def test_format_international(e164, shown):
    assert format_international(e164) == shown


# --- operator guess from the carrier data -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "operator_id"),
    [
        ("+7 903 123-45-67", "RU", "beeline"),
        ("+7 926 123-45-67", "RU", "megafon"),
        ("+7 999 123-45-67", "RU", "megafon"),
        ("+7 977 123-45-67", "RU", "tele2"),
        ("+7 951 123-45-67", "RU", "tele2"),
        ("+7 958 123-45-67", "RU", "tele2"),
        ("+7 982 123-45-67", "RU", "mts"),
        ("+7 916 123-45-67", "RU", None),           # phonenumbers has no carrier for it
        ("+86 138 1234 5678", "CN", "china_mobile"),
        ("+86 130 1234 5678", "CN", "china_unicom"),
        ("+86 133 1234 5678", "CN", "china_telecom"),
        ("+86 199 1234 5678", "CN", "china_telecom"),
        ("+86 192 1234 5678", "CN", None),          # China Broadnet: not an operator here
    ],
)
def test_operator_is_guessed_from_the_number(rules, raw, region, operator_id):
    number = parse_mobile(raw, region)
    operator = rules.market(region).guess_operator(number.carrier_name)
    assert (operator.id if operator else None) == operator_id


@pytest.mark.parametrize(
    ("market", "carrier_name", "operator_id"),
    [
        ("RU", "Beeline", "beeline"),
        ("RU", "MegaFon", "megafon"),
        ("RU", "MTS", "mts"),
        ("RU", "Tele2", "tele2"),
        ("RU", "T2", "tele2"),
        ("RU", "", None),
        ("RU", "Yota", None),
        ("RU", "China Mobile", None),     # the other market's operator
        ("RU", "Beel", None),             # no substring matching
        ("CN", "China Mobile", "china_mobile"),
        ("CN", "China Unicom", "china_unicom"),
        ("CN", "China Telecom", "china_telecom"),
        ("CN", "China Broadnet", None),
        ("CN", "Beeline", None),
        ("CN", "", None),
    ],
)
def test_guess_operator_by_carrier_name(rules, market, carrier_name, operator_id):
    operator = rules.market(market).guess_operator(carrier_name)
    assert (operator.id if operator else None) == operator_id


def _market(*operators: Operator) -> Market:
    return Market(code="RU", currency="RUB", timezone="Europe/Moscow", operators=operators,
                  topup=TopupLimits(tiles=(10000,), min_amount=1000, max_amount=150000))


def test_an_unknown_carrier_never_matches_even_a_blank_carrier_name():
    # phonenumbers gives "" when it knows nothing; that must not pick an operator whose list
    # holds a blank entry (carrier_names = [""] in markets.toml) or no entry at all.
    market = _market(Operator("x", "X", "1", None, ()), Operator("b", "B", "2", None, ("",)),
                     Operator("y", "Y", "3", None, ("Y",)))
    assert market.guess_operator("") is None
    assert market.guess_operator("Y").id == "y"


@pytest.mark.parametrize(
    ("operator_id", "found"),
    [("mts", "MTS"), ("tele2", "Tele2"), ("china_mobile", None), ("", None), (None, None)],
)
def test_market_operator_lookup_by_id(rules, operator_id, found):
    operator = rules.market("RU").operator(operator_id)
    assert (operator.name if operator else None) == found


@pytest.mark.parametrize(("e164", "shown"), [
    ("+8613812345678", "+86 138 **** 5678"), ("+79031234567", "+7 903 *** 4567"),
    ("+861381234", "+86 *******"), ("nonsense", "****")])
def test_a_payer_is_masked_on_a_receipt(e164, shown):
    assert masked(e164) == shown
