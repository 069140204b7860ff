"""services.transitions: every flow writes its event rows (who, what, when, why), an illegal
move raises and changes nothing, bulk moves write one event per row, and migration 0010_events
moves the order events into state_events and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from webapp import create_app
from webapp.clock import clock
from webapp.config import TestConfig
from webapp.domain.states import IllegalMove
from webapp.extensions import db
from webapp.models import (
    OneTimeCode,
    Order,
    OrderEvent,
    PaymentAttempt,
    SmsMessage,
    StateEvent,
    TrustCredit,
)
from webapp.services import account, checkout, codes, sms, trust
from webapp.services import transitions as moves
from webapp.services.orders import refund_of

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import pay, topup_order
from . import test_mobile as mobile_flow
from . import test_trust as trust_flow
from .test_settlement import _scratch_url

PHONE = "+79031234567"
THREE_DS_CARD = "4000 0027 6000 3184"


# An attempt's history starts when the payer starts it, naming the method.
CARD_STARTED = (None, "pending", "payer", "card")
MOBILE_STARTED = (None, "pending", "payer", "mobile_balance")


def moved(thing) -> list[tuple]:
    """(from, to, actor, reason) of each recorded move of `thing`, oldest first."""
    db.session.commit()
    return [(e.from_status, e.to_status, e.actor, e.reason) for e in moves.history(thing)]


def count_events(*where) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count(StateEvent.id)).where(*where))


def latest(model, *where):
    db.session.commit()
    return db.session.scalars(select(model).where(*where).order_by(model.id.desc())).first()


# --- the flows --------------------------------------------------------------------------------

def test_a_card_payment_records_the_order_and_the_attempt(app):
    order = topup_order(phone=PHONE)
    attempt = pay(order)
    assert moved(order) == [
        (None, "awaiting_payment", "payer", ""), ("awaiting_payment", "paid", "payer", ""),
        ("paid", "crediting", "operator", ""), ("crediting", "credited", "operator", "")]
    assert moved(attempt) == [CARD_STARTED, ("pending", "succeeded", "bank", "")]
    order = db.session.get(Order, order.id)
    # The order's own relationship reads the same rows, as OrderEvent (order_id = subject id).
    assert [(e.from_status, e.to_status) for e in order.events] == [
        (e[0], e[1]) for e in moved(order)]
    assert {type(e) for e in order.events} == {OrderEvent}
    assert {e.order_id for e in order.events} == {order.id}
    assert {e.at for e in order.events} == {FIXED_NOW}


def test_a_declined_card_records_its_decline_code(app):
    order = topup_order(phone=PHONE)
    attempt = pay(order, number="4000 0000 0000 9995")
    assert moved(attempt) == [CARD_STARTED, ("pending", "failed", "bank", "insufficient_funds")]
    assert moved(order) == [(None, "awaiting_payment", "payer", "")]


def test_a_failed_3d_secure_records_the_code_the_attempt_and_the_sms(app):
    order = topup_order(phone=PHONE)
    attempt = pay(order, number=THREE_DS_CARD)
    assert attempt.status == "pending"
    code = latest(OneTimeCode, OneTimeCode.subject == f"attempt:{attempt.id}")
    message = latest(SmsMessage, SmsMessage.phone == PHONE)
    right = re.search(r"\b(\d{6})\b", message.body).group(1)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(codes.CodeRefused):
            checkout.confirm(order.number, attempt.id, wrong)
        db.session.rollback()
    assert moved(code) == [(None, "active", "payer", "3ds"), ("active", "dead", "payer", "")]
    assert moved(attempt) == [CARD_STARTED, ("pending", "failed", "bank", "three_ds_failed")]
    assert moved(message) == [(None, "queued", "system", ""),
                              ("queued", "delivered", "gateway", "")]
    assert moved(order) == [(None, "awaiting_payment", "payer", "")]


def test_a_passed_3d_secure_records_the_code_used(app):
    order = topup_order(phone=PHONE)
    attempt = pay(order, number=THREE_DS_CARD)
    code = latest(OneTimeCode, OneTimeCode.subject == f"attempt:{attempt.id}")
    right = re.search(r"\b(\d{6})\b", latest(SmsMessage, SmsMessage.phone == PHONE).body)[1]
    checkout.confirm(order.number, attempt.id, right)
    assert moved(code)[-1] == ("active", "used", "payer", "")
    assert moved(attempt) == [CARD_STARTED, ("pending", "succeeded", "bank", "")]
    assert moved(order)[-1] == ("crediting", "credited", "operator", "")


def test_a_mobile_payment_records_order_attempt_code_and_the_reply(app):
    mobile_flow.make_subscriber()
    order = mobile_flow.pay_by_reply()
    attempt = latest(PaymentAttempt, PaymentAttempt.order_id == order.id)
    code = latest(OneTimeCode, OneTimeCode.subject == f"attempt:{attempt.id}")
    reply = latest(SmsMessage, SmsMessage.direction == "in")
    assert moved(order) == [(None, "awaiting_payment", "payer", ""),
                            ("awaiting_payment", "paid", "payer", "")]
    assert moved(attempt) == [MOBILE_STARTED, ("pending", "succeeded", "operator", "")]
    assert moved(code) == [(None, "active", "payer", "mcommerce"),
                           ("active", "used", "payer", "")]
    assert moved(reply) == [(None, "received", "sender", "")]


def test_a_disputed_mobile_payment_is_refunded_with_its_reason(app):
    mobile_flow.make_subscriber()
    order = mobile_flow.pay_by_reply()
    factories.dispute(order.number)
    assert moved(order)[-1] == ("paid", "refunded", "sandbox", "dispute")
    assert refund_of(db.session.get(Order, order.id)).reason == "dispute"


def test_a_newer_mobile_payment_cancels_the_older_one_and_its_code(app):
    mobile_flow.make_subscriber()
    first = mobile_flow.start(mobile_flow.goods())
    first_code = latest(OneTimeCode, OneTimeCode.subject == f"attempt:{first.id}")
    clock.freeze(FIXED_NOW + timedelta(minutes=2))  # past the wait before another code
    mobile_flow.start(mobile_flow.goods())  # another order paid from the same number
    assert moved(first) == [MOBILE_STARTED, ("pending", "canceled", "payer", "replaced")]
    assert moved(first_code)[-1] == ("active", "superseded", "payer", "")


def test_a_trust_credit_taken_and_repaid(app):
    trust_flow.make_subscriber(PHONE, balance=10000)
    credit = trust.request_one_off(PHONE, "ussd")
    assert moved(credit) == [(None, "outstanding", "ussd", "one_off")]
    clock.freeze(FIXED_NOW + timedelta(days=3) - timedelta(seconds=1))
    trust.settle_due()
    assert len(moved(credit)) == 1
    clock.freeze(FIXED_NOW + timedelta(days=3))
    trust.settle_due()
    trust.settle_due()  # a second run moves nothing again
    assert moved(credit)[1:] == [("outstanding", "repaid", "clock", "")]
    assert moves.history(credit)[-1].at == FIXED_NOW + timedelta(days=3)


def test_a_sign_in_code_used(app):
    account.start_sign_in(PHONE, "en")
    code = latest(OneTimeCode)
    typed = re.search(r"\b(\d{6})\b", latest(SmsMessage).body)[1]
    account.finish_sign_in(PHONE, typed)
    assert moved(code) == [(None, "active", "payer", "signin"), ("active", "used", "payer", "")]


def test_codes_past_their_validity_expire_in_bulk_with_an_event_each(app):
    account.start_sign_in(PHONE, "en")
    account.start_sign_in("+79261234567", "en")
    used = "+79821234567"
    account.start_sign_in(used, "en")
    account.finish_sign_in(used, re.search(r"\b(\d{6})\b", latest(SmsMessage).body)[1])
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    expired = count_events(StateEvent.to_status == "expired")
    assert codes.expire_due() == 2
    assert count_events(StateEvent.to_status == "expired") == expired + 2
    for phone in (PHONE, "+79261234567"):
        code = latest(OneTimeCode, OneTimeCode.phone == phone)
        assert (code.status, code.finished_at) == ("expired", FIXED_NOW + timedelta(hours=1))
        assert moved(code)[-1] == ("active", "expired", "clock", "")
    assert moved(latest(OneTimeCode, OneTimeCode.phone == used))[-1][1] == "used"
    assert codes.expire_due() == 0  # idempotent: nothing moves, nothing is recorded twice
    assert count_events(StateEvent.to_status == "expired") == expired + 2


def test_a_code_typed_too_late_expires_on_use(app):
    account.start_sign_in(PHONE, "en")
    code = latest(OneTimeCode)
    clock.freeze(FIXED_NOW + timedelta(hours=1))
    with pytest.raises(codes.CodeRefused):
        account.finish_sign_in(PHONE, "123456")
    assert moved(code)[-1] == ("active", "expired", "clock", "")


def test_an_sms_delivered_then_reported_failed(app):
    message = sms.send(PHONE, sms.SERVICE_SENDER, "hello", topic="notice:test")
    db.session.commit()
    assert moved(message) == [(None, "queued", "system", "notice:test"),
                              ("queued", "delivered", "gateway", "")]
    assert sms.record_delivery(message.gateway_id, "delivered") is True  # the same again
    assert sms.record_delivery(message.gateway_id, "failed") is True
    assert sms.record_delivery(message.gateway_id, "delivered") is True  # too late: ignored
    assert db.session.get(SmsMessage, message.id).status == "failed"
    assert moved(message)[2:] == [("delivered", "failed", "gateway", "delivery_report")]


def test_an_sms_sent_by_a_logging_gateway_is_delivered_by_report(app, database_url):
    other = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url,
                                    "SMS_GATEWAY": "log"})
    with other.app_context():
        message = sms.send(PHONE, sms.SERVICE_SENDER, "hello")
        db.session.commit()
        assert sms.record_delivery(message.gateway_id, "delivered") is True
        assert [(e.from_status, e.to_status) for e in moves.history(message)] == [
            (None, "queued"), ("queued", "sent"), ("sent", "delivered")]
        db.session.remove()


# --- the rules of transition() ---------------------------------------------------------------

def test_an_illegal_move_raises_and_changes_nothing(app):
    order = topup_order(phone=PHONE)
    before = count_events()
    order = db.session.get(Order, order.id)
    with pytest.raises(IllegalMove) as info:
        moves.transition(order, "credited", actor="operator")
    assert (info.value.current, info.value.new, info.value.machine) == (
        "awaiting_payment", "credited", "order.topup")
    assert order.status == "awaiting_payment"
    assert count_events() == before


def test_a_goods_order_moves_by_the_goods_machine(app):
    order = mobile_flow.goods()
    order = db.session.get(Order, order.id)
    moves.transition(order, "paid", actor="payer")
    with pytest.raises(IllegalMove):
        moves.transition(order, "crediting", actor="operator")
    event = moves.transition(order, "refunded", actor="sandbox", reason="dispute",
                             at=FIXED_NOW + timedelta(minutes=5))
    db.session.commit()
    assert (event.subject_kind, event.subject_id, event.at) == (
        "order", order.id, FIXED_NOW + timedelta(minutes=5))
    assert moves.history_of("order", order.id) == moves.history(order)


def test_begin_needs_an_initial_status_and_flushes_a_new_row(app):
    trust_flow.make_subscriber(PHONE)
    subscriber = trust_flow.sub()
    credit = TrustCredit(subscriber_id=subscriber.id, kind="one_off", channel="web",
                         token="t" * 20, amount=1, fee=0, status="repaid",
                         granted_at=FIXED_NOW, due_at=FIXED_NOW)
    db.session.add(credit)
    with pytest.raises(IllegalMove):
        moves.begin(credit, actor="web")
    credit.status = "outstanding"
    event = moves.begin(credit, actor="web")
    assert credit.id is not None and event.subject_id == credit.id


def test_unknown_things_and_double_registrations_are_refused(app):
    with pytest.raises(TypeError):
        moves.transition(object(), "done", actor="system")
    with pytest.raises(ValueError):
        moves.register(Order, "order_again", moves.SUBJECTS[OneTimeCode].machine)
    with pytest.raises(ValueError):
        moves.register(StateEvent, "code", moves.SUBJECTS[OneTimeCode].machine)
    with pytest.raises(TypeError):  # an order's machine depends on its kind: one by one
        moves.transition_all(Order, "awaiting_payment", "expired", actor="clock")
    with pytest.raises(IllegalMove):
        moves.transition_all(OneTimeCode, "used", "active", actor="clock")


# --- migration 0010_events ------------------------------------------------------------------

BEFORE = "0008_settlement_due"


def _order_row(number: str, status: str) -> dict:
    at = datetime(2026, 11, 1, 12, 0)
    return {"number": number, "status": status, "at": at, "deadline": at + timedelta(hours=1)}


def test_the_migration_moves_order_events_and_back(database_url, tmp_path):
    url, drop = _scratch_url(database_url, tmp_path)
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    at = datetime(2026, 11, 1, 12, 0)
    rows = [(1, None, "awaiting_payment", "payer", ""), (2, None, "awaiting_payment", "payer", ""),
            (1, "awaiting_payment", "paid", "payer", ""),
            (1, "paid", "crediting", "operator", ""),
            (1, "crediting", "refunded", "operator", "number_not_served")]
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            for number, status in (("T-1", "refunded"), ("T-2", "awaiting_payment")):
                db.session.execute(text(
                    "INSERT INTO orders (number, kind, market, currency, phone, operator_id, "
                    "amount, price, status, locale, created_at, deadline) VALUES (:number, "
                    "'topup', 'RU', 'RUB', '+79031234567', 'beeline', 100, 100, :status, "
                    "'ru', :at, :deadline)"), _order_row(number, status))
            ids = dict(db.session.execute(text("SELECT number, id FROM orders")).all())
            for order, old, new, actor, note in rows:
                db.session.execute(text(
                    "INSERT INTO order_events (order_id, from_status, to_status, actor, note, "
                    "at) VALUES (:order_id, :old, :new, :actor, :note, :at)"),
                    {"order_id": ids[f"T-{order}"], "old": old, "new": new, "actor": actor,
                     "note": note, "at": at})
            db.session.commit()

            upgrade()
            db.session.commit()
            first = db.session.get(Order, ids["T-1"])
            assert [(e.from_status, e.to_status, e.actor, e.reason) for e in first.events] == [
                row[1:] for row in rows if row[0] == 1]
            assert refund_of(first).reason == "number_not_served"
            assert refund_of(first).at == at.replace(tzinfo=FIXED_NOW.tzinfo)
            assert [e.subject_id for e in db.session.scalars(
                select(StateEvent).order_by(StateEvent.id))] == [
                ids[f"T-{row[0]}"] for row in rows]
            # A new event after the move gets a fresh id (the sequence goes on).
            moves.transition(db.session.get(Order, ids["T-2"]), "expired", actor="clock",
                             at=FIXED_NOW)
            db.session.commit()

            downgrade(revision=BEFORE)
            db.session.commit()
            back = db.session.execute(text(
                "SELECT order_id, from_status, to_status, actor, note FROM order_events "
                "ORDER BY id")).all()
            assert [tuple(row) for row in back] == [
                (ids[f"T-{row[0]}"], *row[1:]) for row in rows] + [
                (ids["T-2"], "awaiting_payment", "expired", "clock", "")]
            db.session.commit()  # holds no lock the migration waits for
            upgrade()  # and up again
            db.session.commit()
            assert db.session.scalar(select(func.count(OrderEvent.id))) == len(rows) + 1
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
