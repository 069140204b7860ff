"""What the payer reads for each refusal of a mobile payment (SPEC §3.2), on the page and in the
SMS that tells a number why, with the operator's support number where the operator is the one
to call."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..domain.markets import Operator
from ..domain.mcommerce import OperatorTerms
from ..i18n import current_lang, money

REFUSALS = {
    # TRANSLATORS: mobile payment refused (page and SMS); %(operator)s the operator's name, e.g.
    # "МТС"; %(support)s its support number, e.g. "0890".
    "banned": _l("%(operator)s has switched mobile payments off on this number. Call "
                 "%(support)s to switch them on."),
    "corporate": _l("Mobile payments are not available on corporate tariffs."),
    "trust_outstanding": _l("Mobile payments are unavailable until the trust payment is "
                            "repaid: trust credit cannot pay for goods."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС"; %(min)s
    # the spending needed, e.g. "500 ₽"; %(support)s its support number, e.g. "0890".
    "not_activated.spent_over": _l("%(operator)s allows mobile payments once more than "
                                   "%(min)s has been spent on services. Call %(support)s "
                                   "for details."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС";
    # %(months)s a number of months, e.g. 2.
    "not_activated.months_or_topup": _l("%(operator)s allows mobile payments after %(months)s "
                                        "months on the network or after the first top-up."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС";
    # %(support)s its support number, e.g. "0500".
    "not_activated.personal_budget": _l("%(operator)s allows mobile payments only with the "
                                        "Personal budget option. Call %(support)s to "
                                        "connect it."),
    # TRANSLATORS: mobile payment refused; %(operator)s the operator's name, e.g. "МТС"; %(cap)s
    # the most one payment may be, e.g. "1 000 ₽".
    "over_cap": _l("%(operator)s allows at most %(cap)s per payment."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a day, e.g. "30 000
    # ₽".
    "daily_sum": _l("This payment would go over the daily limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a day are allowed, e.g. 5.
    "daily_count": _l("The limit of %(limit)s payments a day has been reached."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a week, e.g. "40 000
    # ₽".
    "weekly_sum": _l("This payment would go over the weekly limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a week are allowed, e.g.
    # 20.
    "weekly_count": _l("The limit of %(limit)s payments a week has been reached."),
    # TRANSLATORS: mobile payment refused; %(limit)s the operator's limit for a month, e.g. "40
    # 000 ₽".
    "monthly_sum": _l("This payment would go over the monthly limit of %(limit)s."),
    # TRANSLATORS: mobile payment refused; %(limit)s how many payments a month are allowed, e.g.
    # 50.
    "monthly_count": _l("The limit of %(limit)s payments a month has been reached."),
    # TRANSLATORS: mobile payment refused; %(needed)s the balance needed, e.g. "210 ₽";
    # %(reserve)s what must stay on the account, e.g. "10 ₽".
    "funds": _l("Not enough money: the balance must be at least %(needed)s (the payment with "
                "its fee, plus %(reserve)s that stays on the account). Trust payment does not "
                "count."),
    "unknown_number": _l("This number is not known to the operator."),
    "wrong_operator": _l("This number is served by another operator. Choose its operator."),
    "operator_missing": _l("Choose the operator of the paying number."),
    "private": _l("Mobile payment is not available for this number now. The reason has been "
                  "sent to the number by SMS."),
    "not_goods": _l("Mobile payment is for goods. A phone top-up is paid by card."),
    "not_refundable": _l("Only a goods order paid from a phone balance can be refunded to "
                         "the wallet."),
}
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
    text = REFUSALS.get(key)
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
