"""The cash provider on the payment seam (SPEC §3.4): pays the collected sum at once, less the
kiosk commission, and nothing else."""

from datetime import UTC, date, datetime

import pytest

from webapp.domain.money import Money
from webapp.payments import registry
from webapp.payments.base import Declined, Payable, RefundRequest, StartRequest, Succeeded
from webapp.payments.cash import CashAttempt, CashCollected, CashProvider
from webapp.refusals import CheckoutRefused
from webapp.rules import load_rules

RULES = load_rules()
CASH = CashProvider(RULES.kiosk_cash)


def order(price: int, market="RU", currency="RUB") -> Payable:
    return Payable(number="K-261122-000001", amount=Money(price, currency), kind="topup",
                   market=market, phone="+79031234567", locale="ru", today=date(2026, 11, 22),
                   now=datetime(2026, 11, 22, 6, tzinfo=UTC))


@pytest.mark.parametrize(("inserted", "commission", "credited"), [
    (300_00, 10_00, 290_00), (499_99, 15_00, 484_99), (500_00, 0, 500_00),
    (10_00, 10_00, 0)])
def test_the_collected_sum_is_paid_less_the_commission(inserted, commission, credited):
    outcome = CASH.start(StartRequest(order(inserted), CashCollected("770101", inserted)))
    assert outcome == Succeeded(CashAttempt("770101", inserted, commission, credited),
                                settled=Money(inserted, "RUB"))


@pytest.mark.parametrize(("price", "inserted"), [
    (300_00, 200_00),  # not what the order was placed for
    (0, 0),  # nothing collected
    (15000_01, 15000_01),  # past the cap per payment
])
def test_anything_but_the_collected_sum_is_declined(price, inserted):
    outcome = CASH.start(StartRequest(order(price), CashCollected("770101", inserted)))
    assert isinstance(outcome, Declined) and outcome.reason == "cash_mismatch"


def test_cash_is_not_a_form_and_cannot_be_refunded_by_the_kiosk():
    assert isinstance(CASH.start(StartRequest(order(100_00), object())), Declined)
    with pytest.raises(CheckoutRefused):
        CASH.refund(RefundRequest(order(100_00), CashAttempt("770101", 100_00, 10_00, 90_00),
                                  Money(100_00, "RUB")))
    assert CASH.payer(CashCollected("770101", 1)) is None


def test_cash_is_registered_for_kiosks_only():
    assert registry.method("cash").partial == "checkout/methods/cash.html"
    for market in ("RU", "CN"):
        assert "cash" in registry.offered(RULES, market, "topup", "kiosk")
        assert "cash" not in registry.offered(RULES, market, "topup", "phone")
        assert "cash" not in registry.offered(RULES, market, "goods", "kiosk")
