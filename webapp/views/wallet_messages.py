"""The wallet's words: brand names and the cashier's refusals, localized."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext

from ..i18n import duration, money
from ..messages import lookup

# TRANSLATORS: the name of the blue sandbox wallet modelled on Alipay (never the real one;
# Chinese: 仿支付宝). Shown on "Pay with …" buttons and the cashier's header.
ALIPAY = _l("Alipay-style")
# TRANSLATORS: the name of the green sandbox wallet modelled on WeChat Pay (never the real
# one; Chinese: 仿微信支付).
WECHAT = _l("WeChat Pay-style")
BRAND_NAMES = {"alipay": ALIPAY, "wechat": WECHAT}
# The wallet's name on its own (its pages' header and title), a noun in every language.
BRAND_TITLES = {
    # TRANSLATORS: the blue sandbox wallet's name in its own header (Chinese 仿支付宝, Russian
    # "Кошелёк в стиле Alipay"); never the real Alipay.
    "alipay": lazy_pgettext("wallet header", "Alipay-style wallet"),
    # TRANSLATORS: the green sandbox wallet's name in its own header (Chinese 仿微信支付).
    "wechat": lazy_pgettext("wallet header", "WeChat Pay-style wallet"),
}


def brand_name(brand: str) -> str:
    return str(BRAND_NAMES.get(brand, brand))


def brand_title(brand: str) -> str:
    return str(BRAND_TITLES.get(brand, brand))


def cashier_refusal(code: str, values: dict, now: datetime, *, brand: str = "",
                    amount: int = 0, currency: str = "") -> str:
    """What the cashier says when a payment cannot go on."""
    if code == "wrong_password":
        left = values["tries_left"]
        # TRANSLATORS: wallet cashier; %(num)d tries left before the wallet locks for 30 min.
        return ngettext("Wrong payment password. %(num)d try left before the wallet is locked.",
                        "Wrong payment password. %(num)d tries left before the wallet is "
                        "locked.", left)
    if code == "locked":
        # TRANSLATORS: wallet cashier; %(left)s how long until it opens, e.g. "30 minutes".
        return _("Too many wrong passwords: this wallet is locked. Try again in %(left)s.",
                 left=duration(max(values["until"] - now, timedelta(0))))
    if code == "insufficient":
        # TRANSLATORS: wallet cashier; %(balance)s what the wallet holds, %(amount)s the price.
        return _("Not enough money in the wallet: %(balance)s available, %(amount)s to pay. "
                 "Go back to the shop to pay another way.",
                 balance=money(values["balance"], values["currency"]),
                 amount=money(amount, currency))
    if code == "no_wallet":
        # TRANSLATORS: wallet cashier; %(brand)s the wallet's name, %(currency)s e.g. CNY.
        return _("This number has no %(brand)s wallet in %(currency)s. In the sandbox you can "
                 "create one.", brand=brand_name(brand), currency=values["currency"])
    return message_for(code)


def message_for(code: str) -> str:
    """A refusal without values (the sandbox form's fields), from the message registry."""
    return str(lookup(code, "wallet") or lookup("closed", "wallet"))
