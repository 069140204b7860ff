"""The checkout of an order: its number, deadline and status, and paying it by card."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, request, url_for
from jinja2_fragments.flask import render_block

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import BRAND_NAMES, card_brand, normalize_number, validate_card
from ..htmx import is_htmx, render
from ..services import orders as order_service
from ..services import rules
from ..services.checkout import PaymentRefused, pay_by_card
from .messages import message

bp = Blueprint("checkout", __name__)

# While an order can still change by itself, its status block asks again this often (seconds).
POLL_SECONDS = {states.AWAITING_PAYMENT: 30, states.PAID: 2, states.CREDITING: 2}


def _order_or_404(number: str):
    order = order_service.refresh(number)
    if order is None:
        abort(404)
    return order


def _page(order, *, status: int = 200, block: str | None = None, errors=None, notice=None,
          card_values=None):
    market = rules().market(order.market)
    return render(
        "checkout/order.html", block, order=order, market=market,
        operator=market.operator(order.operator_id), now=clock.now(),
        poll_seconds=POLL_SECONDS.get(order.status), errors=errors or {}, notice=notice,
        card=card_values or {}, attempt_key=secrets.token_urlsafe(18), BRAND_NAMES=BRAND_NAMES,
        last_decline=_last_decline(order),
    ), status


def _last_decline(order):
    """The reason of the latest failed attempt while the order is still unpaid."""
    if order.status != states.AWAITING_PAYMENT or not order.attempts:
        return None
    latest = order.attempts[-1]
    return message(latest.decline_code) if latest.status == states.FAILED else None


@bp.get("/orders/<number>")
def order(number: str):
    return _page(_order_or_404(number))


@bp.get("/orders/<number>/status")
def status(number: str):
    """The status block, polled by htmx; a change of state reloads the whole page."""
    current = _order_or_404(number)
    shown = request.args.get("shown")
    if is_htmx() and shown and shown != current.status:
        return "", 200, {"HX-Refresh": "true"}
    return _page(current, block="status")


@bp.post("/orders/<number>/card")
def pay_card(number: str):
    current = _order_or_404(number)
    market = rules().market(current.market)
    today = clock.now().astimezone(ZoneInfo(market.timezone)).date()
    form = request.form
    card, problems = validate_card(form.get("number"), form.get("expiry"), form.get("cvc"), today)
    typed = {"number": normalize_number(form.get("number"))[:19],
             "expiry": (form.get("expiry") or "")[:7]}
    if card is None:
        errors = {field: message(code) for field, code in problems.items()}
        return _page(current, status=422, errors=errors, card_values=typed)
    key = (form.get("attempt_key") or "").strip()
    if not 16 <= len(key) <= 64:
        return _page(current, status=422, notice=message("csrf"), card_values=typed)
    try:
        attempt = pay_by_card(number, card, key)
    except PaymentRefused as refused:
        return _page(order_service.refresh(number) or current, status=409,
                     notice=message(refused.code))
    if attempt.status == states.SUCCEEDED:
        return redirect(url_for("checkout.order", number=number), code=303)
    return _page(order_service.refresh(number) or current, status=402, card_values=typed)


@bp.post("/cards/brand")
def brand():
    """The brand of the digits typed so far, for the card form's live hint."""
    digits = normalize_number(request.form.get("number"))[:19]
    found = card_brand(digits) if digits else None
    return render_block("checkout/order.html", "card_brand", brand=found,
                        BRAND_NAMES=BRAND_NAMES)
