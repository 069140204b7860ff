"""The stored balance and its ledger: services.ledger.post keeps them together, `flask ledger
verify` finds where they differ, and every main flow leaves them agreeing (SPEC §1: a balance
is the sum of its entries)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import Subscriber, TrustCredit
from webapp.services import builder, demo, ledger, orders, settle, trust
from webapp.services.builder import SubscriberSpec

from ..conftest import FIXED_NOW
from ..factories import dispute, ledger_balance, pay, topup_order
from .test_mobile import BEELINE_PHONE, make_subscriber, pay_by_reply

DEMO_PHONE = "+79031234567"


def books_agree() -> None:
    """Every number's stored balance is the sum of its ledger, read afresh."""
    db.session.commit()
    assert ledger.verify() == []


def stored(phone: str) -> int:
    db.session.commit()
    return int(db.session.scalar(text("SELECT balance_minor FROM subscribers WHERE phone = :p"),
                                 {"p": phone}))


def repair() -> None:
    """Put the books right after a test broke them on purpose (the fixture checks them)."""
    db.session.execute(text(
        "UPDATE subscribers SET balance_minor = (SELECT COALESCE(SUM(amount), 0) "
        "FROM ledger_entries WHERE subscriber_id = subscribers.id)"))
    db.session.commit()


def subscriber(phone: str) -> Subscriber:
    return db.session.scalar(select(Subscriber).where(Subscriber.phone == phone))


# --- post and verify ---------------------------------------------------------------------------

