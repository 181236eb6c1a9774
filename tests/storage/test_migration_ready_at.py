"""Migration 0013: when each sending budget next holds a send, on rate_limit; the
buckets already there keep what they hold and get their time at their next draw, on
both databases, and it goes down cleanly."""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage import migrate
from tests.storage.test_migrations import _downgrade, empty_engine  # noqa: F401

WHEN = "2026-03-02 08:00:00"


def test_0013_adds_when_a_budget_is_ready_and_goes_down_cleanly(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, "0012")
    with empty_engine.begin() as c:
        c.execute(
            sa.text(
                "INSERT INTO rate_limit (team_id, method, blocked_until, tokens, refilled_at)"
                " VALUES ('T1', 'chat.postMessage', :when, 0.5, :when)"
            ),
            {"when": WHEN},
        )
    migrate.upgrade(empty_engine, "0013")
    with empty_engine.begin() as c:
        row = c.execute(sa.text("SELECT team_id, tokens, ready_at FROM rate_limit")).one()
        assert tuple(row) == ("T1", 0.5, None)
    _downgrade(empty_engine, "0012")
    columns = {col["name"] for col in sa.inspect(empty_engine).get_columns("rate_limit")}
    assert "ready_at" not in columns and "refilled_at" in columns
    with empty_engine.begin() as c:
        assert c.execute(sa.text("SELECT tokens FROM rate_limit")).scalar() == 0.5
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
