"""Migration 0010 (settle your nerves): her on/off for the offer on coachee (on for
everyone already there), and the table of exercises she did, one row per modal, which
goes with her; nothing else is touched, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.storage import migrate
from tests.storage.test_migrations import _downgrade, _insert_coachee, empty_engine  # noqa: F401

WHEN = "2026-03-02 08:00:00"
INSERT = (
    "INSERT INTO nerves_exercise (team_id, coachee_id, checkin_id, exercise_id, helped,"
    f" view_id, done_at) VALUES ('T1', 1, NULL, 'long-exhale', :helped, :view, '{WHEN}')"
)


def test_0010_adds_the_offer_and_her_answers_and_goes_down_cleanly(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, "0009")
    with empty_engine.begin() as c:
        _insert_coachee(c, WHEN)
    migrate.upgrade(empty_engine, "0010")
    with empty_engine.begin() as c:
        # Everyone already there is offered the exercise, and keeps her stories setting.
        assert tuple(c.execute(sa.text("SELECT nerves_on, stories_on FROM coachee")).one()) in (
            (True, True),
            (1, 1),
        )
        c.execute(sa.text(INSERT), {"helped": "yes", "view": "V1"})
        c.execute(sa.text(INSERT), {"helped": None, "view": "V2"})  # Done, no answer
        with pytest.raises(sa.exc.IntegrityError), c.begin_nested():  # one row per modal
            c.execute(sa.text(INSERT), {"helped": "yes", "view": "V1"})
        c.execute(sa.text("DELETE FROM coachee WHERE id = 1"))  # she goes: her answers go
        assert c.execute(sa.text("SELECT count(*) FROM nerves_exercise")).scalar() == 0
    _downgrade(empty_engine, "0009")
    inspector = sa.inspect(empty_engine)
    assert "nerves_exercise" not in inspector.get_table_names()
    assert "nerves_on" not in {col["name"] for col in inspector.get_columns("coachee")}
    assert "stories_on" in {col["name"] for col in inspector.get_columns("coachee")}
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
