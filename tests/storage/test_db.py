"""The units of work: sessions that write, the dispatcher's bare transactions, and reads for
paths that only render."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.models import Coachee
from bot.storage import coachees
from bot.storage.db import WriteInRead
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


@pytest.mark.parametrize("write", ["insert", "update", "delete"])
def test_a_read_refuses_to_write_and_keeps_nothing(db, write):
    """On PostgreSQL a read runs in autocommit (no BEGIN and ROLLBACK round trips), where
    a write would stay: it is refused before it is sent, on either database."""
    now = datetime.now(UTC)
    row = dict(team_id="T1", slack_user_id="U1", created_at=now, updated_at=now, goal="Speak up")
    statement = {
        "insert": sa.insert(Coachee).values(**{**row, "slack_user_id": "U2"}),
        "update": sa.update(Coachee).values(goal="Lost"),
        "delete": sa.delete(Coachee),
    }[write]
    with db.session() as s:
        s.add(Coachee(**row))
    with pytest.raises(WriteInRead), db.reading() as connection:
        connection.execute(statement)
    with db.reading() as connection:
        assert coachees.coachee_row(connection, team_id="T1", slack_user_id="U2") is None
        assert coachees.coachee_row(connection, team_id="T1", slack_user_id="U1").goal == "Speak up"


def test_a_read_on_postgresql_is_its_statements_alone(db):
    """No BEGIN, no ROLLBACK: each was a round trip of its own."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite reads in a deferred transaction, which takes no lock")
    sent = []
    listener = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.reading() as connection:
            coachees.coachee_row(connection, team_id="T1", slack_user_id="U1")
            autocommit = connection.connection.dbapi_connection.autocommit
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert autocommit is True
    assert len(sent) == 1 and sent[0].lstrip().upper().startswith("SELECT")


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
