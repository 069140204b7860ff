"""Settlement by due dates: it visits only what is due, every change keeps the due date, two
settlements at once share the work on PostgreSQL, and the migration dates existing rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text

from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.models import LedgerEntry, OrderEvent, Subscriber, TrustCredit
from webapp.services import settle, trust
from webapp.services.settle import Settled

from .. import factories
from ..conftest import FIXED_NOW
from ..factories import pay
from .test_trust import DAY, PHONE, at, credits, make_subscriber, place_other, sql_balance

MIDNIGHT = FIXED_NOW + timedelta(hours=15)  # Mon 23 Nov, 00:00 in Moscow


def next_settle_at(phone: str = PHONE) -> datetime | None:
    db.session.commit()
    return db.session.scalar(select(Subscriber.next_settle_at).where(Subscriber.phone == phone))


def statements(work) -> tuple[int, object]:
    """How many SQL statements `work` sends, and what it returns."""
    sent = []

    def count(*_args) -> None:
        sent.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(sent), result


def connect(phones: list[str]) -> None:
    for phone in phones:
        make_subscriber(phone, balance=20000)
        trust.connect_auto(phone)


def test_settlement_costs_what_is_due_not_who_is_connected(app):
    # Two subscribers whose trust payments fall due an hour apart, today.
    at(-3 * DAY + timedelta(hours=1))
    make_subscriber("+79031000001", balance=10000)
    trust.request_one_off("+79031000001", "web")
    at(-3 * DAY + timedelta(hours=3))
    make_subscriber("+79031000002", balance=10000)
    trust.request_one_off("+79031000002", "web")

    at(timedelta(0))
    connect([f"+7903200{n:04d}" for n in range(2)])
    at(timedelta(hours=1))
    few, first = statements(trust.settle_due)

    at(timedelta(hours=2))
    connect([f"+7903300{n:04d}" for n in range(18)])
    make_subscriber("+79034000000", balance=-100)
    db.session.execute(Subscriber.__table__.update().where(Subscriber.phone == "+79034000000")
                       .values(suspended=True))
    db.session.commit()
    at(timedelta(hours=3))
    many, second = statements(trust.settle_due)

    assert (first, second) == (1, 1)
    assert few == many  # 20 connected and a suspended number cost nothing more than 2
    assert sql_balance("+79031000001") == sql_balance("+79031000002") == 7500
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.kind == "fee", LedgerEntry.ref.like("autotrust:%"))) == 20


def test_each_change_writes_when_settlement_is_next_due(app):
    make_subscriber(balance=20000)
    assert next_settle_at() is None
    trust.connect_auto(PHONE)  # Sunday 09:00 in Moscow: Monday's fee is owed from midnight
    assert next_settle_at() == MIDNIGHT
    trust.request_one_off(PHONE, "web")  # due in 3 days: the fee comes first
    assert next_settle_at() == MIDNIGHT
    trust.disconnect_auto(PHONE)
    assert next_settle_at() == FIXED_NOW + 3 * DAY
    at(3 * DAY - timedelta(seconds=1))
    assert trust.settle_due() == 0
    at(3 * DAY)
    assert trust.settle_due() == 1
    assert next_settle_at() is None
    assert sql_balance() == 20000 - 50 - 2500


def test_after_an_auto_credit_is_debited_the_next_may_come_a_day_later(app):
    make_subscriber(balance=5000, spent_3m=45000)
    trust.connect_auto(PHONE)  # 50 ₽ − 0.50 ₽: credited at once, due in 3 days
    [credit] = credits()
    assert next_settle_at() == MIDNIGHT
    at(3 * DAY)
    trust.settle_due()  # debited at 09:00; still below 50 ₽; Thursday's fee from midnight
    assert credits()[0].status == "repaid"
    assert next_settle_at() == MIDNIGHT + 3 * DAY
    at(MIDNIGHT - FIXED_NOW + 3 * DAY)
    trust.settle_due()
    assert next_settle_at() == credit.due_at + DAY  # the cool-down ends before Friday
    at(4 * DAY)
    assert trust.settle_due() == 1
    assert len(credits()) == 2


def test_a_top_up_that_restores_a_number_below_fifty_brings_the_auto_credit_forward(app):
    make_subscriber(balance=10000, spent_3m=45000)
    trust.request_one_off(PHONE, "web")  # 300 ₽, fee 25 ₽, due in 3 days
    trust.connect_auto(PHONE)
    trust.spend(PHONE, 39950)
    at(3 * DAY)
    trust.settle_due()  # three days' fees, the credit and its fee: suspended, no auto credit
    assert (sql_balance(), next_settle_at()) == (-32725, MIDNIGHT + 3 * DAY)
    assert [c.kind for c in credits()] == ["one_off"]
    pay(place_other("327.30"))  # back to 0.05 ₽: restored, below 50 ₽, never had an auto one
    assert next_settle_at() == FIXED_NOW + 3 * DAY
    at(3 * DAY + timedelta(minutes=1))
    assert trust.settle_due() == 1
    assert [(c.kind, c.granted_at) for c in credits()] == [
        ("one_off", FIXED_NOW), ("auto", FIXED_NOW + 3 * DAY + timedelta(minutes=1))]
    assert next_settle_at() == MIDNIGHT + 3 * DAY


def test_two_settlements_at_once_share_the_due_work_and_do_it_once(app, backend):
    if backend != "postgresql":
        pytest.skip("sharing the work (FOR UPDATE SKIP LOCKED) is PostgreSQL's; SQLite has "
                    "one writer at a time")
    phones = [f"+7903500{n:04d}" for n in range(40)]
    for phone in phones:
        make_subscriber(phone, balance=10000)
        trust.request_one_off(phone, "web")
    orders = [factories.topup_order() for _ in range(40)]
    at(3 * DAY)

    results = factories.run_at_once(app, 2, lambda i: settle.settle_all())

    assert all(isinstance(result, Settled) for result in results), results
    assert all(result.subscribers > 0 and result.orders > 0 for result in results), results
    assert sum(result.subscribers for result in results) == 40
    assert sum(result.orders for result in results) == 40
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.kind == "trust_repayment")) == 40
    assert db.session.scalar(select(func.count()).select_from(TrustCredit).where(
        TrustCredit.status == "repaid")) == 40
    assert all(sql_balance(phone) == 7500 for phone in phones)
    expired = db.session.scalars(select(OrderEvent.order_id).where(
        OrderEvent.to_status == "expired")).all()
    assert sorted(expired) == sorted(order.id for order in orders)


# --- the migration's data step ----------------------------------------------------------------

def _scratch_url(database_url: str, tmp_path) -> tuple[str, object]:
    """A database of the same backend to migrate step by step, and how to drop it."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/migration.db", lambda: None
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_step CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_step"))

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA migration_step CASCADE"))
        engine.dispose()

    separator = "&" if "?" in database_url else "?"
    return database_url + separator + "options=" + quote("-csearch_path=migration_step"), drop


