"""The simulated card acquirer: the outcome is decided by the test card number (SPEC §3.1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.cards import (
    DO_NOT_HONOR,
    EXPIRED_CARD,
    INSUFFICIENT_FUNDS,
    REQUIRES_3DS,
    SUCCESS,
    CardDetails,
    TestCard,
    card_outcome,
)
from .base import DECLINED, REQUIRES_ACTION, SUCCEEDED, ChargeRequest, ChargeResult

_DECLINES = {INSUFFICIENT_FUNDS, DO_NOT_HONOR, EXPIRED_CARD}


@dataclass(frozen=True)
class SavedCardRef:
    """A card saved earlier: the acquirer knows it by token; we never held its number."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    profile: str  # the outcome the acquirer gives this card (from the card it was saved from)
    saved_card_id: int | None = None


class SimulatedAcquirer:
    method = "card"

    def __init__(self, test_cards: tuple[TestCard, ...]):
        self._test_cards = test_cards

    def charge(self, request: ChargeRequest) -> ChargeResult:
        card = request.details
        if isinstance(card, CardDetails):
            outcome = card_outcome(card.number, self._test_cards)
        elif isinstance(card, SavedCardRef):
            outcome = card.profile
            if (card.exp_year, card.exp_month) < (request.today.year, request.today.month):
                outcome = EXPIRED_CARD
        else:
            raise TypeError("a card charge needs CardDetails or SavedCardRef")
        common = {"brand": card.brand, "last4": card.last4}
        if outcome == SUCCESS:
            return ChargeResult(SUCCEEDED, profile=SUCCESS, **common)
        if outcome in _DECLINES:
            return ChargeResult(DECLINED, decline_code=outcome, **common)
        if outcome == REQUIRES_3DS:
            return ChargeResult(REQUIRES_ACTION, profile=REQUIRES_3DS, **common)
        raise ValueError(f"unhandled card outcome {outcome!r}")
