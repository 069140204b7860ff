"""Sandbox-only pages: demo subscribers, test cards, the clock. Absent when SANDBOX is off."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, redirect, request, url_for

from ..clock import clock
from ..htmx import render
from ..services import demo, rules
from ..services.settle import settle_all

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

CLOCK_STEPS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "3d": timedelta(days=3)}


@bp.get("/")
def index():
    return render("sandbox/index.html", subscribers=demo.subscribers_overview(),
                  rules=rules(), now=clock.now(), offset=clock.offset(),
                  steps=CLOCK_STEPS)


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
