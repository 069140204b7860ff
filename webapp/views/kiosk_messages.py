"""What a kiosk screen says for a notice code (a refused note, a declined card, a number)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import money
from .messages import MESSAGES, message

KIOSK_MESSAGES = {
    "phone_wrong_country": _l("This number belongs to another country. This kiosk tops up "
                              "numbers of its own country."),
    # TRANSLATORS: kiosk cash step: the bill acceptor gave a note back; %(max)s the most one
    # payment takes, e.g. "15 000 ₽".
    "over_cap": _l("This note would take the payment over %(max)s. Take it back: it has been "
                   "returned."),
    "unknown_note": _l("This note is not accepted. Take it back: it has been returned."),
    "cash_inserted": _l("The cash is in: it goes to the number. Press Pay."),
    # TRANSLATORS: kiosk cash step when what was inserted only covers the minimum commission;
    # %(min)s that minimum, e.g. "10 ₽".
    "cash_too_little": _l("The commission is at least %(min)s: insert more to put money on the "
                          "number."),
}

# What each test card does (the sandbox's card reader), as the sandbox page names it.
CARD_OUTCOMES = {
    "success": _l("Approved"),
    "insufficient_funds": _l("Declined: insufficient funds"),
    "do_not_honor": _l("Declined by the bank (do not honor)"),
    "expired_card": _l("Declined: expired card"),
    "requires_3ds": _l("Requires 3-D Secure"),
}


def kiosk_notice(code: str, screen) -> str:
    """The text of a notice on a kiosk screen, in the page's language."""
    cash = screen.cash
    if code in KIOSK_MESSAGES:
        values = {"max": money(cash.max_per_payment, cash.currency),
                  "min": money(cash.commission[0].minimum, cash.currency)}
        text = str(KIOSK_MESSAGES[code])
        return text % {k: v for k, v in values.items() if f"%({k})s" in text}
    if code in MESSAGES:
        return message(code)
    return message("not_pending")
