"""What a kiosk screen says for a notice code (a refused note, a declined card, a number)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import money
from ..messages import lookup

# What each test card does (the sandbox's card reader), as the sandbox page names it.
CARD_OUTCOMES = {
    "success": _l("Approved"),
    "insufficient_funds": _l("Declined: insufficient funds"),
    "do_not_honor": _l("Declined by the bank (do not honor)"),
    "expired_card": _l("Declined: expired card"),
    "requires_3ds": _l("Requires 3-D Secure"),
}


def kiosk_notice(code: str, screen) -> str:
    """The text of a notice on a kiosk screen (the kiosk area of the message registry, then
    the general one), in the page's language."""
    cash = screen.cash
    text = lookup(code, "kiosk") or lookup("not_pending")
    values = {"max": money(cash.max_per_payment, cash.currency),
              "min": money(cash.commission[0].minimum, cash.currency)}
    text = str(text)
    return text % {k: v for k, v in values.items() if f"%({k})s" in text}
