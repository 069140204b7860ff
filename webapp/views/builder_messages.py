"""What the tester reads for each problem the subscriber builder finds (services.builder and
domain.builder codes), in the page's language, with money and dates through Babel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..domain.builder import Problem
from ..i18n import long_date, money

TEXTS = {
    "unknown_market": _l("Choose RU (Russia) or CN (China)."),
    "unknown_operator": _l("There is no such operator. Choose one from the list."),
    "operator_elsewhere": _l("This operator does not work in the chosen country."),
    "amount_too_large": _l("At most %(max)s."),
    "amount_negative": _l("The amount cannot be below zero."),
    "count_out_of_range": _l("From 0 to %(max)s."),
    "unknown_choice": _l("Choose one of the options shown."),
    "fee_missing": _l("A monthly-fee tariff needs its monthly fee."),
    "fee_not_monthly": _l("Only a monthly-fee tariff has a monthly fee: leave this empty."),
    "too_long": _l("At most %(max)s characters."),
    "crimea_elsewhere": _l("Crimea is a location of Russian numbers only."),
    "no_personal_budget": _l("This operator has no personal budget option."),
    "no_auto_trust": _l("This operator has no auto trust payment."),
    "suspended_needs_debt": _l("A number is suspended only for debt: give a balance below "
                               "zero."),
    "activated_future": _l("The connection date cannot be in the future."),
    "activated_too_old": _l("At most %(years)s years ago."),
    "history_missing": _l("Give the number of months this spending goes back."),
    "no_mobile_payments": _l("This operator has no mobile payments: leave these at 0."),
    "phone_invalid": _l("This is not a valid phone number. Check the digits."),
    "phone_wrong_country": _l("This number belongs to another country than the operator."),
    "phone_not_mobile": _l("This is a landline or service number; a subscriber needs a mobile "
                           "number."),
    "phone_taken": _l("This number is in the sandbox already. Type another or leave it empty."),
    "no_free_number": _l("No free number was found in this operator's range. Try again or type "
                         "one."),
    "sum_without_count": _l("A sum needs at least one payment."),
    "below_day_sum": _l("Today's payments count here too: at least %(sum)s."),
    "below_week_sum": _l("This week's payments count in this month too: at least %(sum)s."),
    "below_month_sum": _l("This month's payments count in this week too: at least %(sum)s."),
    "more_than_day_no_count": _l("%(sum)s more than today needs more payments than today."),
    "more_than_week_no_count": _l("%(sum)s more than this week needs more payments than this "
                                  "week."),
    "more_than_month_no_count": _l("%(sum)s more than this month needs more payments than "
                                   "this month."),
    "begins_today": _l("For this number this period begins today: give the same figures as "
                       "for today."),
    "same_start": _l("For this number this week and this month begin on the same day "
                     "(%(date)s): give the same figures for both."),
}


def _counted(code: str, num: int, **values) -> str | None:
    """The problems whose text depends on a count (Russian has three plural forms)."""
    if code == "history_too_long":
        return ngettext("Since the connection date there is room for %(num)d month of "
                        "history.", "Since the connection date there is room for %(num)d "
                        "months of history.", num)
    if code == "sum_too_small":
        return ngettext("%(num)d payment needs at least %(sum)s.",
                        "%(num)d payments need at least %(sum)s.", num, **values)
    if code == "below_day":
        return ngettext("Today's payments count here too: at least %(num)d payment.",
                        "Today's payments count here too: at least %(num)d payments.", num)
    if code == "below_week":
        return ngettext("This week's payments count in this month too: at least %(num)d "
                        "payment.", "This week's payments count in this month too: at least "
                        "%(num)d payments.", num)
    if code == "below_month":
        return ngettext("This month's payments count in this week too: at least %(num)d "
                        "payment.", "This month's payments count in this week too: at least "
                        "%(num)d payments.", num)
    if code == "more_than_day_too_small":
        return ngettext("%(num)d payment more than today needs at least %(sum)s more.",
                        "%(num)d payments more than today need at least %(sum)s more.",
                        num, **values)
    if code == "more_than_week_too_small":
        return ngettext("%(num)d payment more than this week needs at least %(sum)s more.",
                        "%(num)d payments more than this week need at least %(sum)s more.",
                        num, **values)
    if code == "more_than_month_too_small":
        return ngettext("%(num)d payment more than this month needs at least %(sum)s more.",
                        "%(num)d payments more than this month need at least %(sum)s more.",
                        num, **values)
    return None


def problem_text(problem: Problem, currency: str) -> str:
    """The text for one builder problem; amounts (minor units) shown in `currency`."""
    values = dict(problem.values)
    if "sum" in values:
        values["sum"] = money(values["sum"], currency)
    if problem.code == "amount_too_large":
        values["max"] = money(values["max"], currency)
    if "date" in values:
        values["date"] = long_date(values["date"])
    if "num" in values:
        counted = _counted(problem.code, values.pop("num"), **values)
        if counted is not None:
            return counted
    text = TEXTS.get(problem.code)
    if text is None:
        return problem.code  # a code without a text is a bug to fix; never hide the problem
    return str(text) % values if values else str(text)

