"""Trades of the simulated wallet provider (SPEC §3.3): what a merchant creates, queries,
closes and refunds, and what a payer pays on the cashier. Each trade is paid at most once:
every change happens with the trade's row locked, and a payment's ledger entries carry unique
references.

Lock order (services/db_locks.py): an order (the shop's, when the shop calls in), then the
trade, then the payer's wallet. The cashier never locks an order.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import wallet as w
from ..extensions import db
from ..models import WalletTrade
from . import rules, wallet_notify, wallets
from .db_locks import claim_next
from .transitions import begin, transition
from .wallets import WalletRefused


@dataclass(frozen=True)
class TradeRequest:
    """What a merchant asks the wallet for (Alipay's precreate / wap pay, WeChat's Native /
    H5 order): an amount for its reference, shown with its name and order number."""

    brand: str
    channel: str  # h5 | qr
    merchant: str
    merchant_name: str
    out_trade_no: str
    order_number: str
    subject: str
    amount: int
    currency: str
    order_deadline: datetime | None
    notify_url: str
    return_url: str | None = None
    payer_hint: str | None = None


@dataclass(frozen=True)
class TradeView:
    """A trade as the merchant's query sees it."""

    trade_no: str
    out_trade_no: str
    token: str
    brand: str
    channel: str
    status: str
    close_reason: str | None
    amount: int
    currency: str
    expires_at: datetime
    paid_at: datetime | None
    payer_phone: str | None


def view(trade: WalletTrade, now: datetime | None = None) -> TradeView:
    """The trade as the merchant's API answers; given `now`, a waiting trade whose time is up
    reads as closed on time-out even before the wallet's settlement has written it so."""
    status, reason = trade.status, trade.close_reason
    if now is not None and status == w.WAIT_BUYER_PAY and w.is_expired(trade.expires_at, now):
        status, reason = w.TRADE_CLOSED, w.CLOSED_EXPIRED
    return TradeView(trade_no=trade.trade_no, out_trade_no=trade.out_trade_no,
                     token=trade.token, brand=trade.brand, channel=trade.channel,
                     status=status, close_reason=reason, amount=trade.amount,
                     currency=trade.currency, expires_at=trade.expires_at,
                     paid_at=trade.paid_at,
                     payer_phone=trade.payer_wallet.phone if trade.payer_wallet else None)


def move(trade: WalletTrade, new: str, actor: str, at: datetime, note: str = "") -> None:
    """Move a trade through its machine and record the move (the one transition()). Raises
    IllegalMove: callers check the status under the trade's lock first."""
    transition(trade, new, actor=actor, reason=note, at=at)


def _locked(**where) -> WalletTrade | None:
    begin_write()
    query = select(WalletTrade).filter_by(**where)
    return db.session.scalar(query.with_for_update().execution_options(populate_existing=True))


def _close(trade: WalletTrade, reason: str, actor: str, now: datetime) -> None:
    move(trade, w.TRADE_CLOSED, actor, now, note=reason)
    trade.close_reason, trade.closed_at = reason, now


def _expire_if_due(trade: WalletTrade, now: datetime) -> bool:
    """Close a waiting trade whose time is up (the wallet tells the merchant, as Alipay does
    for a wap trade closed on time-out)."""
    if trade.status == w.WAIT_BUYER_PAY and w.is_expired(trade.expires_at, now):
        _close(trade, w.CLOSED_EXPIRED, "wallet", now)
        wallet_notify.enqueue(trade, now)
        return True
    return False


