"""The virtual phone: each SMS text as a handset shows it (in the language the page that sent
it was in), and the phone with nothing received."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import scenario
from ._flows import ask_sign_in_code, goods_order, order_number, three_ds
from .mobile import _quote
from .trust import _ask, given, trustworthy


def inbox(stage, phone: str):
    return stage.get(f"/phone/{phone[1:]}")


@scenario("sms.none", _l("Virtual phone: no messages"))
def none(stage):
    return inbox(stage, stage.subscriber())


@scenario("sms.open", _l("Virtual phone: open a number's phone"))
def open_phone(stage):
    return stage.get("/phone/")


@scenario("sms.sign_in", _l("SMS: the sign-in code"))
def sign_in_code(stage):
    return inbox(stage, ask_sign_in_code(stage)[0])


@scenario("sms.three_ds", _l("SMS: the bank's 3-D Secure code"))
def three_ds_code(stage):
    return inbox(stage, three_ds(stage)[0])


@scenario("sms.trust_code", _l("SMS: the trust payment's code"))
def trust_code(stage):
    phone = trustworthy(stage)
    _ask(stage, phone)
    return inbox(stage, phone)


@scenario("sms.trust_given", _l("SMS: trust payment credited"))
def trust_given(stage):
    phone = trustworthy(stage)
    given(stage, phone)
    return inbox(stage, phone)


@scenario("sms.mobile_payment", _l("SMS: confirm a payment from the phone balance"))
def mobile_payment(stage):
    phone = stage.subscriber("mts", balance=500000)
    number = order_number(goods_order(stage))
    stage.post(f"/orders/{number}/mobile", phone=phone[2:], operator="mts")
    return inbox(stage, phone)


@scenario("sms.mobile_refusal", _l("SMS: why a payment from the phone balance was refused"))
def mobile_refusal(stage):
    phone = stage.subscriber("mts", mobile_payments_enabled=False)
    _quote(stage, phone, "mts", owner=False, expect=422)
    return inbox(stage, phone)


@scenario("sms.codes_used_up", _l("Virtual phone: a code expired and the wait skipped"))
def codes_used_up(stage):
    phone, _page = ask_sign_in_code(stage)
    stage.skip_wait(phone)
    stage.expire_code(phone)
    return inbox(stage, phone)
