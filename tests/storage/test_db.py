"""The units of work: sessions that write, and reads for paths that only render."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.models import Coachee
from bot.storage import coachees
from tests.support.writer import writing


def test_a_read_that_only_renders_does_not_wait_for_a_writer(db):
    """On SQLite a session takes the write lock at BEGIN; a render must not queue behind
    it (a Home tab or a progress reply waiting on someone's logged meeting)."""
    with db.session() as s:
        s.add(Coachee(team_id="T1", slack_user_id="U1", goal="Speak up"))
    with writing(db, sa.update(Coachee).values(goal="Ask one question")):
        done = threading.Event()
        seen = []

        def read() -> None:
            with db.reading() as connection:
                seen.append(coachees.coachee_row(connection, team_id="T1", slack_user_id="U1"))
            done.set()

        threading.Thread(target=read, daemon=True).start()
        # Before the writer commits: the read ends, and sees what was committed.
        assert done.wait(3), "the read waited for the writer"
        assert seen[0].goal == "Speak up"


def test_a_read_commits_nothing(db):
    with db.reading() as connection:
        now = datetime.now(UTC)
        row = dict(team_id="T1", slack_user_id="U1", created_at=now, updated_at=now)
        connection.execute(sa.insert(Coachee).values(**row))
    with db.reading() as connection:
        assert coachees.coachee_row(connection, team_id="T1", slack_user_id="U1") is None