def create(request: TradeRequest) -> TradeView:
    """Create a trade waiting for the buyer, valid 2 h or until the order's deadline. The same
    merchant reference again returns the trade it made (a retried call), whatever its status."""
    begin_write()
    try:
        existing = db.session.scalar(select(WalletTrade).where(
            WalletTrade.merchant == request.merchant,
            WalletTrade.out_trade_no == request.out_trade_no))
        if existing is not None:
            db.session.commit()
            return view(existing)
        now = clock.now()
        trade = WalletTrade(
            trade_no=w.new_trade_no(now), token=secrets.token_urlsafe(24), brand=request.brand,
            channel=request.channel, merchant=request.merchant,
            merchant_name=request.merchant_name, out_trade_no=request.out_trade_no,
            order_number=request.order_number, subject=request.subject[:128],
            amount=request.amount, currency=request.currency, status=w.WAIT_BUYER_PAY,
            notify_url=request.notify_url, return_url=request.return_url,
            payer_hint=request.payer_hint, created_at=now, notify_failures_left=0,
            expires_at=w.trade_expires_at(now, request.order_deadline,
                                          rules().wallet.trade_valid_for))
        db.session.add(trade)
        begin(trade, actor="merchant", at=now)
        result = view(trade)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def by_token(token: str) -> WalletTrade | None:
    """The trade of a cashier link or QR code, closed first if its time is up."""
    trade = db.session.scalar(select(WalletTrade).where(WalletTrade.token == token))
    if trade is None or not (trade.status == w.WAIT_BUYER_PAY
                             and w.is_expired(trade.expires_at, clock.now())):
        return trade
    trade = _locked(token=token)
    if _expire_if_due(trade, clock.now()):
        db.session.commit()
        wallet_notify.deliver_pending(trade.id)
    else:
        db.session.commit()
    return trade


def by_trade_no(trade_no: str) -> WalletTrade | None:
    trade = db.session.scalar(select(WalletTrade).where(WalletTrade.trade_no == trade_no))
    return by_token(trade.token) if trade is not None else None


def query(trade_no: str) -> TradeView | None:
    """The merchant's query of a trade: its real status, time-out included. Only reads, so it
    may run inside the merchant's own transaction."""
    trade = db.session.scalar(select(WalletTrade).where(WalletTrade.trade_no == trade_no)
                              .execution_options(populate_existing=True))
    return view(trade, clock.now()) if trade is not None else None


class TradeRefused(WalletRefused):
    """The trade cannot do what was asked: not_found, expired, closed, already_paid,
    not_paid."""


def close(trade_no: str, actor: str = "merchant") -> TradeView:
    """The merchant closes a waiting trade (the payer chose another way, the order expired).
    Closing a closed trade changes nothing. Raises TradeRefused(already_paid) for a paid trade:
    the payer paid just before; the merchant must take that payment (or refund it).
    Runs in the caller's write transaction when there is one (the shop's order lock first)."""
    trade = _locked(trade_no=trade_no)
    if trade is None:
        raise TradeRefused("not_found")
    now = clock.now()
    if trade.status == w.WAIT_BUYER_PAY and not _expire_if_due(trade, now):
        _close(trade, w.CLOSED_BY_MERCHANT, actor, now)
    if trade.status == w.TRADE_SUCCESS:
        raise TradeRefused("already_paid")
    db.session.flush()
    return view(trade)


@dataclass(frozen=True)
class Paid:
    """A trade paid (now, or already by this same wallet: a password posted twice)."""

    trade: TradeView
    return_url: str | None
    repeat: bool


def pay(token: str, raw_phone: str | None, password: str) -> Paid:
    """The payer pays a trade on the cashier with the wallet of a number and its payment
    password: the payer's wallet is debited and the shop's credited, once, and the merchant is
    notified. Raises WalletRefused / TradeRefused; a wrong password is counted even so."""
    trade = None
    try:
        trade = _locked(token=token)
        if trade is None:
            raise TradeRefused("not_found")
        phone = wallets.read_number(raw_phone, trade.currency)
        if not w.is_password_shape(password):
            raise WalletRefused("bad_password")
        now = clock.now()
        repeat = _check_payable(trade, phone, now)
        if repeat is None:
            _take_payment(trade, phone, password, now)
        result = Paid(view(trade), trade.return_url, repeat is not None)
        db.session.commit()
    except WalletRefused:
        db.session.commit()  # a wrong try, or a trade closed on time-out, is kept
        if trade is not None:
            wallet_notify.deliver_pending(trade.id)
        raise
    except BaseException:
        db.session.rollback()
        raise
    if not result.repeat:
        wallet_notify.deliver_pending(trade.id)
    return result


