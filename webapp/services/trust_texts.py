"""What a subscriber reads for each trust payment refusal (pages, USSD replies)."""

from __future__ import annotations

from ..i18n import money
from ..messages import TRUST
from . import rules


def refusal_text(reason: str) -> str:
    """The localized reason (in the current locale) for a trust refusal code."""
    trust = rules().trust
    text = TRUST.get(reason)
    if text is None:
        return reason
    limits = {"spent_too_little": trust.min_total_spent,
              "monthly_fee_low_spend": trust.monthly_fee_min_monthly_spend}
    if reason in limits:
        return str(text) % {"min": money(limits[reason], "RUB")}
    return str(text)
