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
    # Russia: the card first, the wallet after it (SPEC §3.3)
    ("RU", "goods", "phone", ("card", "wallet", "mobile_balance")),
    ("RU", "topup", "phone", ("card", "wallet")),
    ("RU", "goods", "kiosk", ("card", "wallet")),  # no SMS reply at a terminal
    ("CN", "goods", "phone", ("wallet", "card")),  # China: the wallet first
    ("CN", "topup", "kiosk", ("cash", "wallet", "card")),  # a kiosk takes cash first (SPEC §7)
    ("RU", "topup", "kiosk", ("cash", "card", "wallet")),
])
def test_methods_offered_by_market_kind_and_channel(market, kind, channel, methods):
    assert registry.offered(load_rules(), market, kind, channel) == methods


def test_only_registered_methods_are_offered(rules_dir):  # noqa: F811
    edit(rules_dir, "payments.toml", 'phone = ["card", "wallet", "mobile_balance"]',
         'phone = ["voucher", "card", "mobile_balance"]')
    rules = load_rules(rules_dir)
    assert registry.unknown(rules) == {"voucher"}
    assert registry.offered(rules, "RU", "goods", "phone") == ("card", "mobile_balance")
    registry.register("voucher", lambda rules, ports: None)
    try:
        assert registry.offered(rules, "RU", "goods", "phone") == (
            "voucher", "card", "mobile_balance")
    finally:
        registry.unregister("voucher")


def test_the_app_does_not_start_with_an_unknown_method(rules_dir):  # noqa: F811
    edit(rules_dir, "payments.toml", 'phone = ["card", "wallet", "mobile_balance"]',
         'phone = ["card", "cheque"]')

    class Config(TestConfig):
        RULES_DIR = str(rules_dir)

    with pytest.raises(RulesError, match="payments.toml: no such payment method: cheque"):
        create_app(Config)


@pytest.mark.parametrize("old, new, message", [
    ('[CN.goods]\nphone = ["wallet", "card"]\nkiosk = ["wallet", "card"]\n', "",
     "payments.toml: CN.goods: missing"),
    ('phone = ["card", "wallet", "mobile_balance"]', "phone = []",
     "RU.goods.phone: a list of method"),
    ('phone = ["card", "wallet", "mobile_balance"]', 'phone = ["card", "card"]',
     "RU.goods.phone"),
    ('phone = ["card", "wallet", "mobile_balance"]', 'phone = "card"',
     "RU.goods.phone: expected list"),
])
def test_a_broken_payments_file_names_its_key(rules_dir, old, new, message):  # noqa: F811
    edit(rules_dir, "payments.toml", old, new)
    with pytest.raises(RulesError, match=message.replace(".", r"\.")):
        load_rules(rules_dir)


def test_every_method_in_the_real_file_is_registered():
    assert registry.unknown(load_rules()) == set()
    assert Path(registry.method("card").partial).name == "card.html"
    assert Path(registry.method("wallet").partial).name == "wallet.html"
