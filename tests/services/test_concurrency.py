"""Two requests at once never charge twice or credit twice (on SQLite and PostgreSQL)."""

import secrets

import pytest
from sqlalchemy import func, select

from webapp.domain.cards import validate_card
from webapp.extensions import db
from webapp.models import LedgerEntry, Order, PaymentAttempt
from webapp.refusals import CheckoutRefused as PaymentRefused
from webapp.services import orders

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import CardPayment, pay_by_card, topup_order

CARD, _ = validate_card("4242424242424242", "12/30", "123", FIXED_NOW.date())


def run_at_once(app, count, work):
    return factories.run_at_once(app, count, work, refusals=(PaymentRefused,))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("same_key", [True, False], ids=["double-click", "two-tabs"])
def test_concurrent_payments_charge_once(app, same_key):
    number = topup_order().number
    key = secrets.token_urlsafe(18)

    def pay(i):
        attempt = pay_by_card(number, CardPayment(CARD, key if same_key else f"{key}-{i}"))
        return attempt.status

    results = run_at_once(app, 8, pay)
    assert count(PaymentAttempt, PaymentAttempt.status == "succeeded") == 1
    assert count(PaymentAttempt) == 1
    if same_key:
        assert results == ["succeeded"] * 8
    else:
        assert sorted(results) == ["already_paid"] * 7 + ["succeeded"]


def test_concurrent_refreshes_credit_once(app):
    from datetime import timedelta

    from webapp.clock import clock

    app.config["CREDIT_DELAY_SECONDS"] = 60
    order = topup_order()
    pay_by_card(order.number, CardPayment(CARD, secrets.token_urlsafe(18)))
    number = order.number
    clock.freeze(FIXED_NOW + timedelta(seconds=60))

    results = run_at_once(app, 8, lambda i: orders.refresh(number).status)
    assert results == ["credited"] * 8
    assert count(LedgerEntry, LedgerEntry.kind == "topup") == 1
    assert db.session.scalar(select(Order.status)) == "credited"


def test_settle_is_idempotent(app):
    from datetime import timedelta

    from webapp.clock import clock

    app.config["CREDIT_DELAY_SECONDS"] = 600  # so that crediting waits for the settlement
    first, second = topup_order(), topup_order(phone="+79261234567", operator="megafon")
    pay_by_card(second.number, CardPayment(CARD, secrets.token_urlsafe(18)))
    clock.freeze(FIXED_NOW + timedelta(hours=2))
    assert orders.settle_due() == 2  # one expired, one credited
    assert orders.settle_due() == 0
    statuses = dict(db.session.execute(select(Order.number, Order.status)).all())
    assert statuses == {first.number: "expired", second.number: "credited"}
    assert count(LedgerEntry) == 1


def test_concurrent_settlements_change_each_order_once(app):
    from datetime import timedelta

    from webapp.clock import clock

    app.config["CREDIT_DELAY_SECONDS"] = 600
    placed = [topup_order(phone=f"+7903123456{i}") for i in range(4)]
    for order in placed:
        pay_by_card(order.number, CardPayment(CARD, secrets.token_urlsafe(18)))
    clock.freeze(FIXED_NOW + timedelta(hours=2))
    results = run_at_once(app, 4, lambda i: orders.settle_due())
    assert sum(results) == 4
    assert count(LedgerEntry, LedgerEntry.kind == "topup") == 4
