"""Top-up amounts and promotions (SPEC §2.1, §2.5), with the real market rules."""

from decimal import Decimal

import pytest

from webapp.domain.markets import TopupLimits
from webapp.domain.topup import AmountError, Price, Promotion, check_amount, price_for
from webapp.rules import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


# --- amount range per market ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("market", "minor", "error"),
    [
        # RU: 10 ₽ .. 1 500 ₽
        ("RU", -1, "too_small"),
        ("RU", 0, "too_small"),
        ("RU", 999, "too_small"),
        ("RU", 1000, None),
        ("RU", 1001, None),
        ("RU", 10000, None),
        ("RU", 149999, None),
        ("RU", 150000, None),
        ("RU", 150001, "too_large"),
        ("RU", 300000, "too_large"),
        # CN: 10 元 .. 3 000 元
        ("CN", 0, "too_small"),
        ("CN", 999, "too_small"),
        ("CN", 1000, None),
        ("CN", 150001, None),            # above the RU maximum, fine in CN
        ("CN", 299999, None),
        ("CN", 300000, None),
        ("CN", 300001, "too_large"),
    ],
)
def test_check_amount_boundaries(rules, market, minor, error):
    limits = rules.market(market).topup
    if error is None:
        assert check_amount(minor, limits) == minor
    else:
        with pytest.raises(AmountError) as info:
            check_amount(minor, limits)
        assert info.value.code == error


@pytest.mark.parametrize("market", ["RU", "CN"])
def test_every_tile_passes_the_amount_check(rules, market):
    limits = rules.market(market).topup
    assert [check_amount(tile, limits) for tile in limits.tiles] == list(limits.tiles)


def test_check_amount_with_a_single_allowed_amount():
    limits = TopupLimits(tiles=(), min_amount=500, max_amount=500)
    assert check_amount(500, limits) == 500
    with pytest.raises(AmountError) as low:
        check_amount(499, limits)
    with pytest.raises(AmountError) as high:
        check_amount(501, limits)
    assert (low.value.code, high.value.code) == ("too_small", "too_large")


def test_amount_error_is_a_value_error_carrying_its_code():
    error = AmountError("too_large")
    assert isinstance(error, ValueError)
    assert error.code == "too_large"


# --- one promotion ----------------------------------------------------------------------------

OFF_2_ON_100 = Promotion(id="off", market="CN", kind="amount_off", min_amount=10000, off=200)
FIRST_5_PCT = Promotion(id="first", market="CN", kind="first_topup_percent",
                        percent=Decimal("5"))


@pytest.mark.parametrize(
    ("amount", "first_topup", "discount"),
    [
        (9999, False, 0),       # one minor unit below the threshold
        (9999, True, 0),
        (10000, False, 200),    # exactly at the threshold
        (10000, True, 200),     # amount_off does not care about the first top-up
        (10001, False, 200),
        (300000, False, 200),   # a fixed amount, not a percentage
        (0, False, 0),
    ],
)
def test_amount_off_applies_from_min_amount_inclusive(amount, first_topup, discount):
    assert OFF_2_ON_100.discount(amount, first_topup) == discount


def test_amount_off_never_takes_more_than_the_amount():
    promo = Promotion(id="big", market="RU", kind="amount_off", min_amount=0, off=500)
    assert promo.discount(300, False) == 300
    assert promo.discount(500, False) == 500
    assert promo.discount(501, False) == 500


@pytest.mark.parametrize(
    ("amount", "first_topup", "discount"),
    [
        (1010, True, 51),       # 50.5 rounds half-up
        (1009, True, 50),       # 50.45 rounds down
        (1000, True, 50),
        (10000, True, 500),
        (300000, True, 15000),
        (10, True, 1),          # 0.5
        (9, True, 0),           # 0.45
        (1010, False, 0),       # only the first top-up of a number
        (10000, False, 0),
        (300000, False, 0),
    ],
)
def test_first_topup_percent(amount, first_topup, discount):
    assert FIRST_5_PCT.discount(amount, first_topup) == discount


def test_first_topup_percent_respects_a_min_amount():
    promo = Promotion(id="p", market="RU", kind="first_topup_percent", min_amount=5000,
                      percent=Decimal("10"))
    assert promo.discount(4999, True) == 0
    assert promo.discount(5000, True) == 500


def test_unknown_promotion_kind_is_an_error_not_a_silent_zero():
    promo = Promotion(id="p", market="RU", kind="cashback", off=100)
    with pytest.raises(ValueError, match="unknown promotion kind 'cashback'"):
        promo.discount(10000, True)


# --- the best single promotion, synthetic -----------------------------------------------------


def test_no_promotions_means_paying_the_amount():
    assert price_for(10000, (), True) == Price(amount=10000, to_pay=10000, promotion=None)
    assert price_for(10000, (), True).discount == 0


