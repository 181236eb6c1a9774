"""The units of work: sessions that write, the dispatcher's bare transactions, and reads for
paths that only render."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
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


def _goal_of(db, user: str) -> str | None:
    with db.reading() as connection:
        row = coachees.coachee_row(connection, team_id="T1", slack_user_id=user)
    return row.goal if row else None


def test_a_bare_transaction_commits_at_its_end_and_keeps_nothing_when_it_fails(db):
    with db.session() as s:
        s.add(Coachee(team_id="T1", slack_user_id="U1", goal="Speak up"))
    with db.transaction() as tx:
        tx.execute(sa.update(Coachee).values(goal="Ask one question"))
    assert _goal_of(db, "U1") == "Ask one question"
    with pytest.raises(RuntimeError, match="Slack went away"), db.transaction() as tx:
        tx.execute(sa.update(Coachee).values(goal="Lost"))
        raise RuntimeError("Slack went away")
    assert _goal_of(db, "U1") == "Ask one question"


def test_one_unit_of_work_at_a_time_in_a_thread(db):
    """A second one would wait on the first one's lock (SQLite) or rows (PostgreSQL)."""
    with db.transaction(), pytest.raises(RuntimeError, match="already open"), db.session():
        pass
    with db.session(), pytest.raises(RuntimeError, match="already open"), db.transaction():
        pass
    with db.transaction() as tx:  # and once closed, the next may open
        assert tx.execute(sa.select(sa.literal(1))).scalar() == 1
