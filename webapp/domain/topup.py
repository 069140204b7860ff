"""Top-up amounts and promotions (SPEC §2.1, §2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .markets import TopupLimits
from .money import percent_of


class AmountError(ValueError):
    """An amount outside the market's range; `code` is too_small or too_large."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_amount(minor: int, limits: TopupLimits) -> int:
    """Return `minor` if it is within [min, max] of the market, else raise AmountError."""
    if minor < limits.min_amount:
        raise AmountError("too_small")
    if minor > limits.max_amount:
        raise AmountError("too_large")
    return minor


AMOUNT_OFF = "amount_off"
FIRST_TOPUP = "first_topup_percent"


@dataclass(frozen=True)
class Promotion:
    """A data-driven price rule. kind:
    - amount_off: pay `off` less when the amount is at least `min_amount` (满减);
    - first_topup_percent: `percent` % off the first top-up of a number (首充优惠).
    """

    id: str
    market: str
    kind: str
    min_amount: int = 0
    off: int = 0
    percent: Decimal = Decimal(0)

    def discount(self, amount: int, first_topup: bool) -> int:
        """How many minor units this promotion takes off `amount` (0 when it does not apply)."""
        if amount < self.min_amount:
            return 0
        if self.kind == AMOUNT_OFF:
            return min(self.off, amount)
        if self.kind == FIRST_TOPUP:
            return percent_of(amount, self.percent) if first_topup else 0
        raise ValueError(f"unknown promotion kind {self.kind!r}")


@dataclass(frozen=True)
class Price:
    amount: int  # what the number receives
    to_pay: int  # what the payer pays
    promotion: Promotion | None

    @property
    def discount(self) -> int:
        return self.amount - self.to_pay


def price_for(amount: int, promotions: tuple[Promotion, ...], first_topup: bool) -> Price:
    """The price of a top-up of `amount`: the single best promotion applies; they do not stack."""
    best: Promotion | None = None
    best_off = 0
    for promo in promotions:
        off = promo.discount(amount, first_topup)
        if off > best_off:
            best, best_off = promo, off
    return Price(amount=amount, to_pay=amount - best_off, promotion=best)
