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
    # TRANSLATORS: subscriber builder, under an amount field; %(max)s the largest amount allowed,
    # e.g. "1 000 000 ₽".
    "amount_too_large": _l("At most %(max)s."),
    "amount_negative": _l("The amount cannot be below zero."),
    # TRANSLATORS: subscriber builder, under a count field; %(max)s the largest count allowed,
    # e.g. 1000.
    "count_out_of_range": _l("From 0 to %(max)s."),
    "unknown_choice": _l("Choose one of the options shown."),
    "fee_missing": _l("A monthly-fee tariff needs its monthly fee."),
    "fee_not_monthly": _l("Only a monthly-fee tariff has a monthly fee: leave this empty."),
    # TRANSLATORS: subscriber builder, under a text field; %(max)s how many characters it takes,
    # e.g. 40.
    "too_long": _l("At most %(max)s characters."),
    "crimea_elsewhere": _l("Crimea is a location of Russian numbers only."),
    "no_personal_budget": _l("This operator has no personal budget option."),
    "no_auto_trust": _l("This operator has no auto trust payment."),
    "suspended_needs_debt": _l("A number is suspended only for debt: give a balance below "
                               "zero."),
    "activated_future": _l("The connection date cannot be in the future."),
    # TRANSLATORS: subscriber builder, under the connection date; %(years)s the most years back
    # allowed, e.g. 30.
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
    # TRANSLATORS: subscriber builder, under this week's or month's sum of mobile payments;
    # %(sum)s today's sum, e.g. "500 ₽".
    "below_day_sum": _l("Today's payments count here too: at least %(sum)s."),
    # TRANSLATORS: subscriber builder, under this month's sum of mobile payments; %(sum)s this
    # week's sum, e.g. "500 ₽".
    "below_week_sum": _l("This week's payments count in this month too: at least %(sum)s."),
    # TRANSLATORS: subscriber builder, under this week's sum, when week and month began the same
    # day; %(sum)s this month's sum, e.g. "500 ₽".
    "below_month_sum": _l("This month's payments count in this week too: at least %(sum)s."),
    # TRANSLATORS: subscriber builder; %(sum)s how much more than today this week's or month's sum
    # is, e.g. "200 ₽".
    "more_than_day_no_count": _l("%(sum)s more than today needs more payments than today."),
    # TRANSLATORS: subscriber builder; %(sum)s how much more than this week this month's sum is,
    # e.g. "200 ₽".
    "more_than_week_no_count": _l("%(sum)s more than this week needs more payments than this "
                                  "week."),
    # TRANSLATORS: subscriber builder; %(sum)s how much more than this month this week's sum is,
    # e.g. "200 ₽".
    "more_than_month_no_count": _l("%(sum)s more than this month needs more payments than "
                                   "this month."),
    "begins_today": _l("For this number this period begins today: give the same figures as "
                       "for today."),
    # TRANSLATORS: subscriber builder; %(date)s the day both began, e.g. "1 декабря 2026 г.".
    "same_start": _l("For this number this week and this month begin on the same day "
                     "(%(date)s): give the same figures for both."),
}


def _counted(code: str, num: int, **values) -> str | None:
    """The problems whose text depends on a count (Russian has three plural forms)."""
    if code == "history_too_long":
        # TRANSLATORS: subscriber builder, under the months of history; %(num)d the most months
        # that fit, e.g. 2.
        return ngettext("Since the connection date there is room for %(num)d month of "
                        "history.", "Since the connection date there is room for %(num)d "
                        "months of history.", num)
    if code == "sum_too_small":
        # TRANSLATORS: subscriber builder; %(num)d a count of payments, e.g. 3; %(sum)s the least
        # they can add up to (one kopeck each), e.g. "0,03 ₽".
        return ngettext("%(num)d payment needs at least %(sum)s.",
                        "%(num)d payments need at least %(sum)s.", num, **values)
    if code == "below_day":
        # TRANSLATORS: subscriber builder; %(num)d how many payments were made today, e.g. 3.
        return ngettext("Today's payments count here too: at least %(num)d payment.",
                        "Today's payments count here too: at least %(num)d payments.", num)
    if code == "below_week":
        # TRANSLATORS: subscriber builder; %(num)d how many payments were made this week, e.g. 3.
        return ngettext("This week's payments count in this month too: at least %(num)d "
                        "payment.", "This week's payments count in this month too: at least "
                        "%(num)d payments.", num)
    if code == "below_month":
        # TRANSLATORS: subscriber builder; %(num)d how many payments were made this month, e.g. 3.
        return ngettext("This month's payments count in this week too: at least %(num)d "
                        "payment.", "This month's payments count in this week too: at least "
                        "%(num)d payments.", num)
    if code == "more_than_day_too_small":
        # TRANSLATORS: subscriber builder; %(num)d how many more payments than today, e.g. 2;
        # %(sum)s the least more they add up to, e.g. "0,02 ₽".
        return ngettext("%(num)d payment more than today needs at least %(sum)s more.",
                        "%(num)d payments more than today need at least %(sum)s more.",
                        num, **values)
    if code == "more_than_week_too_small":
        # TRANSLATORS: subscriber builder; %(num)d how many more payments than this week, e.g. 2;
        # %(sum)s the least more they add up to, e.g. "0,02 ₽".
        return ngettext("%(num)d payment more than this week needs at least %(sum)s more.",
                        "%(num)d payments more than this week need at least %(sum)s more.",
                        num, **values)
    if code == "more_than_month_too_small":
        # TRANSLATORS: subscriber builder; %(num)d how many more payments than this month, e.g. 2;
        # %(sum)s the least more they add up to, e.g. "0,02 ₽".
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

