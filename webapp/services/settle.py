"""Settling whatever fell due, for `flask settle`, the sandbox clock and production cron."""

from __future__ import annotations

from dataclasses import dataclass

from . import codes, orders, trust


@dataclass(frozen=True)
class Settled:
    orders: int
    codes: int
    subscribers: int


def settle_all() -> Settled:
    """Expire unpaid orders and old codes, credit paid top-ups that are due, debit trust
    payments that are due, take daily auto trust fees. Idempotent."""
    return Settled(orders=orders.settle_due(), codes=codes.expire_due(),
                   subscribers=trust.settle_due())
