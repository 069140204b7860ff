"""The virtual phone (sandbox only): a number's SMS inbox, live, with a reply box."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from ..domain.phone import PhoneError, parse_mobile
from ..htmx import render
from ..services import replies, sms
from .messages import message

bp = Blueprint("phone", __name__, url_prefix="/phone")


@bp.get("/")
def index():
    """Open the phone of a number typed here."""
    typed = request.args.get("phone", "")
    if typed:
        try:
            region = "CN" if typed.strip().startswith("+86") else "RU"
            number = parse_mobile(typed, region)
        except PhoneError as exc:
            return render("phone/index.html", typed=typed[:40],
                          error=message("phone_" + exc.code)), 422
        return redirect(url_for("phone.inbox", digits=number.e164[1:]), code=303)
    return render("phone/index.html", typed="", error=None)


@bp.get("/<msisdn:digits>")
def inbox(digits: str):
    phone = "+" + digits
    return render("phone/inbox.html", "inbox", phone=phone, digits=digits,
                  threads=sms.inbox(phone), error=None)


@bp.post("/<msisdn:digits>/reply")
def reply(digits: str):
    phone = "+" + digits
    to = (request.form.get("to") or "").strip()[:16]
    text = (request.form.get("text") or "").strip()[:160]
    if not to.isdigit() or not text:
        return render("phone/inbox.html", phone=phone, digits=digits, threads=sms.inbox(phone),
                      error=message("reply_invalid")), 422
    replies.receive(phone, to, text)
    return redirect(url_for("phone.inbox", digits=digits), code=303)
