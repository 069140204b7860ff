"""Paying from a Russian phone balance ("Mobile payment", SPEC §3.2): what only this method
has, the quote before anything is sent (amount, commission, the limits left, the first check
that fails), as the one who asks may see it. Everything else (SMS, reply, debit, refund, who
may read a refusal's reason) runs in services/checkout.py with the mobile_balance provider
(payments/mobile_balance.py: its private_reasons)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from ..clock import clock
from ..database import begin_write
from ..domain import mcommerce as rules_of
from ..domain.markets import Operator
from ..extensions import db
from ..models import Order
from ..payments.base import PRIVATE
from ..payments.mobile_balance import PRIVATE_REASONS, PURPOSE
from ..refusals import MobileRefused
from . import balances, checkout, rules, trust
from .balances import DEBIT, SHOP_WALLET, wallet_balance
from .payment_ports import PORTS, provider

METHOD = "mobile_balance"
REPLACED = checkout.REPLACED

__all__ = ["DEBIT", "PRIVATE", "PRIVATE_REASONS", "PURPOSE", "SHOP_WALLET", "MobileRefused",
           "wallet_balance"]


@dataclass(frozen=True)
class MobileQuote:
    phone: str
    operator: Operator
    amount: int
    commission: int
    total: int
    remaining: rules_of.Remaining | None  # None when the number's usage is not shown
    refusal: str | None


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
    shown = checkout.shown_reason(METHOD, found.refusal, phone, viewer)
    if shown != found.refusal:
        begin_write()
        PORTS.balances.tell_refusal(phone, operator, found.refusal, number, found.total, locale)
        db.session.commit()
    return replace(found, remaining=None, refusal=shown)
