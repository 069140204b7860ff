"""What the payer reads for each refusal of a mobile payment (SPEC §3.2), on the page and in the
SMS that tells a number why, with the operator's support number where the operator is the one
to call."""

from __future__ import annotations

from ..domain.markets import Operator
from ..domain.mcommerce import OperatorTerms
from ..i18n import current_lang, money
from ..messages import MOBILE

_LIMIT_KEYS = {"daily_sum": "daily_sum", "daily_count": "daily_count",
               "weekly_sum": "weekly_sum", "weekly_count": "weekly_count",
               "monthly_sum": "monthly_sum", "monthly_count": "monthly_count"}


def refusal_text(reason: str, operator: Operator | None = None,
                 terms: OperatorTerms | None = None, total: int | None = None) -> str | None:
    """The localized text (in the current locale) of a mobile payment refusal, or None for a
    reason that is not the mobile payment's own; `operator` and `terms` fill in the
    operator's name, support number and numbers."""
    key = reason
    if reason == "not_activated" and terms is not None:
        key = f"not_activated.{terms.activation}"
    text = MOBILE.get(key)
    if text is None:
        return None
    values: dict = {}
    if operator is not None:
        values.update(operator=operator.name_in(current_lang()),
                      support=operator.support_number)
    if terms is not None:
        values.update(min=money(terms.activation_spent, "RUB"), months=terms.activation_months,
                      reserve=money(terms.reserve, "RUB"))
        if terms.per_payment_cap is not None:
            values["cap"] = money(terms.per_payment_cap, "RUB")
        if reason in _LIMIT_KEYS:
            limit = getattr(terms, _LIMIT_KEYS[reason])
            values["limit"] = limit if reason.endswith("count") else money(limit, "RUB")
        if total is not None:
            values["needed"] = money(total + terms.reserve, "RUB")
    try:
        return str(text) % values
    except KeyError:  # pragma: no cover - a text without its values is a bug in this table
        return str(text)
