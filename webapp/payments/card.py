"""The simulated card acquirer: the outcome is decided by the test card number (SPEC §3.1)."""

from __future__ import annotations

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


class SimulatedAcquirer:
    method = "card"

    def __init__(self, test_cards: tuple[TestCard, ...]):
        self._test_cards = test_cards

    def charge(self, request: ChargeRequest) -> ChargeResult:
        card = request.details
        if not isinstance(card, CardDetails):
            raise TypeError("a card charge needs CardDetails")
        outcome = card_outcome(card.number, self._test_cards)
        common = {"brand": card.brand, "last4": card.last4}
        if outcome == SUCCESS:
            return ChargeResult(SUCCEEDED, **common)
        if outcome in _DECLINES:
            return ChargeResult(DECLINED, decline_code=outcome, **common)
        if outcome == REQUIRES_3DS:
            return ChargeResult(REQUIRES_ACTION, decline_code=outcome, **common)
        raise ValueError(f"unhandled test card outcome {outcome!r}")
