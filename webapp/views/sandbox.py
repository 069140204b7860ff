"""Sandbox-only pages: demo subscribers, test cards, the clock. Absent when SANDBOX is off."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..clock import clock
from ..domain.money import MoneyError, parse_major
from ..htmx import render
from ..services import demo, mobile, rules, trust
from ..services.settle import settle_all
from ..services.trust_texts import refusal_text
from .access import visible_order_or_404
from .messages import message
from .mobile_messages import mobile_refusal

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

CLOCK_STEPS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "3d": timedelta(days=3)}


@bp.get("/")
def index():
    return render("sandbox/index.html", subscribers=demo.subscribers_overview(),
                  rules=rules(), now=clock.now(), offset=clock.offset(),
                  steps=CLOCK_STEPS)


@bp.get("/subscribers/<digits>")
def subscriber(digits: str):
    detail = demo.subscriber_detail("+" + digits)
    if detail is None:
        abort(404)
    return render("sandbox/subscriber.html", detail=detail, rules=rules(), error=None,
                  spend_raw="")


@bp.post("/subscribers/<digits>/spend")
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
        return render("sandbox/subscriber.html", detail=detail, rules=rules(), spend_raw=typed,
                      error=message("amount_format")), 422
    except trust.TrustRefused as refused:
        flash(refusal_text(refused.reason))
    return redirect(url_for("sandbox.subscriber", digits=digits), code=303)


@bp.post("/orders/<number>/refund")
def refund(number: str):
    """A dispute won by the payer: the mobile payment goes back to the number's wallet."""
    visible_order_or_404(number)
    try:
        mobile.refund(number)
    except mobile.MobileRefused as refused:
        flash(mobile_refusal(refused.reason))
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
    back = request.form.get("next", "")
    # Only a local path may be a target, never another site.
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("sandbox.index")
    return redirect(back, code=303)
