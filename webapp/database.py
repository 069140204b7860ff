"""Engine set-up per backend: SQLite gets WAL, a busy timeout, and BEGIN IMMEDIATE for the
transactions that ask for the write lock (begin_write below)."""

from __future__ import annotations

import hashlib

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from .extensions import db

# Execution option a session's connection carries when its transaction will write.
WRITE_LOCK = "topup_write_lock"
_WRITE_TX = "topup_write_transaction"


def configure_engine(engine: Engine) -> None:
    """Make SQLite safe for check-then-act.

    A transaction that will write starts with BEGIN IMMEDIATE, taking the write lock before it
    reads what it checks (SQLite has no row locks, and a deferred transaction that read first
    cannot wait for the lock: it fails at once if another writer got in between). Read-only
    transactions stay deferred so that pages never hold the lock. pysqlite's own transaction
    handling is switched off (isolation_level=None) so that the BEGIN we emit is the one that
    counts, as SQLAlchemy's pysqlite notes describe.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(WRITE_LOCK)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Start a transaction that will write, holding SQLite's write lock from its first read.

    It ends whatever read transaction the request had, so that everything the caller checks is
    read again under the lock. Callers never have changes pending at this point. Inside a write
    transaction already begun this way it does nothing, so use cases can be composed.
    """
    session = db.session()  # the scoped session's current Session
    current = session.get_transaction()
    if current is not None and current.is_active and session.info.get(_WRITE_TX) is current:
        return
    db.session.commit()
    db.session.connection(execution_options={WRITE_LOCK: True})
    session.info[_WRITE_TX] = session.get_transaction()


def lock_name(name: str) -> None:
    """Serialize work on one name (say, a phone number) until commit, across processes.

    PostgreSQL: a transaction-level advisory lock. SQLite: the write transaction (begin_write)
    already serializes every writer, so there is nothing more to take.
    """
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
