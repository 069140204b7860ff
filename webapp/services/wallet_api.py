"""The wallet provider's server API as the shop calls it (the WalletGateway port of
payments/wallet.py): create, query, close and refund a trade. In the sandbox the wallet lives
in this app, so a call is a function call; its answers are the provider's plain TradeInfo,
never the wallet's rows."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..domain.phone import format_international
from ..extensions import db
from ..models import Order
from ..payments.base import Payable
from ..payments.wallet import TradeInfo
from . import rules, wallet_trades

MERCHANT = "shop"  # the shop's merchant id at the wallet provider
MERCHANT_NAME = "Topup Sandbox"  # what the cashier shows as the payee


def info(view: wallet_trades.TradeView) -> TradeInfo:
    return TradeInfo(trade_no=view.trade_no, out_trade_no=view.out_trade_no, token=view.token,
                     brand=view.brand, status=view.status, close_reason=view.close_reason,
                     amount=view.amount, currency=view.currency, expires_at=view.expires_at,
                     payer=view.payer_phone)


def path(endpoint: str, **values) -> str:
    """A path of this app, also outside a request (settlement, tests)."""
    return current_app.url_map.bind("").build(endpoint, values)


def subject_of(order: Order, lang: str) -> str:
    """What the cashier says is bought, in the payer's language: "Beeline +7 903 123-45-67"
    for a top-up, the product's name for goods."""
    if order.kind == "topup":
        operator = rules().operator(order.operator_id)
        name = operator.name_in(lang) if operator else order.operator_id
        return f"{name} {format_international(order.phone)}"
    product = rules().product(order.product_id) if order.product_id else None
    return product.name(lang) if product else order.number


class WalletApi:
    def create(self, *, brand: str, display: str, out_trade_no: str, order: Payable,
               subject: str) -> TradeInfo:
        """A trade for the order, valid until the order's deadline at the latest, notified to
        the shop's notify endpoint, returning (on a phone) to the page that checks it."""
        row = db.session.scalar(select(Order).where(Order.number == order.number))
        return info(wallet_trades.create(wallet_trades.TradeRequest(
            brand=brand, channel=display, merchant=MERCHANT, merchant_name=MERCHANT_NAME,
            out_trade_no=out_trade_no, order_number=order.number,
            subject=subject_of(row, order.locale) if row is not None else subject,
            amount=order.amount.minor, currency=order.amount.currency,
            order_deadline=row.deadline if row is not None else None,
            notify_url=path("wallet_checkout.notify"),
            return_url=path("wallet_checkout.back", number=order.number,
                            reference=out_trade_no),
            payer_hint=order.phone)))

    def query(self, trade_no: str) -> TradeInfo | None:
        view = wallet_trades.query(trade_no)
        return info(view) if view is not None else None

    def close(self, trade_no: str) -> TradeInfo:
        """Close a waiting trade; one the payer paid meanwhile comes back as TRADE_SUCCESS."""
        try:
            return info(wallet_trades.close(trade_no, actor="merchant"))
        except wallet_trades.TradeRefused as refused:
            if refused.code != "already_paid":
                raise
            return info(wallet_trades.query(trade_no))

    def refund(self, trade_no: str) -> TradeInfo:
        return info(wallet_trades.refund(trade_no, actor="merchant"))
