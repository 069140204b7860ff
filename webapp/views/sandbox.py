"""Sandbox-only pages: demo subscribers, the subscriber builder, test cards, the clock.
Absent when SANDBOX is off."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext

from ..clock import clock
from ..domain.money import MoneyError, parse_major
from ..domain.phone import format_international
from ..extensions import csrf
from ..htmx import render
from ..refusals import CheckoutRefused
from ..services import builder, checkout, demo, kiosk, kiosk_screen, mobile, rules, trust
from ..services.orders import DISPUTE
from ..services.settle import settle_all
from ..services.trust_texts import refusal_text
from . import labels
from .access import visible_order_or_404
from .builder_form import SubscriberForm, as_json, defaults, formdata_from_json
from .builder_messages import problem_text
from .messages import message
from .mobile_messages import mobile_refusal
from .targets import local_path

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

CLOCK_STEPS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "3d": timedelta(days=3)}


@bp.get("/")
def index():
    return render("sandbox/index.html", subscribers=demo.subscribers_overview(),
                  rules=rules(), now=clock.now(), offset=clock.offset(),
                  steps=CLOCK_STEPS, note_text=demo.note_text,
                  terminals=kiosk.listed_terminals(), kiosk_receipts=_kiosk_receipts(),
                  **labels.for_templates())


def _kiosk_receipts():
    """The latest kiosk receipts of every terminal (kept also when a customer walked away)."""
    return [(term.id, token, receipt) for term in kiosk.listed_terminals()
            for token, receipt in kiosk_screen.recent_receipts(term.id, limit=3)]


def _subscriber_page(detail, error=None, spend_raw=""):
    return render("sandbox/subscriber.html", detail=detail, rules=rules(), error=error,
                  spend_raw=spend_raw, note_text=demo.note_text, **labels.for_templates())


@bp.get("/subscribers/<msisdn:digits>")
def subscriber(digits: str):
    detail = demo.subscriber_detail("+" + digits)
    if detail is None:
        abort(404)
    return _subscriber_page(detail)


@bp.post("/subscribers/<msisdn:digits>/spend")
def spend(digits: str):
    """"Spend N on calls": lowers the balance so that auto trust payment can be seen firing."""
    detail = demo.subscriber_detail("+" + digits)
    if detail is None:
        abort(404)
    typed = (request.form.get("amount") or "")[:12]
    try:
        amount = parse_major(typed, detail.currency)
        if amount <= 0:
            raise MoneyError("format")
        trust.spend(detail.subscriber.phone, amount)
    except MoneyError:
        return _subscriber_page(detail, error=message("amount_format"), spend_raw=typed), 422
    except trust.TrustRefused as refused:
        flash(refusal_text(refused.reason))
    return redirect(url_for("sandbox.subscriber", digits=digits), code=303)


@bp.post("/orders/<number>/refund")
def refund(number: str):
    """A dispute won by the payer: the mobile payment goes back to the number's wallet."""
    visible_order_or_404(number)
    try:
        checkout.refund(number, actor="sandbox", note=DISPUTE, method=mobile.METHOD)
    except CheckoutRefused as refused:
        flash(mobile_refusal(refused.code))
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/clock")
def move_clock():
    """Move the shared sandbox clock forward (or back to real time) and settle what fell due."""
    step = request.form.get("step", "")
    if step == "reset":
        clock.reset()
    elif step in CLOCK_STEPS:
        clock.advance(CLOCK_STEPS[step])
        settle_all()
    return redirect(local_path(request.form.get("next")) or url_for("sandbox.index"), code=303)


def _build(form: SubscriberForm, wrong_types: dict[str, str] | None = None):
    """Check the form, then build; (errors by field in the form's order, None) or ({}, the
    Built)."""
    form.validate()
    wrong_types = wrong_types or {}
    errors = {field.name: [wrong_types[field.name]] if field.name in wrong_types
              else list(field.errors) for field in form
              if field.errors or field.name in wrong_types}
    errors |= {name: [text] for name, text in wrong_types.items() if name not in errors}
    if errors:
        return errors, None
    try:
        return {}, builder.create(form.spec())
    except builder.BuilderRefused as refused:
        market = builder.market_of(form.operator.data.strip())
        currency = market.currency if market else "RUB"
        for problem in refused.problems:
            errors.setdefault(problem.field, []).append(problem_text(problem, currency))
        return errors, None


def _today():
    """Today in Moscow: the default dates of the builder (both markets' days are close)."""
    return clock.now().astimezone(ZoneInfo(rules().market("RU").timezone)).date()


def _builder_page(form: SubscriberForm, errors: dict[str, list[str]]):
    return render("sandbox/builder.html", form=form, errors=errors, rules=rules(),
                  **labels.for_templates())


@bp.get("/subscribers/new")
def new_subscriber():
    """The subscriber builder's form, filled with a two-year-old prepaid number."""
    form = SubscriberForm(data={**defaults(_today()), "operator": "mts", "balance": "500",
                                "history_months": "6", "monthly_spend": "300"})
    return _builder_page(form, {})


@bp.post("/subscribers")
def build():
    form = SubscriberForm()
    errors, built = _build(form)
    if built is None:
        return _builder_page(form, errors), 422
    # TRANSLATORS: subscriber builder, after it made a number; %(number)s the new number, e.g. "+7
    # 903 123-45-67".
    flash(gettext("Subscriber %(number)s is ready.", number=format_international(built.spec.phone)))
    return redirect(url_for("sandbox.subscriber", digits=built.spec.phone[1:]), code=303)


def _json_error(text: str, status: int):
    return jsonify(errors=[{"field": None, "message": text}]), status


@bp.post("/api/subscribers")
@csrf.exempt
def build_json():
    """The builder for machines: the form's fields as a JSON object; 201 with the subscriber
    in the same fields, or 422 with {"errors": [{"field", "message"}]}. CSRF-exempt: a JSON
    body cannot be sent cross-site by a plain form, and the endpoint exists only in sandbox."""
    if not request.is_json:
        return _json_error(gettext("Send a JSON object with Content-Type: application/json."),
                           415)
    try:
        payload = json.loads(request.get_data(cache=False), parse_float=Decimal)
    except (ValueError, RecursionError):  # RecursionError: nesting too deep to parse
        return _json_error(gettext("The body is not valid JSON."), 400)
    if not isinstance(payload, dict):
        return _json_error(gettext("The body must be a JSON object of fields."), 400)
    formdata, wrong_types = formdata_from_json(payload, _today())
    form = SubscriberForm(formdata=formdata, meta={"csrf": False})
    errors, built = _build(form, wrong_types)
    if built is None:
        return jsonify(errors=[{"field": name, "message": text}
                               for name, texts in errors.items() for text in texts]), 422
    page = url_for("sandbox.subscriber", digits=built.spec.phone[1:], _external=True)
    body = as_json(built.spec, built.balance, rules().market(built.spec.market).currency)
    body["sandbox_url"] = page
    body["virtual_phone_url"] = url_for("phone.inbox", digits=built.spec.phone[1:],
                                        _external=True)
    return jsonify(body), 201, {"Location": page}
