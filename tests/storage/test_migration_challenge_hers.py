"""Migration 0012: whether she chose today's challenge herself (a swap), on coachee;
everyone already there has the app's pick, nothing else is touched, on both databases,
and it goes down cleanly."""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage import migrate
from tests.storage.test_migrations import _downgrade, _insert_coachee, empty_engine  # noqa: F401

WHEN = "2026-03-02 08:00:00"


def test_0012_adds_her_own_choice_and_goes_down_cleanly(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, "0011")
    with empty_engine.begin() as c:
        _insert_coachee(c, WHEN)
    migrate.upgrade(empty_engine, "0012")
    with empty_engine.begin() as c:
        row = c.execute(sa.text("SELECT challenge_hers, nerves_on FROM coachee")).one()
        assert tuple(row) in ((False, True), (0, 1))
    _downgrade(empty_engine, "0011")
    columns = {col["name"] for col in sa.inspect(empty_engine).get_columns("coachee")}
    assert "challenge_hers" not in columns and "nerves_on" in columns
    with empty_engine.begin() as c:
        assert c.execute(sa.text("SELECT count(*) FROM coachee")).scalar() == 1
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
