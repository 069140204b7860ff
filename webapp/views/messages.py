"""What the person reads for an error code on a page: the one message registry
(webapp/messages.py), code formats and code refusals with their numbers."""

from flask_babel import ngettext

from ..messages import lookup


def code_format(digits: int) -> str:
    """A typed code that is not a code: how many digits one has."""
    return ngettext("The code is %(num)d digit.", "The code is %(num)d digits.", digits)


def wrong_code(tries_left: int) -> str:
    # TRANSLATORS: code pages, a wrong code; %(num)d how many more may be typed, e.g. 4.
    return ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.",
                    tries_left)


def code_refusal(refused, now) -> str:
    """The text for a codes.CodeRefused, with how long to wait where that applies."""
    from ..i18n import duration

    if refused.reason == "wrong":
        return wrong_code(refused.tries_left or 0)
    if refused.reason == "expired":
        return message("code_expired")
    if refused.retry_at is not None:
        return message(refused.reason, time=duration(refused.retry_at - now))
    return message(refused.reason)


def message(code: str, **values) -> str:
    """The localized text for an error code (the code itself if it has none: a bug to fix)."""
    text = lookup(code)
    if text is None:
        return code
    return str(text) % values if values else str(text)


def refusal(refused) -> str:
    """The localized text of a refusals.Refused: its code in its area's table, with the
    values it carries (a mobile payment's: its operator's name, numbers and the total)."""
    if refused.area == "mobile":
        from .mobile_messages import operator_refusal

        return operator_refusal(refused.code, refused.values.get("operator_id"),
                                refused.values.get("total"))
    text = lookup(refused.code, refused.area)
    if text is None:
        return refused.code
    values = {k: v for k, v in refused.values.items() if v is not None}
    try:
        return str(text) % values if values else str(text)
    except (KeyError, TypeError):  # a text that needs values its refusal does not carry
        return str(text)
