"""The shop's pages of a wallet payment (SPEC §3.3): on a phone, the hop to the wallet's
cashier and the return page that checks the trade ("checking…" until final); on a desktop or
kiosk, the QR code polled every 2 s; "pay another way" (closes the trade first), "make a new
code"; and the notify endpoint the wallet posts to."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from ..clock import clock
from ..domain import orders as states
from ..extensions import csrf
from ..htmx import is_htmx, render
from ..i18n import current_lang
from ..models import PaymentAttempt
from ..payments.wallet import METHOD, WalletAttempt, WalletChoice
from ..refusals import Refused
from ..services import checkout, wallet_checkout
from ..services import orders as order_service
from ..services.orders import DISPUTE
from .access import payer, remember_order, visible_order_or_404
from .messages import refusal
from .wallet_qr import qr_for

bp = Blueprint("wallet_checkout", __name__)

POLL_SECONDS = 2  # while a QR code or "checking…" is shown (SPEC §3.3)


def _attempt_or_404(number: str, attempt_id: int) -> tuple:
    order = visible_order_or_404(number)
    attempt = next((a for a in order.attempts if a.id == attempt_id and a.method == METHOD),
                   None)
    if attempt is None:
        abort(404)
    return order, attempt


def _moved_on(number: str):
    target = url_for("checkout.order", number=number)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


def qr_of(attempt: PaymentAttempt):
    """The QR (a WalletQr) of a wallet attempt, for templates/wallet/_qr.html (the kiosk
    embeds it so: {% with qr=wallet_qr(attempt) %}{% include "wallet/_qr.html" %}{% endwith %})."""
    details: WalletAttempt = checkout.details(attempt)
    return qr_for(details.token, details.brand, details.expiry())


bp.add_app_template_global(qr_of, "wallet_qr")
EXPIRED = "wallet_expired"  # an attempt whose trade timed out (payments/wallet.py)


def _waiting_page(number: str, attempt_id: int, block: str | None):
    order, attempt = _attempt_or_404(number, attempt_id)
    if attempt.status == states.PENDING:
        attempt = wallet_checkout.sync(attempt.id)  # never the redirect: the wallet's word
        order = order_service.refresh(number)
    details: WalletAttempt = checkout.details(attempt)
    code_expired = (attempt.status == states.FAILED and attempt.decline_code == EXPIRED
                    and order.status == states.AWAITING_PAYMENT and order.attempts[-1] == attempt)
    if attempt.status != states.PENDING and not code_expired:
        return _moved_on(number)
    # A trade the wallet closed on time-out reads as expired, whatever time its code showed.
    expiry = clock.now() if code_expired else details.expiry()
    return render("checkout/wallet.html", block, order=order, attempt=attempt,
                  details=details, qr=qr_for(details.token, details.brand, expiry),
                  poll_seconds=POLL_SECONDS, now=clock.now(),
                  renew_url=url_for("wallet_checkout.renew", number=number,
                                    attempt_id=attempt.id))


@bp.get("/orders/<number>/wallet/<int:attempt_id>")
def waiting(number: str, attempt_id: int):
    return _waiting_page(number, attempt_id, None)


@bp.get("/orders/<number>/wallet/<int:attempt_id>/status")
def status(number: str, attempt_id: int):
    """The QR or "checking…" block, polled every 2 s; the order page once final."""
    return _waiting_page(number, attempt_id, "wallet_status")


@bp.get("/orders/<number>/wallet/<int:attempt_id>/go")
def go(number: str, attempt_id: int):
    """On a phone: on to the wallet's cashier."""
    _, attempt = _attempt_or_404(number, attempt_id)
    if attempt.status != states.PENDING:
        return _moved_on(number)
    return redirect(url_for("wallet.cashier", token=checkout.details(attempt).token), code=303)


@bp.get("/orders/<number>/wallet/back/<reference>")
def back(number: str, reference: str):
    """The wallet's return URL: the page that checks the trade (whatever the redirect says)."""
    visible_order_or_404(number)
    attempt = wallet_checkout.attempt_of_reference(number, reference)
    if attempt is None:
        abort(404)
    return redirect(url_for("wallet_checkout.waiting", number=number, attempt_id=attempt.id),
                    code=303)


@bp.post("/orders/<number>/wallet/<int:attempt_id>/cancel")
def cancel(number: str, attempt_id: int):
    """"Pay another way": the trade is closed first (if the payer paid it meanwhile, the
    order is paid and the order page says so)."""
    _attempt_or_404(number, attempt_id)
    checkout.cancel(number, attempt_id)
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/orders/<number>/wallet/<int:attempt_id>/renew")
def renew(number: str, attempt_id: int):
    """"Make a new code": a new trade of the same brand for the same order (the old one is
    closed first); the order page says why when the order can no longer be paid."""
    _, attempt = _attempt_or_404(number, attempt_id)
    details: WalletAttempt = checkout.details(attempt)
    try:
        renewed = checkout.start(
            number, METHOD, WalletChoice(details.brand, details.display),
            idempotency_key=f"renew-{secrets.token_urlsafe(18)}", signed_in=payer(),
            locale=current_lang())
    except Refused:
        return redirect(url_for("checkout.order", number=number), code=303)
    remember_order(number)
    return redirect(url_for("wallet_checkout.waiting", number=number, attempt_id=renewed.id),
                    code=303)


@bp.post("/orders/<number>/wallet/dispute")
def dispute(number: str):
    """Sandbox: the payer wins a dispute; the wallet payment is refunded in full to the wallet
    that paid (its trade closes)."""
    if not current_app.config["SANDBOX"]:
        abort(404)
    visible_order_or_404(number)
    try:
        checkout.refund(number, actor="sandbox", note=DISPUTE, method=METHOD)
    except Refused as refused:
        flash(refusal(refused))
    return redirect(url_for("checkout.order", number=number), code=303)


@bp.post("/payments/wallet/notify")
@csrf.exempt
def notify():
    """The wallet's server-to-server notification (signed; answered "success")."""
    received = wallet_checkout.receive(request.get_data()[:4000],
                                       request.headers.get("X-Wallet-Timestamp"),
                                       request.headers.get("X-Wallet-Signature"),
                                       datetime.now(UTC))
    return received.answer, received.http_status, {"Content-Type": "text/plain"}