def test_the_migration_dates_existing_subscribers(database_url, tmp_path):
    url, drop = _scratch_url(database_url, tmp_path)
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade(revision="0003_mobile_payments")
            rows = {"+79036000001": (True, False), "+79036000002": (False, True),
                    "+79036000003": (False, False), "+79036000004": (False, False)}
            for phone, (auto, suspended) in rows.items():
                db.session.execute(text(
                    "INSERT INTO subscribers (phone, market, operator_id, tariff_kind, "
                    "tariff_name, activated_on, location, mobile_payments_enabled, "
                    "personal_budget, auto_trust, suspended, demo_note) VALUES (:phone, 'RU', "
                    "'beeline', 'prepaid', '', :day, 'home', :yes, :no, :auto, :suspended, '')"),
                    {"phone": phone, "day": date(2025, 1, 1), "yes": True, "no": False,
                     "auto": auto, "suspended": suspended})
            due = datetime(2031, 1, 2, 3, 4)
            db.session.execute(text(
                "INSERT INTO trust_credits (subscriber_id, kind, channel, amount, fee, status, "
                "granted_at, due_at) SELECT id, 'one_off', 'web', 30000, 2500, 'outstanding', "
                ":granted, :due FROM subscribers WHERE phone = '+79036000003'"),
                {"granted": due - timedelta(days=3), "due": due})
            db.session.commit()
            before = datetime.now(UTC)
            upgrade()
            after = datetime.now(UTC)
            found = dict(db.session.execute(
                select(Subscriber.phone, Subscriber.next_settle_at)).all())
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    assert before - timedelta(seconds=1) <= found["+79036000001"] <= after
    assert before - timedelta(seconds=1) <= found["+79036000002"] <= after
    assert found["+79036000003"] == due.replace(tzinfo=UTC)
    assert found["+79036000004"] is None
