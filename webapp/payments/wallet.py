"""The third-party wallet, Alipay-style and WeChat Pay-style (SPEC §3.3), as a payment method:
starting a payment creates a trade at the wallet provider and sends the payer to its cashier
(a phone: REDIRECT) or shows its QR code (a desktop or kiosk: QR); the wallet's signed
notification, or the shop's own query of the trade, finishes the attempt
(services/wallet_checkout.py → checkout.complete). The shop never trusts a redirect: it asks
the wallet for the trade's status.

What the provider needs from the wallet comes through the WalletGateway port (the wallet's
server API: create, query, close, refund), implemented in services/payment_ports.py."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain import wallet as w
from ..refusals import FormRefused
from .base import (
    QR,
    REDIRECT,
    ConfirmRequest,
    Declined,
    Outcome,
    Payable,
    Refunded,
    RefundRequest,
    RequiresAction,
    StartRequest,
    Succeeded,
)

METHOD = "wallet"
DISPLAYS = (w.H5, w.QR)  # the cashier on this phone, or a QR code for another one


@dataclass(frozen=True)
class WalletChoice:
    """What the payer chose: a brand, and whether to pay on this device or by QR."""

    brand: str
    display: str


@dataclass(frozen=True)
class WalletForm:
    """What the wallet partial shows: the brands in the market's order."""

    brands: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class TradeInfo:
    """A trade as the wallet's API answers (create, query, close, refund)."""

    trade_no: str
    out_trade_no: str
    token: str
    brand: str
    status: str  # WAIT_BUYER_PAY | TRADE_SUCCESS | TRADE_CLOSED
    close_reason: str | None
    amount: int
    currency: str
    expires_at: datetime
    payer: str | None  # the paying wallet's number, once paid


@dataclass(frozen=True)
class WalletAttempt:
    """Kept on the attempt (JSON): the trade it made and, once paid, who paid."""

    brand: str
    display: str
    trade_no: str
    out_trade_no: str
    token: str
    expires_at: str  # ISO 8601, UTC
    payer: str | None = None

    def expiry(self) -> datetime:
        return datetime.fromisoformat(self.expires_at)


@dataclass(frozen=True)
class WalletRefundTo:
    """Where a refund went: the wallet that paid."""

    brand: str
    payer: str | None


class WalletGateway(Protocol):
    """The wallet provider's server API, as the shop calls it."""

    def create(self, *, brand: str, display: str, out_trade_no: str, order: Payable,
               subject: str) -> TradeInfo: ...

    def query(self, trade_no: str) -> TradeInfo | None: ...

    def close(self, trade_no: str) -> TradeInfo:
        """Close a waiting trade; a paid one comes back as TRADE_SUCCESS, unchanged."""
        ...

    def refund(self, trade_no: str) -> TradeInfo: ...


class WalletProvider:
    method = METHOD
    details_type = WalletAttempt
    one_waiting_per_payer = False  # the payer is known only once the wallet says who paid

    def __init__(self, gateway: WalletGateway):
        self._gateway = gateway

    def form(self, order: Payable, form: Mapping[str, str], signed_in: str | None
             ) -> WalletForm:
        return WalletForm(w.BRANDS)

    def read(self, order: Payable, form: Mapping[str, str], signed_in: str | None
             ) -> WalletChoice:
        brand, display = form.get("brand"), form.get("display") or w.H5
        errors = {}
        if brand not in w.BRANDS:
            errors["brand"] = "wallet_brand"
        if display not in DISPLAYS:
            errors["display"] = "wallet_brand"
        if errors:
            raise FormRefused(errors)
        return WalletChoice(brand, display)

    def payer(self, submission: WalletChoice) -> str | None:
        return None

    def start(self, request: StartRequest) -> Outcome:
        choice: WalletChoice = request.submission
        # The shop's reference of this trade: unique, so a new code makes a new trade.
        reference = f"{request.order.number}-{secrets.token_hex(4)}"
        trade = self._gateway.create(brand=choice.brand, display=choice.display,
                                     out_trade_no=reference, order=request.order,
                                     subject=request.order.number)
        details = _details(choice, trade)
        return RequiresAction(REDIRECT if choice.display == w.H5 else QR, details)

    def outcome(self, details: WalletAttempt, trade: TradeInfo) -> Outcome:
        """What a trade's status means for the attempt that made it."""
        if trade.status == w.TRADE_SUCCESS:
            return Succeeded(_paid(details, trade))
        if trade.status == w.TRADE_CLOSED:
            return Declined("wallet_expired" if trade.close_reason == w.CLOSED_EXPIRED
                            else "wallet_closed", details)
        return RequiresAction(REDIRECT if details.display == w.H5 else QR, details)

    def confirm(self, request: ConfirmRequest) -> Outcome:
        """The trade's status as the wallet tells it (a query, never the redirect)."""
        details: WalletAttempt = request.details
        trade = self._gateway.query(details.trade_no)
        if trade is None:
            return Declined("wallet_closed", details)
        return self.outcome(details, trade)

    def withdraw(self, details: WalletAttempt) -> Succeeded | None:
        """The shop gives up the attempt (another method, "pay another way", the order's
        end): the trade is closed first. A Succeeded if the payer had paid it meanwhile."""
        trade = self._gateway.close(details.trade_no)
        return Succeeded(_paid(details, trade)) if trade.status == w.TRADE_SUCCESS else None

    def action_failed(self, details: WalletAttempt) -> Declined | None:
        return None

    def refund(self, request: RefundRequest) -> Refunded:
        details: WalletAttempt = request.details
        trade = self._gateway.refund(details.trade_no)
        return Refunded(WalletRefundTo(details.brand, trade.payer))


def _details(choice: WalletChoice, trade: TradeInfo) -> WalletAttempt:
    return WalletAttempt(brand=choice.brand, display=choice.display, trade_no=trade.trade_no,
                         out_trade_no=trade.out_trade_no, token=trade.token,
                         expires_at=trade.expires_at.isoformat())


def _paid(details: WalletAttempt, trade: TradeInfo) -> WalletAttempt:
    return WalletAttempt(**{**details.__dict__, "payer": trade.payer})
