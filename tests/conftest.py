"""Fixtures: an app on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set.

The schema is built once per backend by the real migrations; each test starts from empty
tables and a clock frozen at FIXED_NOW (tests move it with `clock.freeze`/`clock.advance`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.clock import clock
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.services import ledger

# A Sunday morning in Moscow (09:00 MSK), far from any month end.
FIXED_NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is reported as such
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL is not usable: {exc}")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database of each backend, once per test session."""
    if request.param == "postgresql":
        url = _postgres_url()
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def _books_agree() -> None:
    """After every test: each number's stored balance is still the sum of its ledger
    (`flask ledger verify`), whatever flow the test ran."""
    db.session.rollback()
    mismatches = ledger.verify()
    db.session.rollback()
    assert mismatches == [], f"stored balances differ from the ledger: {mismatches}"


class RequestPerContextClient(FlaskClient):
    """Each request gets its own app context, as in production (its own `g`, locale and
    database session). The test's own session commits first, so that it holds no transaction
    (and, on SQLite, no write lock) while the request runs."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = RequestPerContextClient
    with app.app_context():
        _empty_tables()
        clock.freeze(FIXED_NOW)
        yield app
        _books_agree()
        clock.freeze(None)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client_with(app, database_url):
    """A client of the same database under another configuration (sandbox off, CSRF on…)."""

    def build(**overrides):
        other = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        other.test_client_class = app.test_client_class
        return other.test_client()

    return build


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name
