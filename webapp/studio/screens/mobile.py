"""Paying a shop order from the phone balance: the quote, the wait for the SMS reply, a wrong
code, paid, and each refusal as the number's owner reads it (signed in as the number) and as
anyone else does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...domain.builder import Paid
from .. import scenario
from ._flows import WRONG_CODE, attempt_id, goods_order, order_number, sign_in


def _quote(stage, phone: str, operator: str, product: str = "phone-case", *,
           owner: bool = True, expect=200):
    """Sign in as `phone` (unless `owner` is False), buy `product`, ask for the quote."""
    if owner:
        sign_in(stage, phone)
    number = order_number(goods_order(stage, product=product))
    return stage.post(f"/orders/{number}/mobile/quote", expect=expect, phone=phone[2:],
                      operator=operator)


def _waiting(stage):
    phone = stage.subscriber("mts", balance=500000)
    number = order_number(goods_order(stage))
    return phone, stage.post(f"/orders/{number}/mobile", phone=phone[2:], operator="mts")


@scenario("mobile.quote", _l("Phone balance: the quote with its commission"))
def quote(stage):
    return _quote(stage, stage.subscriber("beeline", balance=500000), "beeline", owner=False)


@scenario("mobile.waiting", _l("Phone balance: waiting for the SMS reply"))
def waiting(stage):
    return _waiting(stage)[1]


@scenario("mobile.wrong_code", _l("Phone balance: a wrong code, tries left"))
def wrong_code(stage):
    _phone, page = _waiting(stage)
    return stage.post(page.path, expect=422, code=WRONG_CODE)


@scenario("mobile.paid", _l("Phone balance: paid, the receipt"))
def paid(stage):
    phone, page = _waiting(stage)
    attempt_id(page)
    return stage.post(page.path, code=stage.code_sent_to(phone))


@scenario("mobile.refused_private", _l("Phone balance refused, as anyone but the owner reads it"))
def refused_private(stage):
    phone = stage.subscriber("mts", mobile_payments_enabled=False)
    return _quote(stage, phone, "mts", owner=False, expect=422)


@scenario("mobile.refused_banned", _l("Phone balance refused: switched off by the operator"))
def refused_banned(stage):
    return _quote(stage, stage.subscriber("mts", mobile_payments_enabled=False), "mts",
                  expect=422)


@scenario("mobile.refused_corporate", _l("Phone balance refused: a corporate tariff"))
def refused_corporate(stage):
    phone = stage.subscriber("megafon", tariff_kind="corporate", tariff_name="My company",
                             personal_budget=True)
    return _quote(stage, phone, "megafon", expect=422)


@scenario("mobile.refused_personal_budget", _l("Phone balance refused: no personal budget"))
def refused_personal_budget(stage):
    return _quote(stage, stage.subscriber("megafon"), "megafon", expect=422)


@scenario("mobile.refused_over_cap", _l("Phone balance refused: over Tele2's cap per payment"))
def refused_over_cap(stage):
    phone = stage.subscriber("tele2", balance=500000, years=1)
    return _quote(stage, phone, "tele2", product="earphones", expect=422)


@scenario("mobile.refused_daily_count", _l("Phone balance refused: payments a day used up"))
def refused_daily_count(stage):
    made = Paid(5, 250000)
    phone = stage.subscriber("mts", balance=500000,
                             paid={"day": made, "week": made, "month": made})
    return _quote(stage, phone, "mts", expect=422)


@scenario("mobile.refused_funds", _l("Phone balance refused: one kopeck short"))
def refused_funds(stage):
    return _quote(stage, stage.subscriber("mts", balance=20999), "mts", expect=422)
