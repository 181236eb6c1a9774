"""Creating the database engine, and asking whether the database answers."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# Connections a process may hold: gunicorn's 8 request threads and the scheduler's
# jobs at once. Fewer would make the pool close and reopen connections under load
# (a new PostgreSQL backend each time).
POOL_SIZE = 12


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE, pre_ping: bool = True) -> Engine:
    """``pre_ping=False`` saves a round trip per transaction, for callers that retry
    on a dropped connection themselves (the check-in dispatcher)."""
    if database_url.startswith("sqlite"):
        engine = sa.create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own BEGIN handling defers locks; take them ourselves so a
        # read-then-write transaction cannot deadlock (BEGIN IMMEDIATE where asked).
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(
        database_url, pool_size=pool_size, max_overflow=pool_size // 3, pool_pre_ping=pre_ping
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    # Straight to the driver: a BEGIN needs none of a statement's events and result
    # handling, which cost more than the BEGIN itself on every transaction.
    connection.connection.dbapi_connection.execute(f"BEGIN {mode}")


def database_answers(engine: Engine) -> bool:
    """True when a trivial query round-trips; never raises."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False
