"""Creating the database engine, and asking whether the database answers."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# Connections a process may hold: gunicorn's 8 request threads and the scheduler's
# jobs at once. Fewer would make the pool close and reopen connections under load
# (a new PostgreSQL backend each time).
POOL_SIZE = 12


def make_engine(database_url: str, *, pool_size: int = POOL_SIZE, pre_ping: bool = True) -> Engine:
    """On PostgreSQL a connection that sat in the pool is pinged before it is handed out
    (``PING_IDLE_SECONDS``); ``pre_ping=False`` never pings, for callers that retry on a
    dropped connection themselves (the check-in dispatcher)."""
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
    engine = sa.create_engine(database_url, pool_size=pool_size, max_overflow=pool_size // 3)
    if pre_ping:
        _ping_when_idle(engine)
    return engine


# A pooled connection that sat unused this long is pinged before it is handed out: the
# database may have restarted meanwhile (a restart takes it away for longer: 2.3 s for
# ``pg_ctlcluster 15 main restart`` here), and a dead one is replaced, with every other
# connection of the pool, before any request sees it. One used more recently is handed
# out as it is: SQLAlchemy's own pre-ping pinged every checkout, a round trip for each
# unit of work (a request has several) that under load only ever found them alive.
PING_IDLE_SECONDS = 0.5
_RETURNED = "voice_coach_returned_at"


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    def returned(dbapi_connection, record) -> None:
        record.info[_RETURNED] = time.monotonic()

    def checkout(dbapi_connection, record, proxy) -> None:
        returned_at = record.info.get(_RETURNED)
        if returned_at is None or time.monotonic() - returned_at < PING_IDLE_SECONDS:
            return  # just connected, or just used
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as e:
            # The pool replaces it, and every connection it made before this one.
            raise sa.exc.InvalidatePoolError(f"a pooled connection is gone: {e}") from e

    sa.event.listen(engine, "checkin", returned)
    sa.event.listen(engine, "checkout", checkout)


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
