"""Pooled connections on PostgreSQL: a dead one is found before a request uses it, and
a busy pool sends no ping per unit of work."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.storage import engine as engines
from bot.storage.engine import make_engine


@pytest.fixture
def pg(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose and pings nothing")
    engine = make_engine(database_url, pool_size=1)
    pings = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or ping(dbapi_connection)
    yield engine, pings
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(pg):
    engine, pings = pg
    first = _backend(engine)
    assert [_backend(engine) for _ in range(5)] == [first] * 5
    assert pings == []


def test_a_connection_that_died_while_idle_is_replaced_before_anyone_uses_it(
    pg, database_url, monkeypatch
):
    """As after the database restarted: the pool pings what sat unused, finds it dead
    and gives a new connection; the request never sees the dead one."""
    engine, pings = pg
    dead = _backend(engine)
    admin = make_engine(database_url, pre_ping=False)
    try:
        with admin.begin() as c:
            assert c.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar()
    finally:
        admin.dispose()
    monkeypatch.setattr(engines, "PING_IDLE_SECONDS", 0.0)  # it has sat long enough
    fresh = _backend(engine)
    assert fresh != dead
    assert len(pings) == 1
