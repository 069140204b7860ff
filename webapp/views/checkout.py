"""The checkout of an order: its number, deadline and status; paying it by card, with 3-D
Secure and saved cards."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, redirect, request, url_for
from jinja2_fragments.flask import render_block

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import BRAND_NAMES, card_brand, normalize_number, validate_card
from ..domain.money import Money
from ..domain.phone import as_typed_in_field
from ..extensions import db
from ..htmx import is_htmx, render
from ..i18n import current_lang
from ..models import PaymentAttempt
from ..services import account, codes, mobile, rules
from ..services import orders as order_service
from ..services.checkout import (
    THREE_DS,
    CardPayment,
    PaymentRefused,
    confirm_three_ds,
    pay_by_card,
    resend_three_ds,
    saved_card,
)
from ..services.topup import OTHER
from .access import payer, remember_order, visible_order_or_404
from .limits import per_address, per_attempt_number
from .messages import code_format, code_refusal, message
from .mobile_messages import mobile_refusal

bp = Blueprint("checkout", __name__)

# While an order can still change by itself, its status block asks again this often (seconds).
POLL_SECONDS = {states.AWAITING_PAYMENT: 30, states.PAID: 2, states.CREDITING: 2}
NEW_CARD = "new"


def _page(order, *, status: int = 200, block: str | None = None, errors=None, notice=None,
          card_values=None, mobile_state=None):
    market = rules().market(order.market)
    phone = payer()
    mobile_offered = order.kind == "goods" and market.code == "RU"
    if mobile_state and mobile_state.get("error") and not mobile_offered:
        notice = mobile_state["error"]  # no mobile form on this page to show it in
    return render(
        "checkout/order.html", block, order=order, market=market,
        operator=market.operator(order.operator_id), now=clock.now(),
        product=rules().product(order.product_id) if order.product_id else None,
        mobile_offered=mobile_offered, mobile_state=mobile_state or {"phone": phone or ""},
        mobile_operators=[op for op in market.operators if op.id in rules().mcommerce],
        poll_seconds=POLL_SECONDS.get(order.status) if order.kind == "topup" else (
            POLL_SECONDS[states.AWAITING_PAYMENT]
            if order.status == states.AWAITING_PAYMENT else None),
        errors=errors or {}, notice=notice,
        card=card_values or {}, attempt_key=secrets.token_urlsafe(18), BRAND_NAMES=BRAND_NAMES,
        last_decline=_last_decline(order, phone), payer=phone,
        saved_cards=account.saved_cards(phone) if phone else [],
        refund=order_service.refund_of(order), retry_url=_retry_url(order, market),
    ), status


def _retry_url(order, market) -> str | None:
    """For a refunded top-up: the top-up form again with the number and the amount, and the
    operator that refused it named, so that the payer chooses another one."""
    if order.kind != "topup" or order.status != states.REFUNDED:
        return None
    if order.amount in market.topup.tiles:
        amount = {"amount": order.amount}
    else:
        amount = {"amount": OTHER, "other_amount": str(Money(order.amount, order.currency).major)}
    return url_for("topup.form", market=order.market, phone=as_typed_in_field(order.phone),
                   refused_by=order.operator_id, **amount)


def _last_decline(order, viewer: str | None):
    """The reason of the latest failed attempt while the order is still unpaid. A mobile
    payment's reason is private to the paying number (SPEC §3.2.2): the number got it by SMS."""
    if order.status != states.AWAITING_PAYMENT or not order.attempts:
        return None
    latest = order.attempts[-1]
    if latest.status != states.FAILED:
        return None
    if latest.method == mobile.METHOD:
        reason = mobile.private_reason(latest.decline_code, latest.payer_phone, viewer)
        return mobile_refusal(reason, rules().operator(latest.operator_id),
                              rules().mcommerce.get(latest.operator_id),
                              latest.amount + (latest.commission or 0))
    return message(latest.decline_code)


@bp.get("/orders/<number>")
def order(number: str):
    return _page(visible_order_or_404(number))


def order_page(number: str, *, mobile_state=None, status: int = 200, block=None):
    """The checkout page (or one of its blocks) with the mobile payment form's state."""
    return _page(visible_order_or_404(number), mobile_state=mobile_state, status=status,
                 block=block)


@bp.get("/orders/<number>/status")
def status(number: str):
    """The status block, polled by htmx; a change of state reloads the whole page."""
    current = visible_order_or_404(number)
    shown = request.args.get("shown")
    if is_htmx() and shown and shown != current.status:
        return "", 200, {"HX-Refresh": "true"}
    return _page(current, block="status")


