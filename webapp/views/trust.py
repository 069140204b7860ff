"""Trust payment for anyone on the web (number → code by SMS → credited at once), and the
account page's trust block actions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for

from ..clock import clock
from ..domain.phone import PhoneError, parse_mobile
from ..htmx import render
from ..i18n import current_lang
from ..services import codes, trust
from ..services.trust_texts import refusal_text
from . import code_pages
from .account import payer, payer_required
from .forms import PhoneForm
from .limits import per_address, per_number, per_trust_number
from .messages import code_refusal, message

bp = Blueprint("trust", __name__)


@bp.get("/trust")
def start():
    return render("trust/start.html", phone=request.args.get("phone", ""), error=None)


@bp.post("/trust")
@per_address
@per_number
def send_code():
    typed = PhoneForm().phone.data
    try:
        phone = parse_mobile(typed, "RU").e164
        quote = trust.quote(phone)
    except PhoneError as exc:
        return render("trust/start.html", phone=typed, error=message("phone_" + exc.code)), 422
    except trust.TrustRefused as refused:
        return render("trust/start.html", phone=typed, error=refusal_text(refused.reason)), 422
    if quote.refusal:
        return render("trust/start.html", phone=typed, error=refusal_text(quote.refusal)), 422
    session["trust_phone"] = phone
    try:
        trust.send_web_code(phone, current_lang())
    except codes.CodeRefused as refused:
        flash(code_refusal(refused, clock.now()))
    return redirect(url_for("trust.confirm_page"), code=303)


def _confirm_page(**shown):
    phone = session.get("trust_phone")
    if not phone:
        return redirect(url_for("trust.start"), code=303)
    page = code_pages.CodePage(
        template="trust/confirm.html", confirm_url=url_for("trust.confirm"),
        resend_url=url_for("trust.resend"), poll_url=url_for("trust.confirm_page"))
    return code_pages.show(page, codes.view(trust.WEB_CODE, phone, phone), phone=phone,
                           quote=trust.quote(phone), refusal=None, **shown)


@bp.get("/trust/confirm")
def confirm_page():
    return _confirm_page(block="code_status")


@bp.post("/trust/confirm")
@per_address
@per_trust_number
def confirm():
    phone = session.get("trust_phone")
    if not phone:
        return redirect(url_for("trust.start"), code=303)

    def use(typed: str):
        try:
            credit = trust.confirm_web(phone, typed)
        except trust.TrustRefused as refused:
            return _confirm_page(error=refusal_text(refused.reason), status=409)
        session.pop("trust_phone", None)
        return redirect(url_for("trust.done", token=credit.token), code=303)

    return code_pages.take_code(_confirm_page, use)


@bp.post("/trust/resend")
@per_address
@per_trust_number
def resend():
    phone = session.get("trust_phone")
    if not phone:
        return redirect(url_for("trust.start"), code=303)
    return code_pages.send_again(_confirm_page,
                                 lambda: trust.send_web_code(phone, current_lang()),
                                 url_for("trust.confirm_page"))


@bp.get("/trust/done/<token>")
def done(token: str):
    credit = trust.credit_view(token[:32])
    if credit is None:
        abort(404)
    return render("trust/done.html", credit=credit)


@bp.post("/account/trust")
@payer_required
def account_request():
    """"Top up by N ₽" on the account page's balance block."""
    try:
        trust.request_one_off(payer(), "account")
    except trust.TrustRefused as refused:
        flash(refusal_text(refused.reason))
    return redirect(url_for("account.index"), code=303)


@bp.post("/account/auto-trust")
@payer_required
def account_auto():
    phone = payer()
    try:
        if request.form.get("action") == "connect":
            trust.connect_auto(phone)
        else:
            trust.disconnect_auto(phone)
    except trust.TrustRefused as refused:
        flash(refusal_text(refused.reason))
    return redirect(url_for("account.index"), code=303)