@pytest.mark.parametrize(
    ("promotions", "amount", "first_topup", "to_pay", "winner"),
    [
        ((OFF_2_ON_100, FIRST_5_PCT), 10000, True, 9500, "first"),   # 500 beats 200
        ((FIRST_5_PCT, OFF_2_ON_100), 10000, True, 9500, "first"),   # order does not matter
        ((OFF_2_ON_100, FIRST_5_PCT), 10000, False, 9800, "off"),
        ((OFF_2_ON_100, FIRST_5_PCT), 3000, True, 2850, "first"),
        ((OFF_2_ON_100, FIRST_5_PCT), 3000, False, 3000, None),
        ((OFF_2_ON_100, FIRST_5_PCT), 9999, False, 9999, None),
        ((OFF_2_ON_100, FIRST_5_PCT), 9999, True, 9499, "first"),    # 499.95 → 500
        # 5 % of 3 999 = 199.95 → 200 ties with 200 off: one applies (the first listed).
        ((Promotion("a", "CN", "amount_off", 0, 200), FIRST_5_PCT), 3999, True, 3799, "a"),
    ],
)
def test_best_single_promotion_wins(promotions, amount, first_topup, to_pay, winner):
    price = price_for(amount, promotions, first_topup)
    assert price.amount == amount
    assert price.to_pay == to_pay
    assert price.discount == amount - to_pay
    assert (price.promotion.id if price.promotion else None) == winner


def test_promotions_do_not_stack():
    two_off = Promotion("a", "RU", "amount_off", min_amount=0, off=100)
    three_off = Promotion("b", "RU", "amount_off", min_amount=0, off=300)
    price = price_for(10000, (two_off, three_off, FIRST_5_PCT), first_topup=True)
    assert price.to_pay == 9500   # 500 off, not 100 + 300 + 500
    assert price.promotion is FIRST_5_PCT


# --- the real promotions of rules/promotions.toml ---------------------------------------------


def test_real_promotions_by_market(rules):
    assert [p.id for p in rules.promotions_for("CN")] == ["cn-100-minus-2", "cn-first-5pct"]
    assert [p.id for p in rules.promotions_for("RU")] == ["ru-500-minus-15", "ru-first-5pct"]
    assert rules.promotions_for("JP") == ()


@pytest.mark.parametrize(
    ("market", "amount", "first_topup", "to_pay", "winner"),
    [
        # CN tiles: 30, 50, 100, 200, 300, 500 元
        ("CN", 3000, False, 3000, None),
        ("CN", 3000, True, 2850, "cn-first-5pct"),
        ("CN", 5000, False, 5000, None),
        ("CN", 5000, True, 4750, "cn-first-5pct"),
        ("CN", 10000, False, 9800, "cn-100-minus-2"),
        ("CN", 10000, True, 9500, "cn-first-5pct"),
        ("CN", 20000, False, 19800, "cn-100-minus-2"),
        ("CN", 20000, True, 19000, "cn-first-5pct"),
        ("CN", 30000, False, 29800, "cn-100-minus-2"),
        ("CN", 30000, True, 28500, "cn-first-5pct"),
        ("CN", 50000, False, 49800, "cn-100-minus-2"),
        ("CN", 50000, True, 47500, "cn-first-5pct"),
        # CN other amounts around the 100 元 threshold and the limits
        ("CN", 9999, False, 9999, None),
        ("CN", 1000, True, 950, "cn-first-5pct"),
        ("CN", 1010, True, 959, "cn-first-5pct"),     # 50.5 → 51 off
        ("CN", 1009, True, 959, "cn-first-5pct"),     # 50.45 → 50 off
        ("CN", 300000, False, 299800, "cn-100-minus-2"),
        ("CN", 300000, True, 285000, "cn-first-5pct"),
        # RU tiles: 100, 200, 300, 500 ₽
        ("RU", 10000, False, 10000, None),
        ("RU", 10000, True, 9500, "ru-first-5pct"),
        ("RU", 20000, False, 20000, None),
        ("RU", 20000, True, 19000, "ru-first-5pct"),
        ("RU", 30000, False, 30000, None),
        ("RU", 30000, True, 28500, "ru-first-5pct"),
        ("RU", 50000, False, 48500, "ru-500-minus-15"),
        ("RU", 50000, True, 47500, "ru-first-5pct"),
        # RU other amounts
        ("RU", 49999, False, 49999, None),
        ("RU", 1000, False, 1000, None),
        ("RU", 150000, False, 148500, "ru-500-minus-15"),
        ("RU", 150000, True, 142500, "ru-first-5pct"),
    ],
)
def test_price_with_the_real_promotions(rules, market, amount, first_topup, to_pay, winner):
    price = price_for(amount, rules.promotions_for(market), first_topup)
    assert (price.amount, price.to_pay) == (amount, to_pay)
    assert (price.promotion.id if price.promotion else None) == winner


@pytest.mark.parametrize(
    ("market", "first_topup", "prices"),
    [
        ("CN", False, [3000, 5000, 9800, 19800, 29800, 49800]),
        ("CN", True, [2850, 4750, 9500, 19000, 28500, 47500]),
        ("RU", False, [10000, 20000, 30000, 48500]),
        ("RU", True, [9500, 19000, 28500, 47500]),
    ],
)
def test_tile_prices_shown_to_the_payer(rules, market, first_topup, prices):
    market_rules = rules.market(market)
    promotions = rules.promotions_for(market)
    shown = [price_for(t, promotions, first_topup).to_pay for t in market_rules.topup.tiles]
    assert shown == prices
