"""Which methods an order offers (rules/payments.toml through the registry), and what the
loader and the app refuse there."""

from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import TestConfig
from webapp.payments import registry
from webapp.rules import RulesError, load_rules

from .test_rules_loader import edit, rules_dir  # noqa: F401 (a fixture)


@pytest.mark.parametrize("market, kind, channel, methods", [
    ("RU", "goods", "phone", ("card", "mobile_balance")),  # Russia: the card first
    ("RU", "topup", "phone", ("card",)),
    ("RU", "goods", "kiosk", ("card",)),  # no SMS reply at a terminal
    ("CN", "goods", "phone", ("card",)),
    ("CN", "topup", "kiosk", ("cash", "card")),  # a kiosk takes cash first (SPEC §7)
    ("RU", "topup", "kiosk", ("cash", "card")),
])
def test_methods_offered_by_market_kind_and_channel(market, kind, channel, methods):
    assert registry.offered(load_rules(), market, kind, channel) == methods


def test_only_registered_methods_are_offered(rules_dir):  # noqa: F811
    edit(rules_dir, "payments.toml", 'phone = ["card", "mobile_balance"]',
         'phone = ["wallet", "card", "mobile_balance"]')
    rules = load_rules(rules_dir)
    assert registry.unknown(rules) == {"wallet"}
    assert registry.offered(rules, "RU", "goods", "phone") == ("card", "mobile_balance")
    registry.register("wallet", lambda rules, ports: None)
    try:
        assert registry.offered(rules, "RU", "goods", "phone") == (
            "wallet", "card", "mobile_balance")
    finally:
        registry.unregister("wallet")


def test_the_app_does_not_start_with_an_unknown_method(rules_dir):  # noqa: F811
    edit(rules_dir, "payments.toml", 'phone = ["card", "mobile_balance"]',
         'phone = ["card", "cheque"]')

    class Config(TestConfig):
        RULES_DIR = str(rules_dir)

    with pytest.raises(RulesError, match="payments.toml: no such payment method: cheque"):
        create_app(Config)


@pytest.mark.parametrize("old, new, message", [
    ('[CN.goods]\nphone = ["card"]\nkiosk = ["card"]\n', "", "payments.toml: CN.goods: missing"),
    ('phone = ["card", "mobile_balance"]', "phone = []", "RU.goods.phone: a list of method"),
    ('phone = ["card", "mobile_balance"]', 'phone = ["card", "card"]', "RU.goods.phone"),
    ('phone = ["card", "mobile_balance"]', 'phone = "card"', "RU.goods.phone: expected list"),
])
def test_a_broken_payments_file_names_its_key(rules_dir, old, new, message):  # noqa: F811
    edit(rules_dir, "payments.toml", old, new)
    with pytest.raises(RulesError, match=message.replace(".", r"\.")):
        load_rules(rules_dir)


def test_every_method_in_the_real_file_is_registered():
    assert registry.unknown(load_rules()) == set()
    assert Path(registry.method("card").partial).name == "card.html"
