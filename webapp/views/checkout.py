"""Paying an order with any method through services/checkout.py, the page of the action an
attempt waits for (ACTION_PAGES), the card form's brand hint and the 3-D Secure code page.
The order page itself is views/order_page.py (the same `checkout` blueprint)."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from jinja2_fragments.flask import render_block

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import card_brand, normalize_number
from ..i18n import current_lang
from ..models import PaymentAttempt
from ..payments.base import CODE, QR, REDIRECT, SMS_REPLY
from ..refusals import CheckoutRefused, CodeRefused, FormRefused, Refused
from ..services import checkout
from ..services import orders as order_service
from ..services.payment_ports import provider
from . import code_pages
from .access import payer, remember_order, visible_order_or_404
from .forms import method_form
from .limits import per_address, per_attempt_number
from .messages import code_refusal, message, refusal
from .order_page import bp, show

__all__ = ["ACTION_PAGES", "bp"]

# The page a waiting attempt's payer goes to, by the kind of action it waits for: the one
# place a kind gets its page (a wallet's redirect or QR and a cash session add theirs here).
ACTION_PAGES = {CODE: "checkout.three_ds", SMS_REPLY: "mobile.waiting",
                REDIRECT: "wallet_checkout.go", QR: "wallet_checkout.waiting"}


@bp.post("/orders/<number>/pay/<method>")
def pay(number: str, method: str):
    """Pay with any method the order offers: the provider reads its form, the checkout runs
    its life cycle; then the order page, or the page of the action the attempt waits for."""
    current = visible_order_or_404(number)
    if method not in checkout.offered(current):
        abort(404)
    prov, signed_in, posted = provider(method), payer(), method_form(method)
    payable = checkout.payable(current)
    retry_form = prov.form(payable, posted, signed_in)
    try:
        submission = prov.read(payable, posted, signed_in)
    except FormRefused as refused:
        errors = {field: message(code) for field, code in refused.errors.items()}
        return show(current, status=422, errors=errors, method=method, form=retry_form)
    key = (posted.get("attempt_key") or "").strip()
    if not 16 <= len(key) <= 64:
        return show(current, status=422, notice=message("csrf"), method=method,
                    form=retry_form)
    try:
        attempt = checkout.start(number, method, submission, idempotency_key=key,
                                 signed_in=signed_in, locale=current_lang(),
                                 keep_private=True)
    except CodeRefused as refused:  # an action's code may not be sent now: when it can
        return show(order_service.refresh(number) or current, status=refused.status,
                    notice=code_refusal(refused, clock.now()), method=method,
                    form=retry_form)
    except Refused as refused:
        return show(order_service.refresh(number) or current, status=refused.status,
                    notice=refusal(refused), method=method, form=retry_form)
    remember_order(number)
    if attempt.status == states.PENDING:
        return redirect(_action_url(number, attempt), code=303)
    if attempt.status == states.SUCCEEDED:
        return redirect(url_for("checkout.order", number=number), code=303)
    return show(order_service.refresh(number) or current, status=402, method=method,
                form=retry_form)


def _action_url(number: str, attempt: PaymentAttempt) -> str:
    """Where the payer answers what the attempt waits for (a code, an SMS reply, a redirect)."""
    page = ACTION_PAGES.get((checkout.action(attempt) or {}).get("kind"))
    if page is None:  # an action answered elsewhere: the order page follows the attempt
        return url_for("checkout.order", number=number)
    return url_for(page, number=number, attempt_id=attempt.id)


@bp.post("/orders/<number>/card")
def pay_card(number: str):
    """The card form's own address (bookmarks, old pages): the same as /pay/card."""
    return pay(number, "card")


@bp.post("/cards/brand")
def brand():
    """The brand of the digits typed so far, for the card form's live hint."""
    digits = normalize_number(request.form.get("number"))[:19]
    found = card_brand(digits) if digits else None
    return render_block("checkout/methods/card.html", "card_brand", brand=found)


def _three_ds_page(order, attempt):
    number = order.number
    return code_pages.CodePage(
        template="checkout/three_ds.html",
        confirm_url=url_for("checkout.three_ds_confirm", number=number, attempt_id=attempt.id),
        resend_url=url_for("checkout.three_ds_resend", number=number, attempt_id=attempt.id),
        poll_url=url_for("checkout.three_ds", number=number, attempt_id=attempt.id),
        other_url=url_for("checkout.order", number=number)), {}


def _three_ds(number: str, attempt_id: int, **shown):
    return code_pages.attempt_page(number, attempt_id, CODE, _three_ds_page, **shown)


@bp.get("/orders/<number>/3ds/<int:attempt_id>")
def three_ds(number: str, attempt_id: int):
    return _three_ds(number, attempt_id, block="code_status")


@bp.post("/orders/<number>/3ds/<int:attempt_id>")
@per_address
@per_attempt_number
def three_ds_confirm(number: str, attempt_id: int):
    visible_order_or_404(number)

    def use(typed: str):
        try:
            checkout.confirm(number, attempt_id, typed)
        except CheckoutRefused:
            pass  # the order page says why (expired, attempt over)
        return redirect(url_for("checkout.order", number=number), code=303)

    return code_pages.take_code(lambda **shown: _three_ds(number, attempt_id, **shown), use)


@bp.post("/orders/<number>/3ds/<int:attempt_id>/resend")
@per_address
@per_attempt_number
def three_ds_resend(number: str, attempt_id: int):
    visible_order_or_404(number)
    try:
        return code_pages.send_again(
            lambda **shown: _three_ds(number, attempt_id, **shown),
            lambda: checkout.resend(number, attempt_id, current_lang()),
            url_for("checkout.three_ds", number=number, attempt_id=attempt_id))
    except CheckoutRefused:
        return redirect(url_for("checkout.order", number=number), code=303)

