"""Goods paid from a Russian phone balance ("Mobile payment", SPEC §3.2): the operator's
checks, limits and commission; an SMS from its short number carries a code that the payer
replies with (or types); only then is the balance debited, with every check run again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain import mcommerce as rules_of
from ..domain.markets import Market, Operator
from ..domain.phone import PhoneError, parse_mobile
from ..refusals import FormRefused, MobileRefused
from .base import (
    SMS_REPLY,
    CodeChallenge,
    ConfirmRequest,
    Declined,
    Outcome,
    Payable,
    Refunded,
    RefundRequest,
    RequiresAction,
    StartRequest,
    Succeeded,
)

PURPOSE = "mcommerce"  # the codes' purpose (its own hourly cap)

# Refusals that tell something about the subscriber (SPEC §3.2.2): shown only to a payer signed
# in as the number; anyone else reads PRIVATE and the number gets the reason by SMS. An unknown
# number and another operator's are among them, so that they look like any other refusal.
PRIVATE_REASONS = frozenset({
    "banned", "corporate", "trust_outstanding", "not_activated", "over_cap", "daily_sum",
    "daily_count", "weekly_sum", "weekly_count", "monthly_sum", "monthly_count", "funds",
    "unknown_number", "wrong_operator"})


@dataclass(frozen=True)
class BalanceSubmission:
    phone: str  # E.164
    operator: Operator


@dataclass(frozen=True)
class BalanceAttempt:
    """Kept on the attempt: the operator and its commission (the paying number is the
    attempt's payer)."""

    operator_id: str
    commission: int

    def total(self, amount: int) -> int:
        return amount + self.commission


@dataclass(frozen=True)
class BalanceForm:
    """What the phone balance partial shows: the operators, the typed number and operator,
    and the quote or the refusal of the last look (services/mobile.py fills them)."""

    operators: tuple[Operator, ...]
    phone: str
    operator: str
    quote: Any = None
    error: str | None = None


@dataclass(frozen=True)
class WalletRefund:
    """A dispute's refund goes to the wallet linked to the paying number (SPEC §3.2.4)."""

    phone: str


class Balances(Protocol):
    """The subscribers' side of a mobile payment (services/mobile.py implements it)."""

    def refusal(self, phone: str, operator: Operator, amount: int,
                lock: bool = False) -> str | None:
        """The first check of SPEC §3.2.2 that the number fails for `amount`, or None."""
        ...

    def debit(self, phone: str, operator: Operator, total: int, order_number: str,
              attempt_ref: str, commission: int) -> None: ...

    def tell_refusal(self, phone: str, operator: Operator, reason: str, order_number: str,
                     total: int, locale: str) -> bool: ...

    def refund_to_wallet(self, phone: str, order_number: str, amount: int,
                         currency: str) -> None: ...


class MobileBalanceProvider:
    method = "mobile_balance"
    details_type = BalanceAttempt
    one_waiting_per_payer = True  # a newer payment of a number replaces a waiting one
    private_reasons = PRIVATE_REASONS

    def __init__(self, market: Market, terms: Mapping[str, rules_of.OperatorTerms],
                 balances: Balances):
        self._market = market
        self._terms = terms
        self._balances = balances

    def operators(self) -> tuple[Operator, ...]:
        return tuple(op for op in self._market.operators if op.id in self._terms)

    def form(self, order: Payable, form: Mapping[str, str], signed_in: str | None
             ) -> BalanceForm:
        return BalanceForm(operators=self.operators(),
                           phone=(form.get("phone") or "")[:40] if form else (signed_in or ""),
                           operator=(form.get("operator") or "") if form else "")

    def read(self, order: Payable | None, form: Mapping[str, str],
             signed_in: str | None) -> BalanceSubmission:
        """The paying number and operator as typed; the operator guessed from the number
        when none is chosen. Raises FormRefused(phone_…) or MobileRefused(operator_missing)."""
        operator = self._market.operator(form.get("operator") or None)
        try:
            phone = parse_mobile((form.get("phone") or "")[:40], self._market.code)
        except PhoneError as exc:
            raise FormRefused({"phone": "phone_" + exc.code}) from exc
        if operator is None:
            operator = self._market.guess_operator(phone.carrier_name)
        if operator is None or operator.id not in self._terms:
            raise MobileRefused("operator_missing")
        return BalanceSubmission(phone.e164, operator)

    def payer(self, submission: BalanceSubmission) -> str | None:
        return submission.phone

    def start(self, request: StartRequest) -> Outcome:
        """Check everything and ask for the SMS reply; raises MobileRefused(reason, total)."""
        order, sub = request.order, request.submission
        fee = rules_of.commission(self._terms[sub.operator.id], order.amount.minor)
        reason = self._balances.refusal(sub.phone, sub.operator, order.amount.minor)
        if reason:
            raise MobileRefused(reason, total=order.amount.minor + fee)
        details = BalanceAttempt(operator_id=sub.operator.id, commission=fee)
        return RequiresAction(SMS_REPLY, details, CodeChallenge(
            purpose=PURPOSE, to=sub.phone, sender=sub.operator.short_number,
            sms="mobile_payment", values={"order_number": order.number,
                                          "amount": order.amount.minor, "commission": fee,
                                          "short_number": sub.operator.short_number},
            reply_to=sub.operator.short_number, by_owner=request.signed_in == sub.phone,
            atomic=True))

    def confirm(self, request: ConfirmRequest) -> Outcome:
        """The reply (or typed code) came: every check again under the locks (the balance or
        the limits may have changed since the SMS), then the debit. A failed check declines
        with its reason, and the number gets it by SMS."""
        order, details, phone = request.order, request.details, request.payer
        operator = self._market.operator(details.operator_id)
        total = details.total(order.amount.minor)
        reason = self._balances.refusal(phone, operator, order.amount.minor, lock=True)
        if reason:
            self._balances.tell_refusal(phone, operator, reason, order.number, total,
                                        order.locale)
            return Declined(reason, details, {"total": total}, private=True)
        self._balances.debit(phone, operator, total, order.number, request.attempt_ref,
                             details.commission)
        return Succeeded(details)

    def tell_private(self, order: Payable, submission: BalanceSubmission,
                     refused: MobileRefused) -> None:
        """The paying number gets, from its operator, the reason its payment is refused
        (rationed), while the page says only PRIVATE."""
        self._balances.tell_refusal(submission.phone, submission.operator, refused.code,
                                    order.number, refused.total, order.locale)

    def refused(self, reason: str, details: BalanceAttempt, amount: int) -> MobileRefused:
        """A failed payment's reason with the operator and total its text names."""
        return MobileRefused(reason, total=details.total(amount),
                             operator_id=details.operator_id)

    def action_failed(self, details: BalanceAttempt) -> None:
        """A dead code fails nothing: the payment waits for a new one (the page resends)."""
        return None

    def withdraw(self, details: BalanceAttempt) -> None:
        """Nothing was started outside: giving the attempt up is the checkout's alone."""
        return None

    def refund(self, request: RefundRequest) -> Refunded:
        self._balances.refund_to_wallet(request.payer, request.order.number,
                                        request.amount.minor, request.amount.currency)
        return Refunded(WalletRefund(request.payer))
