"""The simulated wallet's own site (SPEC §3.3), as if it were another company's: the cashier a
payer reaches from the shop (H5) or by scanning a QR code, its 6-digit password pad, and the
sandbox pages (wallets, a trade's notifications)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import clock
from ..domain import wallet as w
from ..domain.money import MoneyError, parse_major
from ..domain.phone import as_typed_in_field
from ..extensions import db
from ..htmx import is_htmx, render
from ..models import Wallet, WalletTrade
from ..services import rules, wallet_notify, wallet_trades, wallets
from ..services.settle import settle_all
from ..services.transitions import history
from ..services.wallets import WalletRefused
from .targets import local_path
from .wallet_messages import BRAND_NAMES, brand_name, brand_title, cashier_refusal, message_for
from .wallet_qr import qr_for

bp = Blueprint("wallet", __name__, url_prefix="/wallet")

@bp.app_template_global("wallet_brand")
def wallet_brand(brand: str) -> str:
    """A wallet's name in the page's language ("Alipay-style"), for templates."""
    return brand_name(brand)


KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


def _trade_or_404(token: str) -> WalletTrade:
    trade = wallet_trades.by_token(token)
    if trade is None:
        abort(404)
    return trade


def _cashier(trade: WalletTrade, *, phone: str = "", pin: str = "", error: str | None = None,
             status: int = 200, block: str | None = "pad"):
    # htmx swaps only what comes back as 2xx: a refusal is a fragment like any other for it;
    # a plain form post gets the status that says what happened.
    status = 200 if is_htmx() else status
    # TRANSLATORS: wallet cashier, read out by screen readers after each key: %(typed)d of 6
    # password digits typed so far, e.g. "3 of 6 digits".
    says = [_("%(typed)d of 6 digits", typed=n) for n in range(w.PASSWORD_DIGITS + 1)]
    return render("wallet/cashier.html", block, trade=trade, brand=brand_title(trade.brand),
                  phone=phone, pin=pin, error=error, keys=KEYS, now=clock.now(), says=says,
                  final=trade.status in w.TRADE_FINAL), status


@bp.get("/pay/<token>")
def cashier(token: str):
    trade = _trade_or_404(token)
    if trade.status == w.TRADE_SUCCESS:
        return redirect(url_for("wallet.done", token=token), code=303)
    return _cashier(trade, phone=_hint(trade), block=None)


def _hint(trade: WalletTrade) -> str:
    return as_typed_in_field(trade.payer_hint) if trade.payer_hint else ""


@bp.post("/pay/<token>")
def press(token: str):
    """A key of the pad, ⌫, or "pay". The typed digits travel in the form (never stored);
    the sixth digit pays, as in the apps. Works as plain form posts; htmx swaps the pad."""
    trade = _trade_or_404(token)
    phone = (request.form.get("phone") or "")[:32]
    pin = "".join(ch for ch in (request.form.get("pin") or "") if ch in KEYS)[:w.PASSWORD_DIGITS]
    key, action = request.form.get("key"), request.form.get("action")
    if key in KEYS:
        pin = (pin + key)[:w.PASSWORD_DIGITS]
    elif action == "back":
        pin = pin[:-1]
    elif action == "clear":
        pin = ""
    if len(pin) < w.PASSWORD_DIGITS and action != "pay":
        return _cashier(trade, phone=phone, pin=pin)
    try:
        paid = wallet_trades.pay(token, phone, pin)
    except WalletRefused as refused:
        fresh = wallet_trades.by_token(token)
        return _cashier(fresh, phone=phone, status=_status_of(refused.code),
                        error=cashier_refusal(refused.code, refused.values, clock.now(),
                                              brand=fresh.brand, amount=fresh.amount,
                                              currency=fresh.currency))
    target = _after_payment(paid, token)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


def _status_of(code: str) -> int:
    return {"bad_number": 422, "bad_password": 422, "wrong_password": 422, "locked": 409,
            "insufficient": 402, "no_wallet": 422}.get(code, 409)


def _after_payment(paid: wallet_trades.Paid, token: str) -> str:
    """Back to the shop on a phone (H5); the wallet's own "paid" page after a QR scan."""
    if paid.trade.channel == w.H5 and (target := local_path(paid.return_url)):
        return target
    return url_for("wallet.done", token=token)


