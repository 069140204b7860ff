"""What a subscriber reads for each trust payment refusal (pages, USSD replies)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import money
from . import rules

REFUSALS = {
    "unknown_number": _l("This number is not a Beeline subscriber."),
    "not_operator": _l("Trust payment is a Beeline service; this number is with another "
                       "operator."),
    "postpaid": _l("Trust payment is not available on postpaid tariffs."),
    "welcome_no_auto": _l("Auto trust payment is not available on the Welcome tariff."),
    "suspended": _l("The number is suspended for debt. Top it up to zero or more first."),
    "outstanding": _l("A trust payment is already outstanding. A new one is possible after it "
                      "is repaid."),
    "first_months": _l("Trust payment is available from the third month after connection."),
    "spent_too_little": _l("Trust payment is available once %(min)s has been spent on "
                           "services."),
    "monthly_fee_new": _l("On tariffs with a monthly fee, trust payment is available after "
                          "3 months as a customer."),
    "too_large": _l("Trust payment is not available for an amount this large."),
    "monthly_fee_low_spend": _l("On tariffs with a monthly fee, trust payment needs at least "
                                "%(min)s spent a month."),
}


def refusal_text(reason: str) -> str:
    """The localized reason (in the current locale) for a trust refusal code."""
    trust = rules().trust
    text = REFUSALS.get(reason)
    if text is None:
        return reason
    limits = {"spent_too_little": trust.min_total_spent,
              "monthly_fee_low_spend": trust.monthly_fee_min_monthly_spend}
    if reason in limits:
        return str(text) % {"min": money(limits[reason], "RUB")}
    return str(text)
