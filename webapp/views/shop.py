"""The demo shop: products whose "Buy" opens the same checkout as a top-up."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for

from ..domain.money import MoneyError, parse_major
from ..domain.topup import AmountError, check_amount
from ..htmx import render
from ..i18n import current_lang, money
from ..services import rules
from ..services.shop import CUSTOM, CUSTOM_RANGE, place_goods_order
from .access import payer, remember_order
from .messages import message

bp = Blueprint("shop", __name__)


def _market(code: str):
    market = rules().market(code)
    if market is None or market.code != code:
        abort(404)
    return market


def _page(market, error=None, custom_raw="", status=200):
    return render("shop/index.html", market=market, products=rules().products,
                  markets=rules().markets.values(), error=error, custom_raw=custom_raw,
                  lang=current_lang()), status


@bp.get("/shop/<market>")
def index(market: str):
    return _page(_market(market))


@bp.post("/shop/<market>/buy")
def buy(market: str):
    market = _market(market)
    product_id = request.form.get("product", "")
    if product_id == CUSTOM and current_app.config["SANDBOX"]:
        # Sandbox: an order of any amount, to reach every limit at its boundary.
        typed = (request.form.get("amount") or "")[:20]
        try:
            amount = check_amount(parse_major(typed, market.currency), CUSTOM_RANGE)
        except (MoneyError, AmountError) as exc:
            limits = {"min": money(CUSTOM_RANGE.min_amount, market.currency),
                      "max": money(CUSTOM_RANGE.max_amount, market.currency)}
            return _page(market, message("amount_" + exc.code, **limits), typed, 422)
    else:
        product = rules().product(product_id)
        if product is None:
            abort(404)
        amount = product.prices[market.code]
    order = place_goods_order(market, product_id, amount, current_lang(), payer())
    remember_order(order.number)
    return redirect(url_for("checkout.order", number=order.number), code=303)
