"""Paying a goods order from the phone balance: quote, SMS, confirmation by reply or code."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, redirect, request, url_for

from ..clock import clock
from ..domain import orders as states
from ..htmx import is_htmx, render
from ..i18n import current_lang
from ..refusals import FormRefused, MobileRefused
from ..services import checkout, codes, mobile, rules
from ..services.payment_ports import provider
from .access import payer, remember_order, visible_order_or_404
from .checkout import order_page
from .limits import per_address, per_attempt_number, per_number, quote_per_address
from .messages import code_format, code_refusal, message
from .mobile_messages import mobile_refusal

bp = Blueprint("mobile", __name__)


def _form_state(number: str):
    """(what the form shows again, phone, operator) from the mobile payment form."""
    found = provider(mobile.METHOD)
    state = found.form(None, request.form, payer())
    try:
        submission = found.read(None, request.form, payer())
    except FormRefused as refused:
        return replace(state, error=message(refused.errors["phone"])), None, None
    except MobileRefused as refused:
        return replace(state, error=mobile_refusal(refused.code)), None, None
    return replace(state, operator=submission.operator.id), submission.phone, \
        submission.operator


def _refusal(reason: str, operator, total=None) -> str:
    terms = rules().mcommerce.get(operator.id) if operator else None
    return mobile_refusal(reason, operator, terms, total)


@bp.post("/orders/<number>/mobile/quote")
@quote_per_address
def quote(number: str):
    """The quote before anything is sent: amount, commission and total; the limits left and a
    refusal's reason only for a payer signed in as the number (SPEC §3.2.2)."""
    visible_order_or_404(number)
    state, phone, operator = _form_state(number)
    if phone:
        try:
            found = mobile.quote_for(payer(), number, phone, operator, current_lang())
            state = replace(state, quote=found, error=_refusal(
                found.refusal, operator, found.total) if found.refusal else None)
        except MobileRefused as refused:
            state = replace(state, error=_refusal(refused.code, operator))
    # htmx does not swap a 4xx answer, so the live quote comes back as 200 with its message.
    status = 422 if state.error and not is_htmx() else 200
    return order_page(number, method=mobile.METHOD, form=state, status=status, block="mobile_quote")


@bp.post("/orders/<number>/mobile")
@per_address
@per_number
def start(number: str):
    visible_order_or_404(number)
    state, phone, operator = _form_state(number)
    if phone:
        try:
            attempt = mobile.start_for(payer(), number, phone, operator, current_lang())
        except MobileRefused as refused:
            state = replace(state, error=_refusal(refused.code, operator, refused.total))
        except codes.CodeRefused as refused:
            state = replace(state, error=code_refusal(refused, clock.now()))
        else:
            remember_order(number)
            return redirect(url_for("mobile.waiting", number=number, attempt_id=attempt.id),
                            code=303)
    return order_page(number, method=mobile.METHOD, form=state, status=422)


def _waiting_page(number: str, attempt_id: int, *, error=None, status=200, block=None):
    # 404 unless it is this session's or payer's; past its deadline the order expires and
    # the wait ends.
    visible_order_or_404(number)
    found = mobile.attempt_view(number, attempt_id)
    if found is None:
        abort(404)
    order, attempt = found
    if attempt.status != states.PENDING:
        target = url_for("checkout.order", number=number)
        if is_htmx():
            return "", 200, {"HX-Redirect": target}
        return redirect(target, code=303)
    paying = checkout.details(attempt)
    return render("checkout/mobile.html", block, order=order, attempt=attempt,
                  paying=paying, operator=rules().operator(paying.operator_id),
                  now=clock.now(), error=error, code=checkout.code_view(attempt)), status


@bp.get("/orders/<number>/mobile/<int:attempt_id>")
def waiting(number: str, attempt_id: int):
    """Waits for the SMS reply (polling), or takes the code typed here. Two blocks poll:
    the payment's status and the code's status (?part=code)."""
    block = "code_status" if request.args.get("part") == "code" else "mobile_status"
    return _waiting_page(number, attempt_id, block=block)


@bp.post("/orders/<number>/mobile/<int:attempt_id>")
@per_address
@per_attempt_number
def confirm(number: str, attempt_id: int):
    visible_order_or_404(number)
    typed = codes.read_typed(request.form.get("code"))
    if typed is None:
        return _waiting_page(number, attempt_id, error=code_format(codes.digits()), status=422)
    try:
        mobile.confirm_typed(number, attempt_id, typed)
    except codes.CodeRefused as refused:
        return _waiting_page(number, attempt_id, status=422,
                             error=code_refusal(refused, clock.now()))
    except MobileRefused:
        pass  # the order page says what happened
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/orders/<number>/mobile/<int:attempt_id>/resend")
@per_address
@per_attempt_number
def resend(number: str, attempt_id: int):
    visible_order_or_404(number)
    try:
        mobile.resend(number, attempt_id, current_lang())
    except codes.CodeRefused as refused:
        return _waiting_page(number, attempt_id, status=429,
                             error=code_refusal(refused, clock.now()))
    except MobileRefused:
        return redirect(url_for("checkout.order", number=number), code=303)
    return redirect(url_for("mobile.waiting", number=number, attempt_id=attempt_id), code=303)
