"""Engine set-up per backend: SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    """Make SQLite safe for check-then-act: every transaction takes the write lock at BEGIN.

    pysqlite's own transaction handling is switched off (isolation_level=None) so that the
    BEGIN we emit is the one that counts; see SQLAlchemy's "Serializable isolation / Savepoints /
    Transactional DDL" notes for pysqlite.
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")
