"""The shop's side of wallet payments (SPEC §3.3): the notify endpoint's work (verify, ask the
wallet, finish the attempt once) and the return and QR pages' check of a trade.

Nothing here trusts what a browser or a notification body says about a trade: the body only
names it; its status always comes from the wallet's query. A trade the wallet took money for
while the shop had already settled the order otherwise (paid by card, expired) is refunded at
once, so the payer never pays twice."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from ..domain import orders as states
from ..domain import wallet as w
from ..extensions import db
from ..models import PaymentAttempt
from ..payments.wallet import METHOD, WalletAttempt, WalletProvider
from ..refusals import CheckoutRefused
from . import checkout, rules, wallet_notify, wallet_trades
from .wallet_api import WalletApi, info


def attempt_of_trade(trade_no: str) -> PaymentAttempt | None:
    """The wallet attempt that made a trade."""
    return db.session.scalar(select(PaymentAttempt).where(
        PaymentAttempt.method == METHOD,
        PaymentAttempt.details["trade_no"].as_string() == trade_no))


def attempt_of_reference(number: str, reference: str) -> PaymentAttempt | None:
    """The wallet attempt of an order by the shop's reference of its trade (the return URL)."""
    found = db.session.scalar(select(PaymentAttempt).where(
        PaymentAttempt.method == METHOD,
        PaymentAttempt.details["out_trade_no"].as_string() == reference))
    return found if found is not None and found.order.number == number else None


def sync(attempt_id: int) -> PaymentAttempt:
    """Ask the wallet for the trade of a waiting attempt and finish the attempt if the trade
    is final (paid: the order is paid; closed: the attempt fails). Idempotent: a repeated or
    late notification, a return page polling, all end in the same one payment. A trade paid
    after the shop settled the order another way is refunded to the payer's wallet."""
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.method != METHOD:
        raise CheckoutRefused("not_found")
    details: WalletAttempt = checkout.details(attempt)
    trade = wallet_trades.query(details.trade_no)
    if trade is None or trade.status == w.WAIT_BUYER_PAY:
        db.session.commit()
        return attempt
    if (trade.amount, trade.currency) != (attempt.amount, attempt.currency):
        raise CheckoutRefused("not_found")  # not the payment this attempt asked for
    provider = WalletProvider(WalletApi())
    attempt = checkout.complete(attempt_id, provider.outcome(details, info(trade)))
    if trade.status == w.TRADE_SUCCESS and attempt.status != states.SUCCEEDED:
        refund_stray(trade.trade_no)
    return attempt


def refund_stray(trade_no: str) -> None:
    """A trade paid after the shop settled its order another way: the money goes back."""
    try:
        wallet_trades.refund(trade_no, actor="merchant")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class Received:
    http_status: int
    answer: str  # "success" when the notification is taken (WeChat Pay and Alipay both)


def receive(body: bytes, timestamp: str | None, signature: str | None, now) -> Received:
    """The notify endpoint's work: a genuine, fresh notification of one of our trades makes
    the shop ask the wallet and finish the attempt once; answered "success" then (a repeat too,
    so the wallet stops). Forged or stale: 403; not JSON or no trade_no: 400; a trade we do
    not know: 404 (each answered "fail")."""
    problem = w.check_signature(wallet_notify.secret(), timestamp, signature, body, now,
                                rules().wallet.signature_tolerance)
    if problem is not None:
        return Received(403, "fail")
    try:
        trade_no = json.loads(body)["trade_no"]
    except (ValueError, KeyError, TypeError):
        return Received(400, "fail")
    if not isinstance(trade_no, str):
        return Received(400, "fail")
    attempt = attempt_of_trade(trade_no)
    if attempt is None:
        return Received(404, "fail")
    try:
        sync(attempt.id)
    except CheckoutRefused:
        return Received(409, "fail")
    return Received(200, wallet_notify.SUCCESS)
