"""The checkout of an order: its number, deadline and status; a chooser of the methods the
order offers and the chosen method's form (templates/checkout/methods/<method>.html); paying
with any method through services/checkout.py, and the 3-D Secure code page."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, request, url_for
from jinja2_fragments.flask import render_block

from ..clock import clock
from ..domain import orders as states
from ..domain.cards import BRAND_NAMES, card_brand, normalize_number
from ..domain.money import Money
from ..domain.phone import as_typed_in_field
from ..extensions import db
from ..htmx import is_htmx, render
from ..i18n import current_lang
from ..models import PaymentAttempt
from ..payments import registry
from ..payments.base import CODE, QR, REDIRECT, SMS_REPLY
from ..refusals import CheckoutRefused, FormRefused, Refused
from ..services import checkout, codes, mobile, rules
from ..services import orders as order_service
from ..services.payment_ports import provider
from ..services.topup import OTHER
from .access import payer, remember_order, visible_order_or_404
from .limits import per_address, per_attempt_number
from .messages import code_format, code_refusal, message, refusal
from .mobile_messages import mobile_refusal

bp = Blueprint("checkout", __name__)

# While an order can still change by itself, its status block asks again this often (seconds).
POLL_SECONDS = {states.AWAITING_PAYMENT: 30, states.PAID: 2, states.CREDITING: 2}
# The page a waiting attempt's payer goes to, by the kind of action it waits for (a wallet's
# redirect or QR and a cash session add theirs).
ACTION_PAGES = {CODE: "checkout.three_ds", SMS_REPLY: "mobile.waiting",
                REDIRECT: "wallet_checkout.go", QR: "wallet_checkout.waiting"}


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


def _page(order, *, status: int = 200, block: str | None = None, errors=None, notice=None,
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
    return render(
        template, block, order=order, market=market,
        operator=market.operator(order.operator_id), now=clock.now(),
        product=rules().product(order.product_id) if order.product_id else None,
        methods=[registry.method(name) for name in methods], chosen=chosen, form=form,
        poll_seconds=POLL_SECONDS.get(order.status) if order.kind == "topup" else (
            POLL_SECONDS[states.AWAITING_PAYMENT]
            if order.status == states.AWAITING_PAYMENT else None),
        paid=checkout.details(order.successful_attempt) if order.successful_attempt else None,
        method_partials={name: registry.method(name).partial for name in registry.names()},
        errors=errors or {}, notice=notice, attempt_key=secrets.token_urlsafe(18),
        BRAND_NAMES=BRAND_NAMES, last_decline=_last_decline(order, phone), payer=phone,
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
        found = checkout.details(latest)
        return mobile_refusal(reason, rules().operator(found.operator_id),
                              rules().mcommerce.get(found.operator_id),
                              latest.amount + found.commission)
    return message(latest.decline_code)


@bp.get("/orders/<number>")
def order(number: str):
    return _page(visible_order_or_404(number))


def order_page(number: str, *, method: str, form, status: int = 200, block=None):
    """The checkout page (or a block of it or of the method's partial) with `method`'s form
    as posted (a method's own pages: the phone balance's quote)."""
    return _page(visible_order_or_404(number), method=method, form=form, status=status,
                 block=block)


def _blocks(template: str) -> set[str]:
    """The blocks a template defines (a method's partial may have fragments of its own)."""
    from flask import current_app

    return set(current_app.jinja_env.get_template(template).blocks)


@bp.get("/orders/<number>/status")
def status(number: str):
    """The status block, polled by htmx; a change of state reloads the whole page."""
    current = visible_order_or_404(number)
    shown = request.args.get("shown")
    if is_htmx() and shown and shown != current.status:
        return "", 200, {"HX-Refresh": "true"}
    return _page(current, block="status")


@bp.post("/orders/<number>/pay/<method>")
def pay(number: str, method: str):
    """Pay with any method the order offers: the provider reads its form, the checkout runs
    its life cycle; then the order page, or the page of the action the attempt waits for."""
    current = visible_order_or_404(number)
    if method not in checkout.offered(current):
        abort(404)
    prov, signed_in = provider(method), payer()
    payable = checkout.payable(current)
    try:
        submission = prov.read(payable, request.form, signed_in)
    except FormRefused as refused:
        errors = {field: message(code) for field, code in refused.errors.items()}
        return _page(current, status=422, errors=errors, method=method,
                     form=prov.form(payable, request.form, signed_in))
    retry_form = prov.form(payable, request.form, signed_in)
    key = (request.form.get("attempt_key") or "").strip()
    if not 16 <= len(key) <= 64:
        return _page(current, status=422, notice=message("csrf"), method=method,
                     form=retry_form)
    try:
        attempt = checkout.start(number, method, submission, idempotency_key=key,
                                 signed_in=signed_in, locale=current_lang())
    except CheckoutRefused as refused:
        return _page(order_service.refresh(number) or current, status=409,
                     notice=message(refused.code), method=method, form=retry_form)
    except Refused as refused:
        return _page(order_service.refresh(number) or current, status=refused.status,
                     notice=refusal(refused), method=method,
                     form=retry_form)
    remember_order(number)
    if attempt.status == states.PENDING:
        return redirect(_action_url(number, attempt), code=303)
    if attempt.status == states.SUCCEEDED:
        return redirect(url_for("checkout.order", number=number), code=303)
    return _page(order_service.refresh(number) or current, status=402, method=method,
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
    return render_block("checkout/methods/card.html", "card_brand", brand=found,
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
                  card=checkout.details(attempt), market=rules().market(current.market),
                  now=clock.now(), error=error, code=checkout.code_view(attempt)), status


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
        checkout.confirm(number, attempt_id, typed)
    except codes.CodeRefused as refused:
        return _three_ds_page(number, attempt_id, status=422,
                              error=code_refusal(refused, clock.now()))
    except CheckoutRefused:
        pass  # the order page says why (expired, attempt over)
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/orders/<number>/3ds/<int:attempt_id>/resend")
@per_address
@per_attempt_number
def three_ds_resend(number: str, attempt_id: int):
    visible_order_or_404(number)
    try:
        checkout.resend(number, attempt_id, current_lang())
    except codes.CodeRefused as refused:
        return _three_ds_page(number, attempt_id, status=429,
                              error=code_refusal(refused, clock.now()))
    except CheckoutRefused:
        return redirect(url_for("checkout.order", number=number), code=303)
    return redirect(url_for("checkout.three_ds", number=number, attempt_id=attempt_id), code=303)
