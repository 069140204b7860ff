"""The order page: its number, deadline and status (polled while it can change by itself), a
chooser of the methods the order offers and the chosen method's form
(templates/checkout/methods/<method>.html), the receipt or the refund. Paying is in
views/checkout.py; both are the `checkout` blueprint, so the pages keep their addresses and
endpoint names."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, request, url_for

from ..clock import clock
from ..domain import orders as states
from ..domain.money import Money
from ..domain.phone import as_typed_in_field
from ..htmx import is_htmx, render
from ..payments import registry
from ..services import checkout, rules
from ..services import orders as order_service
from ..services.payment_ports import provider
from ..services.topup import OTHER
from .access import payer, visible_order_or_404
from .messages import refusal

bp = Blueprint("checkout", __name__)


def _chosen(order, methods: tuple[str, ...], method: str | None) -> str | None:
    """The method whose form the page shows: the one asked for (?method= or the form just
    posted), else the one whose last attempt failed (its reason reads best there), else the
    first the order offers."""
    asked = method or request.args.get("method")
    if asked in methods:
        return asked
    latest = order.attempts[-1] if order.attempts else None
    if latest is not None and latest.status == states.FAILED and latest.method in methods:
        return latest.method
    return methods[0] if methods else None


def show(order, *, status: int = 200, block: str | None = None, errors=None, notice=None,
         method: str | None = None, form=None):
    """The order page, or its `block` (of the chosen method's partial when that has it);
    `method` and `form`: the method whose form was posted and what it shows again (its
    provider's form(): the typed values, never a CVC; an `error` of its own)."""
    market = rules().market(order.market)
    phone = payer()
    methods = checkout.offered(order) if order.status == states.AWAITING_PAYMENT else ()
    if method and method not in methods and getattr(form, "error", None):
        notice = form.error  # no such form on this page to show it in
    chosen = _chosen(order, methods, method)
    if chosen and (form is None or chosen != method):
        form = provider(chosen).form(checkout.payable(order), {}, phone)
    partial = registry.method(chosen).partial if chosen else None
    template = partial if block and partial and is_htmx() and block in _blocks(partial) \
        else "checkout/order.html"
    decline = checkout.last_decline(order, phone)
    return render(
        template, block, order=order, market=market,
        operator=market.operator(order.operator_id), now=clock.now(),
        product=rules().product(order.product_id) if order.product_id else None,
        methods=[registry.method(name) for name in methods], chosen=chosen, form=form,
        paid=checkout.details(order.successful_attempt) if order.successful_attempt else None,
        method_partials={name: registry.method(name).partial for name in registry.names()},
        errors=errors or {}, notice=notice, attempt_key=secrets.token_urlsafe(18),
        last_decline=refusal(decline) if decline else None, payer=phone,
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


def _blocks(template: str) -> set[str]:
    """The blocks a template defines (a method's partial may have fragments of its own)."""
    return set(current_app.jinja_env.get_template(template).blocks)


def order_page(number: str, *, method: str, form, status: int = 200, block=None):
    """The checkout page (or a block of it or of the method's partial) with `method`'s form
    as posted (a method's own pages: the phone balance's quote)."""
    return show(visible_order_or_404(number), method=method, form=form, status=status,
                block=block)


@bp.get("/orders/<number>")
def order(number: str):
    return show(visible_order_or_404(number))


@bp.get("/orders/<number>/status")
def status(number: str):
    """The status block, polled by htmx; a change of state reloads the whole page."""
    current = visible_order_or_404(number)
    shown = request.args.get("shown")
    if is_htmx() and shown and shown != current.status:
        return "", 200, {"HX-Refresh": "true"}
    return show(current, block="status")
