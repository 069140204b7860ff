"""The rule data files: the real ones load into typed objects; a broken one stops start-up with
a RulesError that names the file and the key."""

import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from webapp.domain.cards import TestCard
from webapp.domain.markets import Operator, TopupLimits
from webapp.domain.topup import Promotion
from webapp.rules import RulesError, load_rules
from webapp.rules.loader import RULES_DIR

RULE_FILES = sorted(p.name for p in RULES_DIR.glob("*.toml"))


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A copy of the real rule files that a test may break."""
    for name in RULE_FILES:
        shutil.copy(RULES_DIR / name, tmp_path / name)
    return tmp_path


def edit(directory: Path, name: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a rule file (fails if it is not exactly once)."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the real files ---------------------------------------------------------------------------


def test_the_rule_files_this_module_breaks_exist():
    assert {"cards.toml", "markets.toml", "orders.toml", "promotions.toml"} <= set(RULE_FILES)


def test_real_markets():
    rules = load_rules()
    assert list(rules.markets) == ["RU", "CN"]
    ru, cn = rules.markets["RU"], rules.markets["CN"]
    assert (ru.code, ru.currency, ru.timezone) == ("RU", "RUB", "Europe/Moscow")
    assert (cn.code, cn.currency, cn.timezone) == ("CN", "CNY", "Asia/Shanghai")
    assert ru.topup == TopupLimits(tiles=(10000, 20000, 30000, 50000),
                                   min_amount=1000, max_amount=150000)
    assert cn.topup == TopupLimits(tiles=(3000, 5000, 10000, 20000, 30000, 50000),
                                   min_amount=1000, max_amount=300000)


def test_real_operators_match_the_spec_table():
    rules = load_rules()
    assert rules.markets["RU"].operators == (
        Operator("mts", "MTS", "0890", "6996", ("MTS",)),
        Operator("megafon", "MegaFon", "0500", "117006619", ("MegaFon",)),
        Operator("beeline", "Beeline", "0611", "8464", ("Beeline",)),
        Operator("tele2", "Tele2", "611", "3116", ("Tele2", "T2")),
    )
    assert rules.markets["CN"].operators == (
        Operator("china_mobile", "China Mobile", "10086", None, ("China Mobile",)),
        Operator("china_unicom", "China Unicom", "10010", None, ("China Unicom",)),
        Operator("china_telecom", "China Telecom", "10000", None, ("China Telecom",)),
    )


@pytest.mark.parametrize(("market", "operator", "names"), [
    # Russian pages write Russian operators in Cyrillic, Chinese ones in Latin letters.
    ("RU", "mts", {"ru": "МТС", "en": "MTS", "zh": "MTS"}),
    ("RU", "megafon", {"ru": "МегаФон", "en": "MegaFon", "zh": "MegaFon"}),
    ("RU", "beeline", {"ru": "Билайн", "en": "Beeline", "zh": "Beeline"}),
    ("RU", "tele2", {"ru": "Tele2", "en": "Tele2", "zh": "Tele2"}),
    # Chinese pages write 中国移动 alone (it wrapped to three lines with the English name).
    ("CN", "china_mobile", {"ru": "China Mobile", "en": "China Mobile", "zh": "中国移动"}),
    ("CN", "china_unicom", {"ru": "China Unicom", "en": "China Unicom", "zh": "中国联通"}),
    ("CN", "china_telecom", {"ru": "China Telecom", "en": "China Telecom", "zh": "中国电信"}),
])
def test_operator_names_by_language(market, operator, names):
    found = load_rules().market(market).operator(operator)
    assert {lang: found.name_in(lang) for lang in names} == names
    assert found.name_in("qps").startswith("[") and found.name_in("qps").endswith("]")


def test_operator_name_after_fee_of_is_inflected_in_russian():
    ru = load_rules().market("RU")
    assert [ru.operator(op).name_in("ru", "of") for op in ("mts", "megafon", "beeline")] == [
        "МТС", "МегаФона", "Билайна"]
    assert ru.operator("beeline").name_in("en", "of") == "Beeline"


def test_operator_names_must_be_texts(rules_dir):
    edit(rules_dir, "markets.toml", 'names = { ru = "МТС" }', 'names = { ru = 5 }')
    with pytest.raises(RulesError, match=r"markets.toml: RU.operators\[0\].names.ru"):
        load_rules(rules_dir)


def test_real_promotions():
    assert load_rules().promotions == (
        Promotion("cn-100-minus-2", "CN", "amount_off", min_amount=10000, off=200),
        Promotion("cn-first-5pct", "CN", "first_topup_percent", percent=Decimal("5")),
        Promotion("ru-500-minus-15", "RU", "amount_off", min_amount=50000, off=1500),
        Promotion("ru-first-5pct", "RU", "first_topup_percent", percent=Decimal("5")),
    )


def test_real_test_cards_carry_their_brand():
    assert load_rules().test_cards == (
        TestCard("4242424242424242", "visa", "success"),
        TestCard("5555555555554444", "mastercard", "success"),
        TestCard("2200000000000004", "mir", "success"),
        TestCard("6200000000000005", "unionpay", "success"),
        TestCard("4000000000009995", "visa", "insufficient_funds"),
        TestCard("4000000000000002", "visa", "do_not_honor"),
        TestCard("4000000000000069", "visa", "expired_card"),
        TestCard("4000002760003184", "visa", "requires_3ds"),
    )


def test_real_private_refusal_ration():
    assert load_rules().refusal_sms_every == timedelta(hours=1)


def test_real_payment_window():
    assert load_rules().payment_window == timedelta(hours=1)


@pytest.mark.parametrize(
    ("code", "found"), [("RU", "RU"), ("ru", "RU"), ("CN", "CN"), ("cn", "CN"), ("JP", None),
                        ("", None), (None, None)],
)
def test_market_lookup_ignores_case(code, found):
    market = load_rules().market(code)
    assert (market.code if market else None) == found


@pytest.mark.parametrize(
    ("operator_id", "name"),
    [("tele2", "Tele2"), ("china_telecom", "China Telecom"), ("nope", None), ("", None)],
)
def test_operator_lookup_across_markets(operator_id, name):
    operator = load_rules().operator(operator_id)
    assert (operator.name if operator else None) == name


def test_an_unchanged_copy_loads_the_same_rules(rules_dir):
    assert load_rules(rules_dir) == load_rules()
    assert load_rules(str(rules_dir)) == load_rules()


# --- broken files: one thing at a time --------------------------------------------------------

RU_LIMITS = "topup_min = 10\ntopup_max = 1500\n"
CN_LIMITS = "topup_min = 10\ntopup_max = 3000\n"
CN_100_PROMO = 'min_amount = 100\noff = 2\n'
CN_PCT = 'id = "cn-first-5pct"\nmarket = "CN"\nkind = "first_topup_percent"\npercent = "5"\n'
FIRST_CARD = 'number = "4242424242424242"\noutcome = "success"\n'


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        # markets.toml: missing keys
        ("markets.toml", 'currency = "RUB"\n', "", "markets.toml: RU.currency: missing"),
        ("markets.toml", 'timezone = "Asia/Shanghai"\n', "",
         "markets.toml: CN.timezone: missing"),
        ("markets.toml", RU_LIMITS, "topup_min = 10\n", "markets.toml: RU.topup_max: missing"),
        ("markets.toml", CN_LIMITS, "topup_max = 3000\n", "markets.toml: CN.topup_min: missing"),
        ("markets.toml", "topup_tiles = [100, 200, 300, 500]\n", "",
         "markets.toml: RU.topup_tiles: missing"),
        ("markets.toml", 'name = "MTS"\n', "", "markets.toml: RU.operators[0].name: missing"),
        ("markets.toml", 'id = "china_telecom"\n', "",
         "markets.toml: CN.operators[2].id: missing"),
        ("markets.toml", 'support_number = "10000"\n', "",
         "markets.toml: CN.operators[2].support_number: missing"),
        # markets.toml: wrong types and unknown values
        ("markets.toml", 'currency = "RUB"', "currency = 643",
         "markets.toml: RU.currency: expected str, got 643"),
        ("markets.toml", 'currency = "CNY"', 'currency = "YEN"',
         "markets.toml: CN.currency: unknown currency 'YEN'"),
        ("markets.toml", 'currency = "RUB"', 'currency = "rub"',
         "markets.toml: RU.currency: unknown currency 'rub'"),
        ("markets.toml", "Europe/Moscow", "Europe/Atlantis",
         "markets.toml: RU.timezone: unknown timezone 'Europe/Atlantis'"),
        ("markets.toml", "Asia/Shanghai", "Asia/Beijing",
         "markets.toml: CN.timezone: unknown timezone 'Asia/Beijing'"),
        ("markets.toml", "Europe/Moscow", "",
         "markets.toml: RU.timezone: unknown timezone ''"),
        ("markets.toml", "Europe/Moscow", "../Moscow",
         "markets.toml: RU.timezone: unknown timezone '../Moscow'"),
        ("markets.toml", 'short_number = "6996"', "short_number = 6996",
         "markets.toml: RU.operators[0].short_number: expected str, got 6996"),
        ("markets.toml", 'carrier_names = ["Tele2", "T2"]', 'carrier_names = "T2"',
         "markets.toml: RU.operators[3].carrier_names: expected list, got 'T2'"),
        # markets.toml: amounts
        ("markets.toml", RU_LIMITS, "topup_min = 2000\ntopup_max = 1500\n",
         "markets.toml: RU.topup_min: is above topup_max"),
        ("markets.toml", CN_LIMITS, "topup_min = 3001\ntopup_max = 3000\n",
         "markets.toml: CN.topup_min: is above topup_max"),
        ("markets.toml", RU_LIMITS, "topup_min = 0\ntopup_max = 1500\n",
         "markets.toml: RU.topup_min: must be a positive amount with at most 2 decimals: 0"),
        ("markets.toml", RU_LIMITS, "topup_min = -10\ntopup_max = 1500\n",
         "markets.toml: RU.topup_min: must be a positive amount with at most 2 decimals: -10"),
        ("markets.toml", RU_LIMITS, 'topup_min = "10.005"\ntopup_max = 1500\n',
         "markets.toml: RU.topup_min: must be a positive amount with at most 2 decimals: "
         "'10.005'"),
        ("markets.toml", RU_LIMITS, 'topup_min = 10\ntopup_max = "lots"\n',
         "markets.toml: RU.topup_max: not an amount: 'lots'"),
        ("markets.toml", RU_LIMITS, "topup_min = 10.5\ntopup_max = 1500\n",
         "markets.toml: RU.topup_min: expected"),
        ("markets.toml", RU_LIMITS, "topup_min = true\ntopup_max = 1500\n",
         "markets.toml: RU.topup_min: expected"),
        # markets.toml: tiles
        ("markets.toml", "[100, 200, 300, 500]", "[100, 200, 300, 500, 2000]",
         "markets.toml: RU.topup_tiles: tile 200000 minor units is outside min..max"),
        ("markets.toml", "[100, 200, 300, 500]", "[5, 100, 200, 300, 500]",
         "markets.toml: RU.topup_tiles: tile 500 minor units is outside min..max"),
        ("markets.toml", "[30, 50, 100, 200, 300, 500]", "[30, 50, 100, 3000.01]",
         "markets.toml: CN.topup_tiles"),
        ("markets.toml", "[30, 50, 100, 200, 300, 500]", '[30, 50, 100, "3000.01"]',
         "markets.toml: CN.topup_tiles: tile 300001 minor units is outside min..max"),
        ("markets.toml", "[100, 200, 300, 500]", "[100, 0, 300, 500]",
         "markets.toml: RU.topup_tiles"),
        # promotions.toml
        ("promotions.toml", 'kind = "amount_off"\nmin_amount = 100',
         'kind = "cashback"\nmin_amount = 100',
         "promotions.toml: promotion[0].kind: unknown kind 'cashback'"),
        ("promotions.toml", 'id = "cn-100-minus-2"\nmarket = "CN"',
         'id = "cn-100-minus-2"\nmarket = "JP"',
         "promotions.toml: promotion[0].market: unknown market"),
        ("promotions.toml", 'id = "ru-first-5pct"\nmarket = "RU"',
         'id = "ru-first-5pct"\nmarket = "ru"',
         "promotions.toml: promotion[3].market: unknown market"),
        ("promotions.toml", 'id = "cn-100-minus-2"\n', "",
         "promotions.toml: promotion[0].id: missing"),
        ("promotions.toml", 'id = "ru-500-minus-15"\nmarket = "RU"\n', 'id = "ru-500-minus-15"\n',
         "promotions.toml: promotion[2].market: missing"),
        ("promotions.toml", CN_100_PROMO, "min_amount = 100\n",
         "promotions.toml: promotion[0].off: missing"),
        ("promotions.toml", CN_100_PROMO, "off = 2\n",
         "promotions.toml: promotion[0].min_amount: missing"),
        ("promotions.toml", CN_100_PROMO, "min_amount = 100\noff = 0\n",
         "promotions.toml: promotion[0].off: must be a positive amount"),
        ("promotions.toml", CN_PCT, CN_PCT.replace('"5"', '"100"'),
         "promotions.toml: promotion[1].percent: must be between 0 and 100"),
        ("promotions.toml", CN_PCT, CN_PCT.replace('"5"', '"0"'),
         "promotions.toml: promotion[1].percent: must be between 0 and 100"),
        ("promotions.toml", CN_PCT, CN_PCT.replace('"5"', '"five"'),
         "promotions.toml: promotion[1].percent: not a number"),
        ("promotions.toml", CN_PCT, CN_PCT.replace('percent = "5"\n', ""),
         "promotions.toml: promotion[1].percent: missing"),
        # cards.toml
        ("cards.toml", FIRST_CARD, 'number = "4242424242424241"\noutcome = "success"\n',
         "cards.toml: card[0].number: 4242424242424241 is not a valid card number of "
         "a known brand"),
        ("cards.toml", '"5555555555554444"', '"340000000000009"',
         "cards.toml: card[1].number: 340000000000009 is not a valid card number of "
         "a known brand"),
        ("cards.toml", '"2200000000000004"', '"2200 0000 0000 0004"',
         "cards.toml: card[2].number"),
        ("cards.toml", '"6200000000000005"', "6200000000000005",
         "cards.toml: card[3].number: expected str"),
        ("cards.toml", '"insufficient_funds"', '"stolen"',
         "cards.toml: card[4].outcome: unknown outcome 'stolen'"),
        ("cards.toml", FIRST_CARD, 'number = "4242424242424242"\n',
         "cards.toml: card[0].outcome: missing"),
        ("cards.toml", '"requires_3ds"', '"Requires_3DS"',
         "cards.toml: card[7].outcome: unknown outcome 'Requires_3DS'"),
        # orders.toml
        ("orders.toml", "= 60", "= 0", "orders.toml: payment_window_minutes: must be positive"),
        ("orders.toml", "= 60", "= -60",
         "orders.toml: payment_window_minutes: must be positive"),
        ("orders.toml", "= 60", '= "60"',
         "orders.toml: payment_window_minutes: expected int, got '60'"),
        ("orders.toml", "payment_window_minutes = 60", "payment_window = 60",
         "orders.toml: payment_window_minutes: missing"),
        # codes.toml
        ("codes.toml", "digits = 6\n", "", "codes.toml: digits: missing"),
        ("codes.toml", "digits = 6\n", "digits = 3\n",
         "codes.toml: digits: must be between 4 and 10"),
        ("codes.toml", "digits = 6\n", "digits = 11\n",
         "codes.toml: digits: must be between 4 and 10"),
        ("codes.toml", "valid_minutes = 10", "valid_minutes = 0",
         "codes.toml: valid_minutes: must be positive"),
        ("codes.toml", "max_wrong_tries = 5", 'max_wrong_tries = "5"',
         "codes.toml: max_wrong_tries: expected int, got '5'"),
        # mcommerce.toml: how often a number may be told a private refusal's reason
        ("mcommerce.toml", "same_reason_every_minutes = 60", "same_reason_every_minutes = 0",
         "mcommerce.toml: private_refusals.same_reason_every_minutes: must be positive"),
        ("mcommerce.toml", "[private_refusals]\nsame_reason_every_minutes = 60\n", "",
         "mcommerce.toml: private_refusals: missing"),
    ],
)
def test_a_broken_rule_names_its_file_and_key(rules_dir, name, old, new, message):
    edit(rules_dir, name, old, new)
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("name", "old", "new", "line"),
    [
        ("markets.toml", RU_LIMITS, "topup_min = = 10\ntopup_max = 1500\n", "line 11"),
        ("cards.toml", FIRST_CARD, 'number = "4242424242424242\noutcome = "success"\n', "line 5"),
        ("promotions.toml", "[[promotion]]\nid = \"cn-100-minus-2\"",
         "[[promotion]\nid = \"cn-100-minus-2\"", "line 5"),
        ("orders.toml", "payment_window_minutes = 60", "payment_window_minutes 60", "line 2"),
    ],
)
def test_a_toml_syntax_error_names_the_file_and_line(rules_dir, name, old, new, line):
    edit(rules_dir, name, old, new)
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith(f"{name}: ")
    assert f"(at {line}, column " in str(info.value)


@pytest.mark.parametrize("name", RULE_FILES)
def test_a_missing_file_is_named(rules_dir, name):
    (rules_dir / name).unlink()
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value) == f"{name}: file not found in {rules_dir}"


def test_a_directory_without_rules(tmp_path):
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path / "nowhere")
    assert str(info.value).startswith("markets.toml: file not found in ")


def test_a_market_without_operators(rules_dir):
    text = (rules_dir / "markets.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("[[CN.operators]]")
    (rules_dir / "markets.toml").write_text(head, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith("markets.toml: CN.operators: missing")


def test_a_market_with_an_empty_operator_list(rules_dir):
    text = (rules_dir / "markets.toml").read_text(encoding="utf-8")
    head, _, _ = text.partition("[[CN.operators]]")
    (rules_dir / "markets.toml").write_text(head + "operators = []\n", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value) == "markets.toml: CN.operators: a market needs at least one operator"


def test_a_cards_file_without_cards(rules_dir):
    (rules_dir / "cards.toml").write_text("# no cards\n", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value) == "cards.toml: card: missing"


def test_no_promotions_at_all_is_allowed(rules_dir):
    (rules_dir / "promotions.toml").write_text("# none this month\n", encoding="utf-8")
    assert load_rules(rules_dir).promotions == ()


def test_a_changed_value_is_read_in_minor_units(rules_dir):
    edit(rules_dir, "markets.toml", RU_LIMITS, 'topup_min = "10.50"\ntopup_max = 2000\n')
    edit(rules_dir, "orders.toml", "= 60", "= 15")
    rules = load_rules(rules_dir)
    assert (rules.markets["RU"].topup.min_amount, rules.markets["RU"].topup.max_amount) == (
        1050, 200000)
    assert rules.payment_window == timedelta(minutes=15)


# --- broken files the loader lets through or crashes on ---------------------------------------


def test_an_infinite_amount_is_a_rules_error(rules_dir):
    edit(rules_dir, "markets.toml", RU_LIMITS, 'topup_min = 10\ntopup_max = "Infinity"\n')
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith("markets.toml: RU.topup_max: ")


def test_a_nan_percent_is_a_rules_error(rules_dir):
    edit(rules_dir, "promotions.toml", CN_PCT, CN_PCT.replace('"5"', '"NaN"'))
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith("promotions.toml: promotion[1].percent: ")


def test_a_stray_top_level_value_in_markets_is_a_rules_error(rules_dir):
    edit(rules_dir, "markets.toml", "[RU]\n", "version = 1\n\n[RU]\n")
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith("markets.toml: version")


def test_a_test_card_of_a_wrong_length_is_a_rules_error(rules_dir):
    edit(rules_dir, "cards.toml", '"4242424242424242"', '"400000000000006"')
    with pytest.raises(RulesError) as info:
        load_rules(rules_dir)
    assert str(info.value).startswith("cards.toml: card[0].number: ")