@bp.get("/pay/<token>/done")
def done(token: str):
    trade = _trade_or_404(token)
    if trade.status != w.TRADE_SUCCESS:
        return redirect(url_for("wallet.cashier", token=token), code=303)
    return render("wallet/done.html", trade=trade, brand=brand_title(trade.brand),
                  back=local_path(trade.return_url) if trade.channel == w.H5 else None)


# --- sandbox -----------------------------------------------------------------------------------

def _sandbox_only() -> None:
    if not current_app.config["SANDBOX"]:
        abort(404)


@bp.get("/sandbox/")
def sandbox():
    _sandbox_only()
    return _sandbox_page()


def _sandbox_page(form=None, errors=None, status=200):
    people = list(db.session.scalars(select(Wallet).where(~Wallet.phone.startswith("merchant:"))
                                     .order_by(Wallet.phone, Wallet.brand)))
    trades = list(db.session.scalars(select(WalletTrade).order_by(WalletTrade.id.desc())
                                     .limit(20)))
    return render("wallet/sandbox.html", wallets=people, trades=trades, now=clock.now(),
                  brands=BRAND_NAMES, form=form or {"brand": w.ALIPAY, "currency": "CNY",
                                                      "password": ""},
                  errors=errors or {}, demo_password=_demo_password()), status


def _demo_password() -> str:
    return rules().wallet.demo_password


@bp.post("/sandbox/wallets")
def create_wallet():
    """The sandbox form: a wallet of any balance for any number."""
    _sandbox_only()
    form = {k: (request.form.get(k) or "").strip()[:32]
            for k in ("phone", "brand", "currency", "balance", "password")}
    errors = {}
    brand = form["brand"] if form["brand"] in w.BRANDS else None
    currency = form["currency"] if form["currency"] in wallets.MARKET_OF_CURRENCY else None
    if brand is None or currency is None:
        abort(400)
    try:
        phone = wallets.read_number(form["phone"], currency)
    except WalletRefused as refused:
        errors["phone"] = message_for(refused.code)
    try:
        balance = parse_major(form["balance"] or "0", currency)
    except MoneyError:
        balance = None
        errors["balance"] = message_for("bad_balance")
    if not w.is_password_shape(form["password"]):
        errors["password"] = message_for("bad_password")
    if errors:
        return _sandbox_page(form, errors, 422)
    try:
        wallets.open_wallet(wallets.NewWallet(phone, brand, currency, balance,
                                              form["password"]))
    except WalletRefused as refused:
        return _sandbox_page(form, {"phone": message_for(refused.code)}, 409)
    # TRANSLATORS: wallet sandbox: after the form created a wallet.
    flash(_("Wallet created."))
    return redirect(url_for("wallet.sandbox"), code=303)


@bp.post("/sandbox/wallets/<int:wallet_id>/lock")
def lock_wallet(wallet_id: int):
    _sandbox_only()
    wallets.lock_now(wallet_id)
    return redirect(url_for("wallet.sandbox"), code=303)


@bp.get("/sandbox/trades/<trade_no>")
def trade_page(trade_no: str):
    _sandbox_only()
    trade = wallet_trades.by_trade_no(trade_no)
    if trade is None:
        abort(404)
    return render("wallet/trade.html", "notifications", trade=trade,
                  brand=brand_title(trade.brand), now=clock.now(), events=history(trade),
                  qr=qr_for(trade.token, trade.brand, trade.expires_at))


@bp.post("/sandbox/trades/<trade_no>/fail")
def fail_notify(trade_no: str):
    """Make the shop's notify endpoint fail the next N posts of this trade (0–20)."""
    _sandbox_only()
    raw = (request.form.get("times") or "").strip()
    times = int(raw) if raw.isdigit() and len(raw) <= 2 else 0
    wallet_notify.fail_next(trade_no, times)
    return redirect(url_for("wallet.trade_page", trade_no=trade_no), code=303)


@bp.post("/sandbox/trades/<trade_no>/settle")
def settle_now(trade_no: str):
    """Run settlement now: retries whose time has come are posted."""
    _sandbox_only()
    settle_all()
    return redirect(url_for("wallet.trade_page", trade_no=trade_no), code=303)