def test_post_moves_the_stored_balance_with_its_entry(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    number = subscriber(BEELINE_PHONE)
    ledger.post(number, "service_charge", -2550, clock.now())
    assert number.balance() == 97450  # the object in hand sees it at once
    db.session.commit()
    assert stored(BEELINE_PHONE) == ledger_balance(BEELINE_PHONE) == 97450
    books_agree()


def test_a_refused_entry_moves_no_balance(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    ledger.post(subscriber(BEELINE_PHONE), "fee", -75, clock.now(), ref="once")
    db.session.commit()
    ledger.post(subscriber(BEELINE_PHONE), "fee", -75, clock.now(), ref="once")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert stored(BEELINE_PHONE) == ledger_balance(BEELINE_PHONE) == 99925


def test_a_rolled_back_entry_takes_its_balance_change_with_it(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    ledger.post(subscriber(BEELINE_PHONE), "topup", 5000, clock.now())
    db.session.rollback()
    assert stored(BEELINE_PHONE) == ledger_balance(BEELINE_PHONE) == 100000


def test_verify_lists_every_number_whose_balance_is_not_its_ledger(app):
    demo.seed()
    books_agree()
    db.session.execute(text("UPDATE subscribers SET balance_minor = balance_minor + 1 "
                            "WHERE phone = :p"), {"p": DEMO_PHONE})
    db.session.execute(text("DELETE FROM ledger_entries WHERE subscriber_id = "
                            "(SELECT id FROM subscribers WHERE phone = '+79091112233')"))
    db.session.commit()
    found = ledger.verify()
    assert [(m.phone, m.stored - m.ledger) for m in found] == [
        (DEMO_PHONE, 1), ("+79091112233", stored("+79091112233"))]
    assert found[1].ledger == 0  # a number with no entries at all sums to zero
    repair()
    books_agree()


def test_flask_ledger_verify_exits_non_zero_with_the_list(app):
    demo.seed()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "ledger ok" in result.output
    db.session.execute(text("UPDATE subscribers SET balance_minor = balance_minor - 250 "
                            "WHERE phone = :p"), {"p": DEMO_PHONE})
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    expected = stored(DEMO_PHONE) + 250
    assert f"{DEMO_PHONE}: stored {expected - 250}, ledger {expected} (off by -250)" in (
        result.output)
    assert "1 balance(s) differ from the ledger" in result.output
    repair()
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


# --- the books agree after every main flow -----------------------------------------------------

def test_after_demo_seed_and_a_card_top_up(app):
    demo.seed()
    books_agree()
    before = stored(DEMO_PHONE)
    order = topup_order()
    assert pay(order).status == "succeeded"
    assert orders.refresh(order.number).status == "credited"
    assert stored(DEMO_PHONE) == before + 10000
    books_agree()


def test_after_a_top_up_of_a_number_the_sandbox_had_not_met(app):
    phone = "+79030000077"
    order = topup_order(phone=phone)
    pay(order)
    orders.refresh(order.number)
    assert stored(phone) == 10000
    books_agree()


def test_after_a_mobile_payment_and_its_refund(app):
    make_subscriber(BEELINE_PHONE, "beeline", balance=100000)
    order = pay_by_reply(BEELINE_PHONE, "beeline")
    assert stored(BEELINE_PHONE) == 100000 - 20780  # 200 ₽ + Beeline's 3.9 %
    books_agree()
    clock.freeze(FIXED_NOW + timedelta(days=2))
    assert dispute(order.number).status == "refunded"  # to the wallet, not the number
    assert stored(BEELINE_PHONE) == 100000 - 20780
    books_agree()


def test_after_a_trust_credit_taken_then_repaid_with_its_fee(app):
    demo.seed()
    phone = DEMO_PHONE
    before = stored(phone)
    credit = trust.request_one_off(phone, "web")
    assert stored(phone) == before + credit.amount
    books_agree()
    clock.freeze(FIXED_NOW + timedelta(days=3, minutes=1))
    settle.settle_all()
    assert db.session.get(TrustCredit, credit.id).status == "repaid"
    assert stored(phone) == before - credit.fee
    books_agree()


def test_after_auto_trust_fees_and_an_auto_credit_in_settlement(app):
    demo.seed()
    phone = DEMO_PHONE
    trust.connect_auto(phone)  # today's 0.50 ₽
    books_agree()
    clock.freeze(FIXED_NOW + timedelta(days=2))
    settle.settle_all()  # two days' fees, 0.75 ₽ each
    books_agree()
    trust.spend(phone, stored(phone) - 1000)  # down to 10 ₽: the auto credit comes at once
    assert stored(phone) > 1000
    assert db.session.scalar(select(TrustCredit.kind).where(
        TrustCredit.subscriber_id == subscriber(phone).id)) == "auto"
    books_agree()
    clock.freeze(FIXED_NOW + timedelta(days=6))
    settle.settle_all()  # the auto credit debited, the days' fees taken
    books_agree()


def test_after_builder_made_subscribers(app):
    built = builder.create(SubscriberSpec(
        operator="beeline", balance=-4250, activated_on=FIXED_NOW.date() - timedelta(days=700),
        history_months=6, monthly_spend=30000, auto_trust=True))
    assert built.balance == stored(built.spec.phone)
    books_agree()
    other = builder.create(SubscriberSpec(operator="mts", balance=500000,
                                          activated_on=FIXED_NOW.date() - timedelta(days=90)))
    assert stored(other.spec.phone) == 500000
    books_agree()


# --- the migration's backfill ------------------------------------------------------------------

def test_migration_backfills_balances_from_the_ledger(tmp_path):
    from flask_migrate import downgrade, upgrade

    from webapp import create_app
    from webapp.config import TestConfig

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.db"})
    with app.app_context():
        upgrade(revision="0011_balances-1")  # whatever it is chained after
        for phone in ("+79030000001", "+79030000002"):
            db.session.execute(text(
                "INSERT INTO subscribers (phone, market, operator_id, tariff_kind, tariff_name,"
                " activated_on, location, mobile_payments_enabled, personal_budget, auto_trust,"
                " suspended, demo_note) VALUES (:phone, 'RU', 'mts', 'prepaid', '', "
                "'2024-01-10', 'home', 1, 0, 0, 0, '')"), {"phone": phone})
        for amount in (50000, -1250, -75):
            db.session.execute(text(
                "INSERT INTO ledger_entries (subscriber_id, kind, amount, created_at, "
                "description) SELECT id, 'x', :amount, '2026-01-01 00:00:00', '' "
                "FROM subscribers WHERE phone = '+79030000001'"), {"amount": amount})
        db.session.commit()
        upgrade(revision="0011_balances")
        assert stored("+79030000001") == 48675
        assert stored("+79030000002") == 0
        assert ledger.verify() == []
        downgrade(revision="0011_balances-1")
        db.session.commit()
        columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(subscribers)"))]
        assert "balance_minor" not in columns
        db.session.remove()
        db.engine.dispose()
