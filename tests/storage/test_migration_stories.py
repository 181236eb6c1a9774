"""Migration 0009 (coping stories): her preference and pace on coachee, and the table of
anonymous shares, which go with her; nothing else is touched, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.storage import migrate
from tests.storage.test_migrations import _downgrade, _insert_coachee, empty_engine  # noqa: F401

WHEN = "2026-03-02 08:00:00"


def test_0009_adds_stories_keeps_her_rows_and_goes_down_cleanly(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, "0008")
    with empty_engine.begin() as c:
        _insert_coachee(c, WHEN, share_wins=True)
        c.execute(
            sa.text(
                "INSERT INTO meeting (id, team_id, coachee_id, name, weekdays, start_time,"
                " duration_minutes, tz, active, source, created_at, updated_at) VALUES"
                f" (7, 'T1', 1, 'Planning', 1, '10:00:00', 30, 'UTC', true, 'manual', '{WHEN}',"
                f" '{WHEN}')"
            )
        )
        c.execute(
            sa.text(
                "INSERT INTO celebration (id, team_id, coachee_id, kind, status, created_at)"
                f" VALUES (3, 'T1', 1, 'win', 'shared', '{WHEN}')"
            )
        )
    migrate.upgrade(empty_engine, "0009")
    with empty_engine.begin() as c:
        # Existing people get stories (on) and have seen none yet; her meetings stay.
        assert tuple(
            c.execute(
                sa.text("SELECT stories_on, story_shown_at, stories_shown FROM coachee")
            ).one()
        ) in ((True, None, 0), (1, None, 0))
        assert c.execute(sa.text("SELECT count(*) FROM meeting")).scalar() == 1
        c.execute(
            sa.text(
                "INSERT INTO shared_story (team_id, coachee_id, celebration_id, step,"
                " challenge_id, outcome, phrase_id, created_at) VALUES"
                f" ('T1', 1, 3, 3, 'answer-any-thoughts', 'did_it', 'breath-first', '{WHEN}')"
            )
        )
        with pytest.raises(sa.exc.IntegrityError), c.begin_nested():  # one share per win
            c.execute(
                sa.text(
                    "INSERT INTO shared_story (team_id, coachee_id, celebration_id, step,"
                    " challenge_id, outcome, created_at) VALUES"
                    f" ('T1', 1, 3, 3, 'answer-any-thoughts', 'did_it', '{WHEN}')"
                )
            )
        c.execute(sa.text("DELETE FROM coachee WHERE id = 1"))  # she goes: her share goes
        assert c.execute(sa.text("SELECT count(*) FROM shared_story")).scalar() == 0
    _downgrade(empty_engine, "0008")
    inspector = sa.inspect(empty_engine)
    assert "shared_story" not in inspector.get_table_names()
    assert not {"stories_on", "story_shown_at", "stories_shown"} & {
        col["name"] for col in inspector.get_columns("coachee")
    }
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
