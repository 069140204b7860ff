"""Cash at a kiosk (SPEC §3.4): the bill acceptor's notes, less the kiosk commission.

The acceptor's session (notes in, one by one, each event counted once, the cap) is the kiosk's
own state under its session lock (services/kiosk_cash.py). When the customer presses Pay, or
walks away, the kiosk pays the order with the sum collected: one start that succeeds at once
for that sum (`settled`), so no order deadline can ever strand cash already inserted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.kiosk import CashRules, commission, credited
from ..domain.money import Money
from ..refusals import CheckoutRefused, FormRefused
from .base import ConfirmRequest, Declined, Outcome, Payable, RefundRequest, StartRequest, Succeeded


@dataclass(frozen=True)
class CashCollected:
    """What the kiosk's acceptor took for this order (the submission)."""

    terminal: str
    inserted: int  # minor units


@dataclass(frozen=True)
class CashAttempt:
    """Cash kept on the attempt: what went in, the commission kept, what the number got."""

    terminal: str
    inserted: int
    commission: int
    credited: int


class CashProvider:
    method = "cash"
    details_type = CashAttempt
    one_waiting_per_payer = False

    def __init__(self, cash: Mapping[str, CashRules]):
        self._cash = cash

    def rules_for(self, market: str) -> CashRules | None:
        return self._cash.get(market)

    def form(self, order: Payable, form: Mapping[str, str], signed_in: str | None):
        """The market's acceptor and commission, for the kiosk's cash tile."""
        return self.rules_for(order.market)

    def read(self, order: Payable, form: Mapping[str, str], signed_in: str | None):
        # Cash never comes from a form: only a kiosk's acceptor collects it.
        raise FormRefused({"method": "method_unavailable"})

    def payer(self, submission) -> str | None:
        return None

    def start(self, request: StartRequest) -> Outcome:
        """Succeeds for the collected sum when it is what the order costs (the kiosk placed
        it for that sum, to credit it less the commission); declines anything else."""
        collected = request.submission
        rules = self.rules_for(request.order.market)
        if not isinstance(collected, CashCollected) or rules is None:
            return Declined("method_unavailable")
        inserted = collected.inserted
        if not 0 < inserted <= rules.max_per_payment or inserted != request.order.amount.minor:
            return Declined("cash_mismatch")
        return Succeeded(CashAttempt(terminal=collected.terminal, inserted=inserted,
                                     commission=commission(inserted, rules),
                                     credited=credited(inserted, rules)),
                         settled=Money(inserted, rules.currency))

    def confirm(self, request: ConfirmRequest) -> Outcome:
        raise CheckoutRefused("not_pending")  # cash asks for nothing after the start

    def action_failed(self, details) -> Declined | None:
        return None

    def refund(self, request: RefundRequest):
        # A kiosk cannot hand cash back once it is paid in: the operator's support does.
        raise CheckoutRefused("not_refundable")
