"""Settling whatever fell due, for `flask settle`, the sandbox clock and production cron."""

from __future__ import annotations

from dataclasses import dataclass

from . import codes, orders


@dataclass(frozen=True)
class Settled:
    orders: int
    codes: int


def settle_all() -> Settled:
    """Expire unpaid orders and old codes, credit paid top-ups that are due. Idempotent."""
    return Settled(orders=orders.settle_due(), codes=codes.expire_due())
