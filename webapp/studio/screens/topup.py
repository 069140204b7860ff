"""The top-up screen: empty, filled, each mistake, and the way back after a refund."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import OPERATORS, TILES


@scenario("topup.empty", _l("Top-up: nothing typed yet"))
def empty(stage):
    return stage.get("/topup/RU")


@scenario("topup.filled", _l("Top-up: number, operator and amount chosen"))
def filled(stage):
    phone = stage.subscriber()
    return stage.get(f"/topup/RU?phone={phone[2:]}&operator=beeline&amount={TILES['RU']}")


@scenario("topup.china", _l("Top-up in China: number and amount chosen"))
def china(stage):
    phone = stage.subscriber(OPERATORS["CN"], balance=5000, monthly_spend=5000)
    return stage.get(f"/topup/CN?phone={phone[3:]}&amount={TILES['CN']}")


@scenario("topup.wrong_number", _l("Top-up: a number that is not a mobile number"))
def wrong_number(stage):
    stage.get("/topup/RU")
    return stage.post("/topup/RU", expect=422, phone="123", amount=str(TILES["RU"]))


@scenario("topup.no_amount", _l("Top-up: no amount chosen"))
def no_amount(stage):
    phone = stage.subscriber()
    stage.get("/topup/RU")
    return stage.post("/topup/RU", expect=422, phone=phone[2:], operator="beeline")


@scenario("topup.amount_too_small", _l("Top-up: an amount below the minimum"))
def amount_too_small(stage):
    phone = stage.subscriber()
    stage.get("/topup/RU")
    return stage.post("/topup/RU", expect=422, phone=phone[2:], operator="beeline",
                      amount="other", other_amount="1")


@scenario("topup.after_refund", _l("Top-up again after the operator refused it"))
def after_refund(stage):
    phone = stage.subscriber()
    return stage.get(f"/topup/RU?phone={phone[2:]}&amount={TILES['RU']}&refused_by=mts")