def _read_card(form, today):
    """(card, errors, typed values) from the card form: the chosen saved card with its CVC, or
    a new card. A new number typed while a saved card is chosen and its CVC left empty means
    "new card" (typing a number chooses it; a page without CSS :has shows every field).
    Never keeps the CVC in what is sent back."""
    choice = form.get("card_choice") or NEW_CARD
    number = normalize_number(form.get("number"))[:19]
    if choice != NEW_CARD and number and not (form.get("saved_cvc") or "").strip():
        choice = NEW_CARD
    typed = {"number": number, "expiry": (form.get("expiry") or "")[:7], "choice": choice}
    if choice != NEW_CARD:
        card = saved_card(choice, payer())
        if card is None:
            return None, {"choice": message("card_not_found")}, typed
        if not re.fullmatch(r"\d{3}", (form.get("saved_cvc") or "").strip()):
            return None, {"saved_cvc": message("cvc_format")}, typed
        return card, {}, typed
    card, problems = validate_card(form.get("number"), form.get("expiry"), form.get("cvc"), today)
    return card, {field: message(code) for field, code in problems.items()}, typed


@bp.post("/orders/<number>/card")
def pay_card(number: str):
    current = visible_order_or_404(number)
    market = rules().market(current.market)
    today = market.local_date(clock.now())
    card, errors, typed = _read_card(request.form, today)
    if card is None:
        return _page(current, status=422, errors=errors, card_values=typed)
    key = (request.form.get("attempt_key") or "").strip()
    if not 16 <= len(key) <= 64:
        return _page(current, status=422, notice=message("csrf"), card_values=typed)
    payment = CardPayment(card=card, idempotency_key=key, payer_phone=payer(),
                          save_card=request.form.get("save_card") == "1", locale=current_lang())
    try:
        attempt = pay_by_card(number, payment)
    except PaymentRefused as refused:
        return _page(order_service.refresh(number) or current, status=409,
                     notice=message(refused.code))
    remember_order(number)
    if attempt.status == states.SUCCEEDED:
        return redirect(url_for("checkout.order", number=number), code=303)
    if attempt.status == states.PENDING:
        return redirect(url_for("checkout.three_ds", number=number, attempt_id=attempt.id),
                        code=303)
    return _page(order_service.refresh(number) or current, status=402, card_values=typed)


@bp.post("/cards/brand")
def brand():
    """The brand of the digits typed so far, for the card form's live hint."""
    digits = normalize_number(request.form.get("number"))[:19]
    found = card_brand(digits) if digits else None
    return render_block("checkout/order.html", "card_brand", brand=found,
                        BRAND_NAMES=BRAND_NAMES)


def _three_ds_page(number: str, attempt_id: int, *, error=None, status=200, block=None):
    current = visible_order_or_404(number)
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.order_id != current.id:
        abort(404)
    if attempt.status != states.PENDING:
        # Finished (paid, failed, cancelled): the order page tells what happened.
        target = url_for("checkout.order", number=number)
        if is_htmx():
            return "", 200, {"HX-Redirect": target}
        return redirect(target, code=303)
    return render("checkout/three_ds.html", block, order=current, attempt=attempt,
                  market=rules().market(current.market), now=clock.now(), error=error,
                  code=codes.view(THREE_DS, f"attempt:{attempt.id}", attempt.three_ds_phone,
                                  attempt.three_ds_phone == attempt.signed_in_phone),
                  BRAND_NAMES=BRAND_NAMES), status


@bp.get("/orders/<number>/3ds/<int:attempt_id>")
def three_ds(number: str, attempt_id: int):
    return _three_ds_page(number, attempt_id, block="code_status")


@bp.post("/orders/<number>/3ds/<int:attempt_id>")
@per_address
@per_attempt_number
def three_ds_confirm(number: str, attempt_id: int):
    visible_order_or_404(number)
    typed = codes.read_typed(request.form.get("code"))
    if typed is None:
        return _three_ds_page(number, attempt_id, error=code_format(codes.digits()), status=422)
    try:
        confirm_three_ds(number, attempt_id, typed)
    except codes.CodeRefused as refused:
        return _three_ds_page(number, attempt_id, status=422,
                              error=code_refusal(refused, clock.now()))
    except PaymentRefused:
        pass  # the order page says why (expired, attempt over)
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/orders/<number>/3ds/<int:attempt_id>/resend")
@per_address
@per_attempt_number
def three_ds_resend(number: str, attempt_id: int):
    visible_order_or_404(number)
    try:
        resend_three_ds(number, attempt_id, current_lang())
    except codes.CodeRefused as refused:
        return _three_ds_page(number, attempt_id, status=429,
                              error=code_refusal(refused, clock.now()))
    except PaymentRefused:
        return redirect(url_for("checkout.order", number=number), code=303)
    return redirect(url_for("checkout.three_ds", number=number, attempt_id=attempt_id), code=303)
