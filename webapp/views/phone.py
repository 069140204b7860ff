"""The virtual phone (sandbox only): a number's SMS inbox, live, with a reply box, and its
codes with the sandbox's "expire now" and "skip the resend wait"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..clock import clock
from ..domain.phone import PhoneError, parse_mobile
from ..htmx import render
from ..services import replies, sandbox_codes, sms
from . import labels
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


def _inbox(phone: str, digits: str, error: str | None = None, block: str | None = None):
    return render("phone/inbox.html", block, phone=phone, digits=digits,
                  threads=sms.inbox(phone), codes=sandbox_codes.codes_of(phone),
                  now=clock.now(), error=error, **labels.for_templates())


@bp.get("/<msisdn:digits>")
def inbox(digits: str):
    return _inbox("+" + digits, digits, block="inbox")


@bp.post("/<msisdn:digits>/reply")
def reply(digits: str):
    phone = "+" + digits
    to = (request.form.get("to") or "").strip()[:16]
    text = (request.form.get("text") or "").strip()[:160]
    if not to.isdigit() or not text:
        return _inbox(phone, digits, error=message("reply_invalid")), 422
    replies.receive(phone, to, text)
    return redirect(url_for("phone.inbox", digits=digits), code=303)


CODE_ACTIONS = {"expire": (sandbox_codes.expire_now, "code_expired_now"),
                "skip-wait": (sandbox_codes.skip_resend_wait, "resend_wait_skipped")}


@bp.post("/<msisdn:digits>/codes/<int:code_id>/<action>")
def code_action(digits: str, code_id: int, action: str):
    """Sandbox: expire a code now, or skip the wait before a new one may be asked for."""
    phone = "+" + digits
    if action not in CODE_ACTIONS:
        abort(404)
    act, done = CODE_ACTIONS[action]
    try:
        act(phone, code_id)
        flash(message(done))
    except sandbox_codes.SandboxCodeRefused as refused:
        if refused.reason == "not_found":
            abort(404)
        flash(message("code_" + refused.reason))
    return redirect(url_for("phone.inbox", digits=digits), code=303)
