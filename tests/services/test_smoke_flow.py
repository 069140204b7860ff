from webapp.models import Subscriber
from webapp.services import demo, orders

from ..factories import ledger_balance, pay, topup_order


def test_topup_paid_by_card_is_credited_once(app):
    demo.seed()
    before = ledger_balance("+79031234567")
    order = topup_order()
    attempt = pay(order)
    assert attempt.status == "succeeded"
    refreshed = orders.refresh(order.number)
    assert refreshed.status == "credited"
    assert ledger_balance("+79031234567") == before + 10000
    sub = app.extensions["sqlalchemy"].session.query(Subscriber).filter_by(
        phone="+79031234567").one()
    assert sub.balance() == before + 10000
