"""The CLI: demo seed (idempotent), settle (idempotent), the sandbox clock; migrations match
the models."""

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from webapp.clock import clock
from webapp.extensions import db
from webapp.models import LedgerEntry, Order, Subscriber
from webapp.services.demo import DEMO

from ..factories import topup_order


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_seed_twice_changes_nothing(app):
    assert f"created: {len(DEMO)}" in run(app, "demo", "seed")
    entries = db.session.scalar(select(func.count(LedgerEntry.id)))
    assert "created: 0" in run(app, "demo", "seed")
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == entries
    assert db.session.scalar(select(func.count(Subscriber.id))) == len(DEMO)


def test_demo_balances_are_sums_of_their_ledgers(app):
    run(app, "demo", "seed")
    for spec in DEMO:
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.phone == spec.phone))
        trust_entries = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                          .where(LedgerEntry.subscriber_id == subscriber.id,
                                                 LedgerEntry.kind.in_(("trust_credit", "fee"))))
        assert bool(trust_entries) == (spec.auto_trust or spec.trust_outstanding), spec.phone
        assert subscriber.balance() == spec.balance + trust_entries, spec.phone
        spent = -db.session.scalar(select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.subscriber_id == subscriber.id, LedgerEntry.kind == "service_charge"))
        assert spent == spec.monthly_spend * min(spec.months_active, 6)


def test_clock_advance_and_settle(app):
    order = topup_order()
    output = run(app, "clock", "advance", "1h")
    assert "orders settled: 1" in output
    assert db.session.scalar(select(Order.status).where(Order.id == order.id)) == "expired"
    assert "orders settled: 0" in run(app, "settle")
    assert clock.offset() == timedelta(hours=1)
    run(app, "clock", "reset")
    assert clock.offset() == timedelta(0)


def test_clock_advance_rejects_nonsense(app):
    result = app.test_cli_runner().invoke(args=["clock", "advance", "soon"])
    assert result.exit_code != 0 and "1d, 3h, 30m" in result.output


def test_clock_is_sandbox_only(app):
    app.config["SANDBOX"] = False
    result = app.test_cli_runner().invoke(args=["clock", "advance", "1d"])
    assert result.exit_code != 0
    assert clock.offset() == timedelta(0)


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []
