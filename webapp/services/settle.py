"""Settling whatever fell due, for `flask settle`, the sandbox clock and production cron."""

from __future__ import annotations

from dataclasses import dataclass

from . import codes, kiosk, orders, trust, wallet_notify, wallet_trades


@dataclass(frozen=True)
class Settled:
    orders: int
    codes: int
    subscribers: int
    kiosks: int = 0  # kiosk sessions ended by their idle time (cash inserted paid in)
    trades: int = 0  # wallet trades closed on time-out
    notifications: int = 0  # wallet notifications posted (first posts and retries)


def settle_all() -> Settled:
    """End kiosk sessions left idle (paying in their cash), expire unpaid orders and old
    codes, credit paid top-ups that are due, debit trust payments that are due, take daily
    auto trust fees, close wallet trades whose time is up and post the wallet's notifications
    that are due. Idempotent."""
    kiosks = kiosk.settle_idle()
    return Settled(orders=orders.settle_due(), codes=codes.expire_due(),
                   subscribers=trust.settle_due(), kiosks=kiosks,
                   trades=wallet_trades.expire_due(), notifications=wallet_notify.deliver_due())
