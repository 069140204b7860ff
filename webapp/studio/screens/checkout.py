"""The checkout of an order: waiting for payment, each card outcome, 3-D Secure, credited,
refunded and expired; a goods order."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import WRONG_CODE, goods_order, order_number, pay_card, three_ds
from ._flows import topup_order as place

DECLINED = {"funds": "4000000000009995", "do_not_honor": "4000000000000002",
            "expired_card": "4000000000000069"}


@scenario("order.awaiting", _l("Checkout: a top-up waiting for payment"))
def awaiting(stage):
    return place(stage)


@scenario("order.card_mistakes", _l("Checkout: card number, expiry and CVC typed wrong"))
def card_mistakes(stage):
    number = order_number(place(stage))
    return pay_card(stage, number, "4242424242424241", expect=422, expiry="13/20", cvc="1")


@scenario("order.declined_funds", _l("Checkout: card declined, not enough money"))
def declined_funds(stage):
    return pay_card(stage, order_number(place(stage)), DECLINED["funds"], expect=402)


@scenario("order.declined_bank", _l("Checkout: card declined by the bank"))
def declined_bank(stage):
    return pay_card(stage, order_number(place(stage)), DECLINED["do_not_honor"], expect=402)


@scenario("order.declined_expired_card", _l("Checkout: card declined, expired card"))
def declined_expired_card(stage):
    return pay_card(stage, order_number(place(stage)), DECLINED["expired_card"], expect=402)


@scenario("order.three_ds", _l("3-D Secure: the bank's code page"))
def three_ds_page(stage):
    return three_ds(stage)[1]


@scenario("order.three_ds_wrong", _l("3-D Secure: a wrong code, tries left"))
def three_ds_wrong(stage):
    _phone, page = three_ds(stage)
    return stage.post(page.path, expect=422, code=WRONG_CODE)


@scenario("order.three_ds_expired", _l("3-D Secure: the code expired"))
def three_ds_expired(stage):
    phone, page = three_ds(stage)
    stage.expire_code(phone)
    return stage.get(page.path)


@scenario("order.credited", _l("Checkout: paid and credited, the receipt"))
def credited(stage):
    return pay_card(stage, order_number(place(stage)))


@scenario("order.refunded", _l("Checkout: the operator refused, payment refunded"))
def refunded(stage):
    # A number of MTS's range that has moved to Beeline: topped up as MTS, MTS refuses it.
    for _ in range(20):
        ported = f"+7982{secrets.randbelow(10 ** 7):07d}"
        try:
            stage.subscriber("beeline", phone=ported)
            break
        except Exception:  # noqa: BLE001 - taken or not a mobile number: try another
            continue
    number = order_number(place(stage, phone=ported, operator="mts"))
    return pay_card(stage, number)


@scenario("order.expired", _l("Checkout: the hour to pay is over"))
def expired(stage):
    number = order_number(place(stage))
    stage.order_past_deadline(number)
    return stage.get(f"/orders/{number}")


@scenario("order.three_ds_paid", _l("Checkout: paid after 3-D Secure"))
def three_ds_paid(stage):
    phone, page = three_ds(stage)
    return stage.post(page.path, code=stage.code_sent_to(phone))


@scenario("order.goods", _l("Checkout: a shop order, card or phone balance"))
def goods(stage):
    return goods_order(stage)


@scenario("order.goods_paid", _l("Checkout: a shop order paid by card"))
def goods_paid(stage):
    return pay_card(stage, order_number(goods_order(stage)))


@scenario("order.china", _l("Checkout in China: a top-up waiting for payment"))
def china(stage):
    return place(stage, "CN")