def _check_payable(trade: WalletTrade, phone: str, now: datetime) -> bool | None:
    """None if the trade waits for this payment; True if this wallet paid it already (a
    repeat); raises TradeRefused otherwise."""
    if _expire_if_due(trade, now):
        raise TradeRefused("expired")
    if trade.status == w.TRADE_SUCCESS:
        if trade.payer_wallet is not None and trade.payer_wallet.phone == phone:
            return True
        raise TradeRefused("already_paid")
    if trade.status == w.TRADE_CLOSED:
        raise TradeRefused("expired" if trade.close_reason == w.CLOSED_EXPIRED else "closed")
    return None


def _take_payment(trade: WalletTrade, phone: str, password: str, now: datetime) -> None:
    payer = wallets.find(phone, trade.brand, trade.currency, lock=True)
    if payer is None:
        raise WalletRefused("no_wallet", currency=trade.currency)
    wallets.check_password(payer, password, now)
    balance = payer.balance()
    if balance < trade.amount:
        raise WalletRefused("insufficient", balance=balance, currency=payer.currency)
    shop = wallets.get_or_open(wallets.SHOP, trade.brand, trade.currency, "merchant")
    wallets.add_entry(payer, "payment", -trade.amount, f"pay:{trade.trade_no}", now,
                      trade_id=trade.id)
    wallets.add_entry(shop, "receipt", trade.amount, f"receipt:{trade.trade_no}", now,
                      trade_id=trade.id)
    move(trade, w.TRADE_SUCCESS, "payer", now)
    trade.paid_at, trade.payer_wallet_id = now, payer.id
    db.session.flush()
    db.session.refresh(trade, ["payer_wallet"])
    wallet_notify.enqueue(trade, now)


def refund(trade_no: str, actor: str = "merchant") -> TradeView:
    """Refund a paid trade in full to the wallet that paid it; the trade closes (as Alipay's
    full refund does). A refunded trade again changes nothing. Raises TradeRefused (not_found,
    not_paid). Runs in the caller's write transaction when there is one."""
    trade = _locked(trade_no=trade_no)
    if trade is None:
        raise TradeRefused("not_found")
    if trade.status == w.TRADE_CLOSED and trade.close_reason == w.CLOSED_REFUNDED:
        return view(trade)
    if trade.status != w.TRADE_SUCCESS:
        raise TradeRefused("not_paid")
    now = clock.now()
    shop = wallets.get_or_open(wallets.SHOP, trade.brand, trade.currency, "merchant")
    wallets.add_entry(trade.payer_wallet, "refund", trade.amount, f"refund:{trade.trade_no}",
                      now, trade_id=trade.id)
    wallets.add_entry(shop, "refund", -trade.amount, f"refund-out:{trade.trade_no}", now,
                      trade_id=trade.id)
    _close(trade, w.CLOSED_REFUNDED, actor, now)
    wallet_notify.enqueue(trade, now)
    db.session.flush()
    return view(trade)


def expire_due() -> int:
    """Close the waiting trades whose time is up (settlement), a few at a time under their
    row locks; their merchants are told. Returns how many closed."""
    now, after, closed, ids = clock.now(), 0, 0, []
    due = select(WalletTrade).where(WalletTrade.status == w.WAIT_BUYER_PAY,
                                    WalletTrade.expires_at <= now)
    while claimed := claim_next(due, WalletTrade.id, after):
        for trade in claimed:
            if _expire_if_due(trade, clock.now()):
                closed += 1
                ids.append(trade.id)
        after = claimed[-1].id
        db.session.commit()
    db.session.commit()
    return closed
