"""Orders and payment attempts as explicit state machines (SPEC §2.2–2.4, §3)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from .states import IllegalMove

AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
CREDITING = "crediting"
CREDITED = "credited"
REFUNDED = "refunded"
EXPIRED = "expired"

ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    AWAITING_PAYMENT: frozenset({PAID, EXPIRED}),
    PAID: frozenset({CREDITING}),
    CREDITING: frozenset({CREDITED, REFUNDED}),
    CREDITED: frozenset(),
    REFUNDED: frozenset(),
    EXPIRED: frozenset(),
}
# A goods order is done once paid; a dispute can refund it (to the payer's wallet).
GOODS_TRANSITIONS: dict[str, frozenset[str]] = {
    AWAITING_PAYMENT: frozenset({PAID, EXPIRED}),
    PAID: frozenset({REFUNDED}),
    REFUNDED: frozenset(),
    EXPIRED: frozenset(),
}
TRANSITIONS_BY_KIND = {"topup": ORDER_TRANSITIONS, "goods": GOODS_TRANSITIONS}
ORDER_FINAL = frozenset(s for s, nxt in ORDER_TRANSITIONS.items() if not nxt)

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"
ATTEMPT_TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({SUCCEEDED, FAILED, CANCELED}),
    SUCCEEDED: frozenset(),
    FAILED: frozenset(),
    CANCELED: frozenset(),
}


# A status change the state machine does not allow (domain/states.py raises it for every kind).
InvalidTransition = IllegalMove


def check_transition(table: dict[str, frozenset[str]], current: str, new: str) -> None:
    """Raise InvalidTransition unless `table` allows current → new."""
    if new not in table.get(current, frozenset()):
        raise InvalidTransition(current, new)


def payment_deadline(created_at: datetime, window: timedelta) -> datetime:
    """The moment an unpaid order stops being payable."""
    return created_at + window


def is_past_deadline(deadline: datetime, now: datetime) -> bool:
    """At the deadline itself the order is already expired: the hour is [created, deadline)."""
    return now >= deadline


def new_order_number(prefix: str, now: datetime) -> str:
    """A human-readable order number such as T-261122-483920 (kind — T top-up, G goods —,
    date, 6 random digits)."""
    return f"{prefix}-{now:%y%m%d}-{secrets.randbelow(10**6):06d}"
