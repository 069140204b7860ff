"""The USSD dialer (sandbox): a phone keypad whose requests the network answers."""

from __future__ import annotations

from flask import Blueprint, request

from ..htmx import render
from ..i18n import current_lang
from ..services import ussd

bp = Blueprint("ussd", __name__, url_prefix="/ussd")

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
MAX_LENGTH = 24


@bp.get("/<msisdn:digits>")
def dialer(digits: str):
    return render("ussd/dialer.html", phone="+" + digits, digits=digits, display="",
                  reply=None, keys=KEYS)


@bp.post("/<msisdn:digits>")
def press(digits: str):
    """A key, ⌫, or the call button. The keypad works as plain form posts; htmx only swaps
    the dialer in place."""
    phone = "+" + digits
    display = "".join(ch for ch in (request.form.get("display") or "") if ch in KEYS)
    key, action, reply = request.form.get("key"), request.form.get("action"), None
    if key in KEYS:
        display = (display + key)[:MAX_LENGTH]
    elif action == "back":
        display = display[:-1]
    elif action == "dial" and display:
        reply = ussd.handle(phone, display, current_lang())
    return render("ussd/dialer.html", "dialer", phone=phone, digits=digits, display=display,
                  reply=reply, keys=KEYS)
