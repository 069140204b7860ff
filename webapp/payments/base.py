"""The one interface every payment method implements, and the plain data it exchanges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ..domain.money import Money

SUCCEEDED = "succeeded"
DECLINED = "declined"
REQUIRES_ACTION = "requires_action"


@dataclass(frozen=True)
class ChargeRequest:
    order_number: str
    amount: Money
    payer_phone: str
    details: object  # method-specific: CardDetails or SavedCardRef for cards
    today: date  # the payer's date, for expiry checks


@dataclass(frozen=True)
class ChargeResult:
    status: str  # succeeded | declined | requires_action
    decline_code: str | None = None
    brand: str | None = None
    last4: str | None = None
    profile: str | None = None  # how the acquirer treats this card next time (saved cards)


class PaymentProvider(Protocol):
    method: str

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Try to take request.amount; never raises for a decline, only for a bug."""
        ...
