"""Paying a goods order from the phone balance: what only this method has. Its live quote
(amount, commission, total; the limits left and a refusal's reason only for the number's
owner, anyone else reads PRIVATE and the number gets the reason by SMS) under its own rate
limit; its start and its SMS-reply page go through the checkout service (services/checkout.py)
and the one code page (views/code_pages.py)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import Blueprint, redirect, request, url_for

from ..clock import clock
from ..htmx import is_htmx
from ..i18n import current_lang
from ..payments.base import SMS_REPLY
from ..refusals import CheckoutRefused, CodeRefused, FormRefused, MobileRefused
from ..services import checkout, mobile, rules
from ..services.payment_ports import provider
from . import code_pages
from .access import payer, remember_order, visible_order_or_404
from .forms import method_form
from .limits import per_address, per_attempt_number, per_number, quote_per_address
from .messages import code_refusal, message
from .mobile_messages import mobile_refusal, operator_refusal
from .order_page import order_page

bp = Blueprint("mobile", __name__)


def _form_state(number: str):
    """(what the form shows again, the submission or None) from the mobile payment form."""
    found, posted = provider(mobile.METHOD), method_form(mobile.METHOD)
    state = found.form(None, posted, payer())
    try:
        submission = found.read(None, posted, payer())
    except FormRefused as refused:
        return replace(state, error=message(refused.errors["phone"])), None
    except MobileRefused as refused:
        return replace(state, error=mobile_refusal(refused.code)), None
    return replace(state, operator=submission.operator.id), submission


def _refusal(reason: str, submission, total=None) -> str:
    return operator_refusal(reason, submission.operator.id, total)


@bp.post("/orders/<number>/mobile/quote")
@quote_per_address
def quote(number: str):
    """The quote before anything is sent: amount, commission and total; the limits left and a
    refusal's reason only for a payer signed in as the number (SPEC §3.2.2)."""
    visible_order_or_404(number)
    state, submission = _form_state(number)
    if submission:
        try:
            found = mobile.quote_for(payer(), number, submission.phone, submission.operator,
                                     current_lang())
            state = replace(state, quote=found, error=_refusal(
                found.refusal, submission, found.total) if found.refusal else None)
        except MobileRefused as refused:
            state = replace(state, error=_refusal(refused.code, submission))
    # htmx does not swap a 4xx answer, so the live quote comes back as 200 with its message.
    status = 422 if state.error and not is_htmx() else 200
    return order_page(number, method=mobile.METHOD, form=state, status=status,
                      block="mobile_quote")


@bp.post("/orders/<number>/mobile")
@per_address
@per_number
def start(number: str):
    """Send the SMS (checkout.start: a double click gets the waiting payment; a waiting
    payment of the number for another order is replaced), then wait for the reply."""
    visible_order_or_404(number)
    state, submission = _form_state(number)
    if submission:
        try:
            attempt = checkout.start(
                number, mobile.METHOD, submission,
                idempotency_key=f"mobile:{secrets.token_urlsafe(24)}", signed_in=payer(),
                locale=current_lang(), keep_private=True)
        except MobileRefused as refused:
            state = replace(state, error=_refusal(refused.code, submission, refused.total))
        except CheckoutRefused as refused:
            state = replace(state, error=mobile_refusal(
                "not_goods" if refused.code == "method_unavailable" else refused.code))
        except CodeRefused as refused:
            state = replace(state, error=code_refusal(refused, clock.now()))
        else:
            remember_order(number)
            return redirect(url_for("mobile.waiting", number=number, attempt_id=attempt.id),
                            code=303)
    return order_page(number, method=mobile.METHOD, form=state, status=422)


def _waiting_page(order, attempt):
    number, details = order.number, checkout.details(attempt)
    return code_pages.CodePage(
        template="checkout/mobile.html",
        confirm_url=url_for("mobile.confirm", number=number, attempt_id=attempt.id),
        resend_url=url_for("mobile.resend", number=number, attempt_id=attempt.id),
        poll_url=url_for("mobile.waiting", number=number, attempt_id=attempt.id, part="code"),
    ), {"operator": rules().operator(details.operator_id)}


def _waiting(number: str, attempt_id: int, **shown):
    return code_pages.attempt_page(number, attempt_id, SMS_REPLY, _waiting_page, **shown)


@bp.get("/orders/<number>/mobile/<int:attempt_id>")
def waiting(number: str, attempt_id: int):
    """Waits for the SMS reply (polling), or takes the code typed here. Two blocks poll:
    the payment's status and the code's status (?part=code)."""
    block = "code_status" if request.args.get("part") == "code" else "mobile_status"
    return _waiting(number, attempt_id, block=block)


@bp.post("/orders/<number>/mobile/<int:attempt_id>")
@per_address
@per_attempt_number
def confirm(number: str, attempt_id: int):
    visible_order_or_404(number)

    def use(typed: str):
        try:
            checkout.confirm(number, attempt_id, typed, mobile.METHOD)
        except CheckoutRefused:
            pass  # the order page says what happened
        return redirect(url_for("checkout.order", number=number), code=303)

    return code_pages.take_code(lambda **shown: _waiting(number, attempt_id, **shown), use)


@bp.post("/orders/<number>/mobile/<int:attempt_id>/resend")
@per_address
@per_attempt_number
def resend(number: str, attempt_id: int):
    visible_order_or_404(number)
    try:
        return code_pages.send_again(
            lambda **shown: _waiting(number, attempt_id, **shown),
            lambda: checkout.resend(number, attempt_id, current_lang(), mobile.METHOD),
            url_for("mobile.waiting", number=number, attempt_id=attempt_id))
    except CheckoutRefused:
        return redirect(url_for("checkout.order", number=number), code=303)
