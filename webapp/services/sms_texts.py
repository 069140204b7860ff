"""The text of every SMS the product sends, in the language of the page that caused it."""

from __future__ import annotations

from flask_babel import gettext

from ..domain.markets import Operator
from ..domain.mcommerce import OperatorTerms
from ..i18n import force_locale, local_time, money
from .mobile_texts import refusal_text


def three_ds(locale: str, code: str, amount: int, currency: str, order_number: str,
             last4: str) -> str:
    with force_locale(locale):
        # TRANSLATORS: SMS for a card payment (3-D Secure); %(code)s the 6-digit code;
        # %(amount)s e.g. "100 ₽"; %(order)s the order number, e.g. "T-261201-577892";
        # %(last4)s the card's last 4 digits. Keep "Topup Sandbox" (the merchant's name) as it
        # is.
        return gettext(
            "%(code)s is your code to pay %(amount)s to Topup Sandbox for order %(order)s with "
            "card •••• %(last4)s. Do not share it with anyone, not even the bank.",
            code=code, amount=money(amount, currency), order=order_number, last4=last4)


def sign_in(locale: str, code: str) -> str:
    with force_locale(locale):
        # TRANSLATORS: SMS with the sign-in code; %(code)s the 6-digit code. Keep "Topup
        # Sandbox" (the product's name) as it is.
        return gettext(
            "%(code)s is your code to sign in to Topup Sandbox. Do not share it with anyone: "
            "we never ask for it.", code=code)


def trust(locale: str, code: str, amount: int, fee: int, due_at) -> str:
    with force_locale(locale):
        # TRANSLATORS: SMS for a trust payment; %(code)s the 6-digit code; %(amount)s e.g.
        # "450 ₽"; %(fee)s e.g. "40 ₽"; %(due)s when it is taken back, e.g. "23 ноября в 23:50
        # МСК".
        return gettext(
            "%(code)s is your code to get a trust payment of %(amount)s (fee %(fee)s, to be "
            "debited on %(due)s). Do not share it with anyone.", code=code,
            amount=money(amount, "RUB"), fee=money(fee, "RUB"),
            due=local_time(due_at, "Europe/Moscow"))


def mobile_payment(locale: str, code: str, order_number: str, amount: int, commission: int,
                   short_number: str) -> str:
    with force_locale(locale):
        # TRANSLATORS: SMS from the operator for a mobile payment; %(code)s the 6-digit code;
        # %(short)s the short number to reply to, e.g. "8464"; %(amount)s e.g. "200 ₽";
        # %(commission)s the operator's fee, e.g. "0 ₽"; %(order)s the order number, e.g.
        # "T-261201-577892".
        return gettext(
            "%(code)s: reply with this code to %(short)s to pay %(amount)s plus a fee of "
            "%(commission)s for order %(order)s from your balance. If you did not ask for "
            "this, do not reply.", code=code, short=short_number,
            amount=money(amount, "RUB"), commission=money(commission, "RUB"),
            order=order_number)


def mobile_refusal(locale: str, reason: str, operator: Operator, terms: OperatorTerms | None,
                   order_number: str, total: int) -> str:
    """Why a mobile payment from this number was refused, told to the number only."""
    with force_locale(locale):
        # TRANSLATORS: SMS telling a number why its mobile payment was refused; %(total)s the
        # payment with its fee, e.g. "200 ₽"; %(order)s the order number; %(reason)s one of
        # the refusal sentences.
        return gettext(
            "Mobile payment of %(total)s for order %(order)s from this number is not "
            "possible. %(reason)s", total=money(total, "RUB"), order=order_number,
            reason=refusal_text(reason, operator, terms, total))
