"""The payer's account: its orders and saved cards, its trust payment block, and an account
with nothing in it yet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import APPROVED_CARD, order_number, pay_card, sign_in, topup_order
from .trust import given, trustworthy


@scenario("account.empty", _l("Account: signed in, nothing paid yet"))
def empty(stage):
    return sign_in(stage, stage.subscriber("mts"))


@scenario("account.orders_and_cards", _l("Account: orders and a saved card"))
def orders_and_cards(stage):
    phone = stage.subscriber("mts")
    sign_in(stage, phone)
    number = order_number(topup_order(stage, phone=phone, operator="mts"))
    pay_card(stage, number, APPROVED_CARD, save_card="1")
    return stage.get("/account")


@scenario("account.trust_offer", _l("Account: a trust payment on offer"))
def trust_offer(stage):
    return sign_in(stage, trustworthy(stage))


@scenario("account.trust_outstanding", _l("Account: a trust payment to repay"))
def trust_outstanding(stage):
    phone = trustworthy(stage)
    given(stage, phone)
    return sign_in(stage, phone)


@scenario("account.auto_trust", _l("Account: auto trust payment connected"))
def auto_trust(stage):
    phone = trustworthy(stage, auto_trust=True)
    return sign_in(stage, phone)
