"""Migration 0011: a pooled challenge rating learns how much its attempts told
(``information``). Ratings already there keep their difficulty and attempts and are
credited with what their attempts typically told, up to what a rating holds; on both
databases, and it goes down cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.domain import difficulty
from bot.storage import migrate
from tests.storage.test_migrations import _downgrade, empty_engine  # noqa: F401

INSERT = (
    "INSERT INTO challenge_rating (team_id, challenge_id, difficulty, attempts)"
    " VALUES ('T1', :challenge, :difficulty, :attempts)"
)


def test_0011_credits_existing_ratings_and_goes_down_cleanly(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, "0010")
    with empty_engine.begin() as c:
        for challenge, value, attempts in (("few", 3.4, 3), ("many", 4.6, 400), ("none", 2, 0)):
            c.execute(
                sa.text(INSERT), {"challenge": challenge, "difficulty": value, "attempts": attempts}
            )
    migrate.upgrade(empty_engine, "0011")
    with empty_engine.begin() as c:
        rows = c.execute(
            sa.text(
                "SELECT challenge_id, difficulty, attempts, information FROM challenge_rating"
                " ORDER BY challenge_id"
            )
        ).all()
        most = 1 / difficulty.MIN_SPREAD**2 - difficulty.PRIOR_INFORMATION
        assert [tuple(r) for r in rows] == [
            ("few", 3.4, 3, pytest.approx(6.0)),
            ("many", 4.6, 400, pytest.approx(most)),
            ("none", 2.0, 0, 0.0),
        ]
        c.execute(
            sa.text(
                "INSERT INTO challenge_rating (team_id, challenge_id, difficulty, attempts)"
                " VALUES ('T2', 'new', 4.0, 0)"
            )
        )
        assert (
            c.execute(
                sa.text("SELECT information FROM challenge_rating WHERE team_id = 'T2'")
            ).scalar()
            == 0.0
        )
    _downgrade(empty_engine, "0010")
    columns = {col["name"] for col in sa.inspect(empty_engine).get_columns("challenge_rating")}
    assert columns == {"id", "team_id", "challenge_id", "difficulty", "attempts"}
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
