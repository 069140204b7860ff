"""The studio's screens, one module per area; importing this package registers them all.
A new area (the kiosk, the wallet's cashier) adds its module to the import below and its
heading to AREAS (an area without one is headed by its name)."""

from flask_babel import lazy_gettext as _l

# The gallery's headings, in the gallery's order.
AREAS = {
    # TRANSLATORS: studio gallery heading: the screens of the phone top-up form.
    "topup": _l("Phone top-up"),
    # TRANSLATORS: studio gallery heading: the screens of an order's checkout (card payment).
    "order": _l("Checkout and card payment"),
    # TRANSLATORS: studio gallery heading: paying a shop order from the phone balance.
    "mobile": _l("Payment from the phone balance"),
    # TRANSLATORS: studio gallery heading: sign-in and every state of a one-time code page.
    "codes": _l("Sign-in and code pages"),
    # TRANSLATORS: studio gallery heading: the SMS texts as the virtual phone shows them.
    "sms": _l("SMS on the virtual phone"),
    # TRANSLATORS: studio gallery heading: Beeline's trust payment on the web.
    "trust": _l("Trust payment"),
    # TRANSLATORS: studio gallery heading: the USSD dialer and its answers (*141#).
    "ussd": _l("USSD requests"),
    # TRANSLATORS: studio gallery heading: the Alipay-style and WeChat Pay-style wallet: its
    # cashier, the QR code, its sandbox pages.
    "wallet": _l("Alipay-style and WeChat Pay-style wallet"),
    # TRANSLATORS: studio gallery heading: the payer's account pages.
    "account": _l("Account"),
    # TRANSLATORS: studio gallery heading: every step of a top-up at a kiosk (self-service
    # terminal), in Russia and in China.
    "kiosk": _l("Kiosk"),
    # TRANSLATORS: studio gallery heading: the sandbox's own pages (demo numbers, builder).
    "sandbox": _l("Sandbox pages"),
    # TRANSLATORS: studio gallery heading: error pages (page not found).
    "errors": _l("Error pages"),
}

from . import (  # noqa: E402 - each module registers its screens  # noqa: F401 - each module registers its screens
    account,
    checkout,
    codes,
    kiosk,
    mobile,
    phone,
    sandbox,
    topup,
    trust,
    wallet,
)

__all__ = ["AREAS", "account", "checkout", "codes", "kiosk", "mobile", "phone", "sandbox", "topup",
           "trust", "wallet"]
