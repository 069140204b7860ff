"""What the pages call the stored values: order statuses, card brands, tariff kinds and demo
tariff names, locations, ledger entry kinds, trust credit kinds and statuses, code purposes and
statuses — in the page's language, never the raw names of the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

MARKET_NAMES = {
    # TRANSLATORS: a market: tab of the top-up form and the shop, group of operators in the
    # subscriber builder, after a promotion on the sandbox page.
    "RU": _l("Russia"),
    # TRANSLATORS: a market: tab of the top-up form and the shop, group of operators in the
    # subscriber builder, after a promotion on the sandbox page.
    "CN": _l("China"),
}

# An order's status as "My account" lists it, after its amount ("T-261201-326906 · 100 ₽ ·
# paid"): an adjective or short phrase about the order.
ORDER_STATUSES = {
    # TRANSLATORS: status of an order in the account's order list: waiting to be paid.
    "awaiting_payment": lazy_pgettext("order status", "awaiting payment"),
    # TRANSLATORS: status of an order in the account's order list: the payment went through.
    "paid": lazy_pgettext("order status", "paid"),
    # TRANSLATORS: status of a top-up order: paid, the operator is putting the money on the
    # number right now.
    "crediting": lazy_pgettext("order status", "crediting"),
    # TRANSLATORS: status of a top-up order: the money is on the number.
    "credited": lazy_pgettext("order status", "credited"),
    # TRANSLATORS: status of an order: the payment was given back to the payer.
    "refunded": lazy_pgettext("order status", "refunded"),
    # TRANSLATORS: status of an order nobody paid within its hour: it can no longer be paid
    # (not a card's or a code's expiry).
    "expired": lazy_pgettext("order status", "expired"),
}

# What paying with a sandbox test card gives (the sandbox page's table of test cards).
CARD_OUTCOMES = {
    # TRANSLATORS: sandbox test cards table: the payment goes through.
    "success": _l("Approved"),
    "insufficient_funds": _l("Declined: insufficient funds"),
    "do_not_honor": _l("Declined by the bank (do not honor)"),
    "expired_card": _l("Declined: expired card"),
    "requires_3ds": _l("Requires 3-D Secure"),
}

# Card brands where a language writes one otherwise (Russian «Мир», Chinese 银联).
CARD_BRANDS = {
    # TRANSLATORS: the brand of a bank card, Visa (as the brand is written in your language).
    "visa": lazy_pgettext("card brand", "Visa"),
    # TRANSLATORS: the brand of a bank card, Mastercard.
    "mastercard": lazy_pgettext("card brand", "Mastercard"),
    # TRANSLATORS: the brand of a Russian bank card, Mir (Russian: Мир).
    "mir": lazy_pgettext("card brand", "Mir"),
    # TRANSLATORS: the brand of a Chinese bank card, UnionPay (Chinese: 银联).
    "unionpay": lazy_pgettext("card brand", "UnionPay"),
}

TARIFF_KINDS = {
    # TRANSLATORS: a kind of tariff (sandbox pages, subscriber builder): paid in advance.
    "prepaid": _l("Prepaid"),
    # TRANSLATORS: a kind of tariff (sandbox pages, subscriber builder): one with a fixed
    # monthly fee (Russian «С абонентской платой»), not the fee itself.
    "monthly_fee": lazy_pgettext("tariff kind", "Monthly fee"),
    # TRANSLATORS: a kind of tariff: billed after use.
    "postpaid": _l("Postpaid"),
    # TRANSLATORS: a kind of tariff: a company's number.
    "corporate": _l("Corporate"),
}

# The demo data's tariff names (a name a tester types in the builder is shown as typed).
# TRANSLATORS: the names of the demo tariffs on the sandbox pages: translate them as an
# operator would name its tariff ("Welcome" is Beeline's «Добро пожаловать»).
TARIFF_NAMES = {
    # TRANSLATORS: a demo tariff's name (sandbox pages): the operator's standard tariff.
    "Standard": _l("Standard"),
    # TRANSLATORS: a demo tariff's name (sandbox pages): Beeline's «Добро пожаловать».
    "Welcome": _l("Welcome"),
    # TRANSLATORS: a demo tariff's name (sandbox pages): unlimited, 600 rubles a month.
    "Unlimited 600": _l("Unlimited 600"),
    # TRANSLATORS: a demo tariff's name (sandbox pages): a postpaid tariff.
    "Postpaid": _l("Postpaid plan"),
    # TRANSLATORS: a demo tariff's name (sandbox pages): Beeline's corporate «Мой бизнес».
    "My company": _l("My company"),
    "58 元套餐": _l("58 yuan plan"),
    "冰激凌套餐": _l("Ice Cream plan"),
}

LOCATIONS = {
    # TRANSLATORS: where a subscriber is (sandbox pages, builder): at home, not roaming
    # (Chinese: 本地（非漫游）).
    "home": _l("home network"),
    # TRANSLATORS: where a subscriber is (sandbox pages, builder): abroad.
    "roaming": _l("international roaming"),
    # TRANSLATORS: where a subscriber is (sandbox pages, builder): in Crimea, where Beeline's
    # trust payment has its own amounts.
    "crimea": _l("Crimea"),
}

LEDGER_KINDS = {
    # TRANSLATORS: a line of a subscriber's balance history (sandbox): the balance it started
    # with.
    "starting_balance": _l("Opening balance"),
    # TRANSLATORS: a line of a subscriber's balance history (sandbox): money put on the number.
    "topup": _l("Top-up"),
    "service_charge": _l("Calls and internet"),
    # TRANSLATORS: a line of a subscriber's balance history (sandbox): goods paid from the
    # phone balance; also the name of that way to pay.
    "mcommerce_debit": _l("Mobile payment"),
    # TRANSLATORS: Beeline's service that lends money to a number for a few days (Russian:
    # доверительный платёж); a heading, a section link and a balance history line.
    "trust_credit": _l("Trust payment"),
    "trust_repayment": _l("Trust payment paid back"),
    # TRANSLATORS: a line of a subscriber's balance history (sandbox): a fee the operator
    # took; also the fee of a trust payment before it is asked for.
    "fee": _l("Fee"),
    # TRANSLATORS: a line of a subscriber's balance history, and the heading of an order's
    # refund block: money given back.
    "refund": _l("Refund"),
}
AUTO_TRUST_FEE = _l("Auto trust payment fee")
TRUST_FEE = _l("Trust payment fee")
# TRANSLATORS: a line of a subscriber's balance history (sandbox) of a kind it has no name for.
OTHER_ENTRY = _l("Other change")

CREDIT_KINDS = {
    # TRANSLATORS: a kind of trust payment (sandbox), as "%(kind)s, %(status)s: due %(time)s"
    # shows it: asked for once.
    "one_off": _l("one-off"),
    # TRANSLATORS: a kind of trust payment (sandbox): the auto trust payment credited it.
    "auto": _l("automatic"),
}
CREDIT_STATUSES = {
    "outstanding": _l("to be paid back"),
    # TRANSLATORS: a trust payment's status (sandbox): it has been paid back.
    "repaid": _l("paid back"),
}

CODE_PURPOSES = {
    # TRANSLATORS: what a one-time code is for, on the virtual phone (sandbox): signing in.
    "signin": _l("Sign-in code"),
    "3ds": _l("3-D Secure code"),
    "trust": _l("Trust payment code"),
    "mcommerce": _l("Mobile payment code"),
}
# TRANSLATORS: what a one-time code is for, on the virtual phone (sandbox), when the purpose has
# no name of its own.
OTHER_CODE = _l("One-time code")
CODE_STATUSES = {
    # TRANSLATORS: a one-time code's status on the virtual phone (sandbox): it still works.
    "active": _l("active"),
    "expired": _l("time is up"),
    # TRANSLATORS: a one-time code's status on the virtual phone (sandbox): it was entered.
    "used": _l("used"),
    "dead": _l("blocked after wrong tries"),
    "superseded": _l("replaced by a newer code"),
}


def tariff_name(name: str) -> str:
    """A demo tariff's name in the page's language; any other name as it was given."""
    known = TARIFF_NAMES.get(name)
    return str(known) if known is not None else name


def ledger_kind(kind: str, ref: str | None) -> str:
    """What a ledger entry was, by its kind (and, for fees, by what the fee was for)."""
    if kind == "fee" and ref:
        if ref.startswith("autotrust:"):
            return str(AUTO_TRUST_FEE)
        if ref.startswith("trust:"):
            return str(TRUST_FEE)
    return str(LEDGER_KINDS.get(kind, OTHER_ENTRY))


def code_purpose(purpose: str) -> str:
    return str(CODE_PURPOSES.get(purpose, OTHER_CODE))


def order_status(status: str) -> str:
    """An order's status as the account's order list says it (the stored name for one it
    has no word for: a bug to fix)."""
    known = ORDER_STATUSES.get(status)
    return str(known) if known is not None else status


def card_outcome(outcome: str) -> str:
    """What paying with a test card gives, in the page's language."""
    known = CARD_OUTCOMES.get(outcome)
    return str(known) if known is not None else outcome


def card_brand(brand: str | None) -> str:
    """A card brand's name in the page's language ("" for none)."""
    known = CARD_BRANDS.get(brand or "")
    return str(known) if known is not None else (brand or "")


def for_templates() -> dict:
    """The names above for a template context."""
    return {"tariff_kinds": TARIFF_KINDS, "tariff_name": tariff_name, "locations": LOCATIONS,
            "ledger_kind": ledger_kind, "credit_kinds": CREDIT_KINDS,
            "credit_statuses": CREDIT_STATUSES, "code_purpose": code_purpose,
            "code_statuses": CODE_STATUSES}


def init_app(app) -> None:
    """The names every page may show: markets, order statuses, card brands and test card
    outcomes (functions: a template never looks a stored value up in a dict of its own)."""
    app.jinja_env.globals.update(market_names=MARKET_NAMES, order_status=order_status,
                                 card_brand=card_brand, card_outcome=card_outcome)
