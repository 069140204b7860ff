"""What the sandbox pages call the stored values: tariff kinds and demo tariff names, locations,
ledger entry kinds, trust credit kinds and statuses, code purposes and statuses — in the page's
language, never the raw names of the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TARIFF_KINDS = {
    "prepaid": _l("Prepaid"),
    "monthly_fee": _l("Monthly fee"),
    "postpaid": _l("Postpaid"),
    "corporate": _l("Corporate"),
}

# The demo data's tariff names (a name a tester types in the builder is shown as typed).
TARIFF_NAMES = {
    "Standard": _l("Standard"),
    "Welcome": _l("Welcome"),
    "Unlimited 600": _l("Unlimited 600"),
    "Postpaid": _l("Postpaid plan"),
    "My company": _l("My company"),
    "58 元套餐": _l("58 yuan plan"),
    "冰激凌套餐": _l("Ice Cream plan"),
}

LOCATIONS = {
    "home": _l("home network"),
    "roaming": _l("international roaming"),
    "crimea": _l("Crimea"),
}

LEDGER_KINDS = {
    "starting_balance": _l("Opening balance"),
    "topup": _l("Top-up"),
    "service_charge": _l("Calls and internet"),
    "mcommerce_debit": _l("Mobile payment"),
    "trust_credit": _l("Trust payment"),
    "trust_repayment": _l("Trust payment paid back"),
    "fee": _l("Fee"),
    "refund": _l("Refund"),
}
AUTO_TRUST_FEE = _l("Auto trust payment fee")
TRUST_FEE = _l("Trust payment fee")
OTHER_ENTRY = _l("Other change")

CREDIT_KINDS = {"one_off": _l("one-off"), "auto": _l("automatic")}
CREDIT_STATUSES = {"outstanding": _l("to be paid back"), "repaid": _l("paid back")}

CODE_PURPOSES = {
    "signin": _l("Sign-in code"),
    "3ds": _l("3-D Secure code"),
    "trust": _l("Trust payment code"),
    "mcommerce": _l("Mobile payment code"),
}
OTHER_CODE = _l("One-time code")
CODE_STATUSES = {
    "active": _l("active"),
    "expired": _l("time is up"),
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


def for_templates() -> dict:
    """The names above for a template context."""
    return {"tariff_kinds": TARIFF_KINDS, "tariff_name": tariff_name, "locations": LOCATIONS,
            "ledger_kind": ledger_kind, "credit_kinds": CREDIT_KINDS,
            "credit_statuses": CREDIT_STATUSES, "code_purpose": code_purpose,
            "code_statuses": CODE_STATUSES}
