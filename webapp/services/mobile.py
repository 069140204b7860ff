"""Paying from a Russian phone balance ("Mobile payment", SPEC §3.2), as the payer sees it:
the quote before anything is sent, and who may read a refusal's reason. The life cycle (SMS,
reply, debit, refund) runs in services/checkout.py with the mobile_balance provider
(payments/mobile_balance.py); the functions below keep their old names for the phone-balance
pages and the sandbox."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import mcommerce as rules_of
from ..domain.markets import Operator
from ..extensions import db
from ..models import Order, PaymentAttempt
from ..payments.mobile_balance import PURPOSE, BalanceSubmission
from ..refusals import CheckoutRefused, MobileRefused
from . import balances, checkout, rules, trust
from .balances import DEBIT, SHOP_WALLET, wallet_balance
from .orders import DISPUTE
from .payment_ports import PORTS, provider

METHOD = "mobile_balance"
REPLACED = checkout.REPLACED

__all__ = ["DEBIT", "PURPOSE", "SHOP_WALLET", "MobileRefused", "wallet_balance"]

# Refusals that tell something about the subscriber (SPEC §3.2.2): shown only to a payer signed
# in as the number; anyone else reads PRIVATE and the number gets the reason by SMS. An unknown
# number and another operator's are among them, so that they look like any other refusal.
PRIVATE_REASONS = frozenset({
    "banned", "corporate", "trust_outstanding", "not_activated", "over_cap", "daily_sum",
    "daily_count", "weekly_sum", "weekly_count", "monthly_sum", "monthly_count", "funds",
    "unknown_number", "wrong_operator"})
PRIVATE = "private"


@dataclass(frozen=True)
class MobileQuote:
    phone: str
    operator: Operator
    amount: int
    commission: int
    total: int
    remaining: rules_of.Remaining | None  # None when the number's usage is not shown
    refusal: str | None


def private_reason(reason: str | None, phone: str | None, viewer: str | None) -> str | None:
    """The reason as `viewer` (the signed-in payer, if any) may read it: a private one only
    when signed in as the paying number, else PRIVATE."""
    if reason in PRIVATE_REASONS and (viewer is None or viewer != phone):
        return PRIVATE
    return reason


def read_number(raw: str | None, operator_id: str | None) -> tuple[str, Operator]:
    """The paying number and operator as typed; raises FormRefused(phone_…) or
    MobileRefused(operator_missing)."""
    found = provider(METHOD).read(None, {"phone": raw or "", "operator": operator_id or ""},
                                  None)
    return found.phone, found.operator


def _goods_order(number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise MobileRefused("not_found")
    if METHOD not in checkout.offered(order):
        raise MobileRefused("not_goods")
    return order


def quote(number: str, phone: str, operator: Operator) -> MobileQuote:
    """Amount, commission, total and what is left of the limits after it, and the first
    check that fails (None when the payment can go ahead), as the number's owner sees them.
    Raises MobileRefused(not_found | not_goods) for the order."""
    order = _goods_order(number)
    terms, now = rules().mcommerce[operator.id], clock.now()
    fee = rules_of.commission(terms, order.price)
    total = order.price + fee
    try:
        subscriber = balances.subscriber_of(phone, operator)
    except MobileRefused as refused:
        return MobileQuote(phone=phone, operator=operator, amount=order.price, commission=fee,
                           total=total, remaining=None, refusal=refused.code)
    usage = balances.usage(subscriber, now)
    return MobileQuote(
        phone=phone, operator=operator, amount=order.price, commission=fee, total=total,
        remaining=rules_of.remaining_after(terms, usage, total),
        refusal=rules_of.refusal(terms, balances.payer(subscriber), usage, order.price,
                                 trust.local_day(now)))


def quote_for(viewer: str | None, number: str, phone: str, operator: Operator,
              locale: str) -> MobileQuote:
    """The quote as `viewer` (the signed-in payer, if any) may see it (SPEC §3.2.2): amount,
    commission and total for anyone; what is left of the limits, and a private refusal, only
    for a payer signed in as the number. Anyone else reads PRIVATE, and the number gets the
    reason by SMS in `locale` (rationed). Raises MobileRefused(not_found | not_goods)."""
    found = quote(number, phone, operator)
    if viewer is not None and viewer == phone:
        return found
    if found.refusal in PRIVATE_REASONS:
        begin_write()
        tell_refusal(phone, operator, found.refusal, number, found.total, locale)
        db.session.commit()
    return replace(found, remaining=None,
                   refusal=private_reason(found.refusal, phone, viewer))


def tell_refusal(phone: str, operator: Operator, reason: str, order_number: str, total: int,
                 locale: str) -> bool:
    """Send the number the reason a mobile payment from it is refused (rationed)."""
    return PORTS.balances.tell_refusal(phone, operator, reason, order_number, total, locale)


def _as_mobile(refused: CheckoutRefused) -> MobileRefused:
    code = "not_goods" if refused.code == "method_unavailable" else refused.code
    return MobileRefused(code)


def start(number: str, phone: str, operator: Operator, locale: str,
          signed_in: str | None = None) -> PaymentAttempt:
    """Check everything and send the SMS with the code; the attempt waits for the reply
    (checkout.start: a double click returns the waiting attempt; a waiting payment of the
    number for another order is replaced). Raises MobileRefused with the real reason, or
    codes.CodeRefused when the number may not get a code now (nothing changes then)."""
    try:
        return checkout.start(number, METHOD, BalanceSubmission(phone, operator),
                              idempotency_key=f"mobile:{secrets.token_urlsafe(24)}",
                              signed_in=signed_in, locale=locale)
    except CheckoutRefused as refused:
        raise _as_mobile(refused) from refused


def start_for(viewer: str | None, number: str, phone: str, operator: Operator,
              locale: str) -> PaymentAttempt:
    """start() as `viewer` (the signed-in payer, if any) may see its refusal: a private reason
    only when signed in as the number; anyone else gets MobileRefused(PRIVATE) and the number
    gets the reason by SMS in `locale` (rationed)."""
    try:
        return start(number, phone, operator, locale, signed_in=viewer)
    except MobileRefused as refused:
        shown = private_reason(refused.code, phone, viewer)
        if shown != PRIVATE:
            raise
        begin_write()
        tell_refusal(phone, operator, refused.code, number, refused.total, locale)
        db.session.commit()
        raise MobileRefused(PRIVATE) from refused


def resend(number: str, attempt_id: int, locale: str) -> None:
    """A new code for a waiting payment. Raises MobileRefused or codes.CodeRefused."""
    try:
        checkout.resend(number, attempt_id, locale, METHOD)
    except CheckoutRefused as refused:
        raise _as_mobile(refused) from refused


def confirm_typed(number: str, attempt_id: int, typed: str) -> PaymentAttempt:
    """The code typed on the checkout page. Raises codes.CodeRefused or MobileRefused."""
    try:
        return checkout.confirm(number, attempt_id, typed, METHOD)
    except CheckoutRefused as refused:
        raise _as_mobile(refused) from refused


def attempt_view(number: str, attempt_id: int) -> tuple[Order, PaymentAttempt] | None:
    return checkout.attempt_of(number, attempt_id, METHOD)


def refund(number: str) -> Order:
    """A dispute won by the payer (sandbox action): the order is refunded to the wallet linked
    to the paying number (SPEC §3.2.4), with entries on both sides. Raises MobileRefused."""
    try:
        return checkout.refund(number, actor="sandbox", note=DISPUTE, method=METHOD)
    except CheckoutRefused as refused:
        raise _as_mobile(refused) from refused

