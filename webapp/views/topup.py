"""The phone top-up screen (SPEC §2): number → operator → amount → place the order."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from ..htmx import render
from ..i18n import current_lang, money
from ..services import rules
from ..services.topup import OTHER, PriceChanged, place_order, price_seen, read_draft
from .access import remember_order
from .account import payer
from .messages import message

bp = Blueprint("topup", __name__)


@bp.get("/")
def home():
    market = "CN" if current_lang() == "zh" else "RU"
    return redirect(url_for("topup.form", market=market), code=303)


def _market(code: str):
    market = rules().market(code)
    if market is None or market.code != code:
        abort(404)
    return market


def _errors_text(draft) -> dict[str, str]:
    return {name: _amount_message(draft, code) if code.startswith("amount_too")
            else message(code) for name, code in draft.errors.items()}


def _amount_message(draft, code: str) -> str:
    limits = draft.market.topup
    return message(code, min=money(limits.min_amount, draft.market.currency),
                   max=money(limits.max_amount, draft.market.currency))


def _live_parts(draft) -> list[str]:
    """The ids the form's live refresh swaps: everything around the fields, no field."""
    prices = [f"#price-{tile.amount}" for tile in draft.tiles]
    return ["#phone-help", "#operators", *prices, "#amount-errors", "#summary"]


def _render(draft, status: int = 200, block: str | None = None):
    page = render("topup/form.html", block, draft=draft, errors=_errors_text(draft),
                  markets=rules().markets.values(), OTHER=OTHER, live_parts=_live_parts(draft))
    return page, status


@bp.get("/topup/<market>")
def form(market: str):
    """The screen; query parameters pre-fill it, so every state has a URL."""
    args = request.args
    draft = read_draft(_market(market), args.get("phone"), args.get("operator"),
                       args.get("amount"), args.get("other_amount"), complete=False,
                       refused_by=args.get("refused_by"))
    return _render(draft, block="details")


@bp.post("/topup/<market>")
def place(market: str):
    form_data = request.form
    draft = read_draft(_market(market), form_data.get("phone"), form_data.get("operator"),
                       form_data.get("amount"), form_data.get("other_amount"), complete=True,
                       refused_by=form_data.get("refused_by"))
    if not draft.ok:
        return _render(draft, status=422)
    try:
        order = place_order(draft, current_lang(), payer(),
                            price_seen(draft, form_data.get("price_seen")))
    except PriceChanged as changed:
        draft = read_draft(_market(market), form_data.get("phone"), form_data.get("operator"),
                           form_data.get("amount"), form_data.get("other_amount"),
                           complete=True)
        draft.errors["price"] = changed.code
        return _render(draft, status=409)
    remember_order(order.number)
    return redirect(url_for("checkout.order", number=order.number), code=303)
