"""Sign-in by phone number and a code (no password), the payer's account, sign-out."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, request, session, url_for

from ..clock import clock
from ..domain.phone import PhoneError
from ..htmx import render
from ..i18n import current_lang
from ..services import account, codes, rules, trust
from ..services.trust_texts import refusal_text
from . import code_pages
from .access import payer, sign_in_session
from .forms import SignInForm
from .limits import per_address, per_number, per_signin_number
from .messages import code_refusal, message
from .targets import local_path

bp = Blueprint("account", __name__)


def payer_required(view):
    """Send a visitor who is not signed in to the sign-in page (and back here afterwards)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not payer():
            back = request.path if request.method == "GET" else None
            return redirect(url_for("account.signin", next=back), code=303)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/signin")
def signin():
    return render("account/signin.html", phone=request.args.get("phone", ""), error=None,
                  next=local_path(request.args.get("next")) or "")


@bp.post("/signin")
@per_address
@per_number
def start():
    form = SignInForm()
    next_url = local_path(form.next.data) or ""
    region = "CN" if current_lang() == "zh" else "RU"
    try:
        number = account.parse_number(form.phone.data, region)
    except PhoneError as exc:
        return render("account/signin.html", phone=form.phone.data,
                      error=message("phone_" + exc.code), next=next_url), 422
    session["signin_phone"] = number.e164
    session["signin_next"] = next_url
    try:
        account.start_sign_in(number.e164, current_lang())
    except codes.CodeRefused as refused:
        # A code sent a moment ago is still good: the code page says when a new one may come.
        flash(code_refusal(refused, clock.now()))
    return redirect(url_for("account.code"), code=303)


def _code_page(**shown):
    phone = session.get("signin_phone")
    if not phone:
        return redirect(url_for("account.signin"), code=303)
    page = code_pages.CodePage(
        template="account/code.html", confirm_url=url_for("account.finish"),
        resend_url=url_for("account.resend"), poll_url=url_for("account.code"),
        other_url=url_for("topup.home"))
    return code_pages.show(page, codes.view(account.SIGN_IN, phone, phone), phone=phone,
                           **shown)


@bp.get("/signin/code")
def code():
    return _code_page(block="code_status")


@bp.post("/signin/code")
@per_address
@per_signin_number
def finish():
    phone = session.get("signin_phone")
    if not phone:
        return redirect(url_for("account.signin"), code=303)

    def use(typed: str):
        version = account.finish_sign_in(phone, typed)
        next_url = local_path(session.get("signin_next")) or url_for("account.index")
        sign_in_session(phone, version)
        return redirect(next_url, code=303)

    return code_pages.take_code(_code_page, use)


@bp.post("/signin/resend")
@per_address
@per_signin_number
def resend():
    phone = session.get("signin_phone")
    if not phone:
        return redirect(url_for("account.signin"), code=303)
    return code_pages.send_again(_code_page,
                                 lambda: account.start_sign_in(phone, current_lang()),
                                 url_for("account.code"))


@bp.get("/account")
@payer_required
def index():
    phone = payer()
    return render("account/index.html", phone=phone, history=account.orders_of(phone),
                  timezones={code: market.timezone for code, market in rules().markets.items()},
                  cards=account.saved_cards(phone), trust=trust.account_block(phone),
                  refusal_text=refusal_text, product_of=rules().product)


@bp.post("/account/cards/<token>/remove")
@payer_required
def remove_card(token: str):
    account.remove_card(payer(), token)
    return redirect(url_for("account.index"), code=303)


@bp.post("/signout")
def signout():
    phone = payer()
    if phone:
        account.sign_out(phone)
    session.clear()
    flash(message("signed_out"))
    return redirect(url_for("topup.home"), code=303)
