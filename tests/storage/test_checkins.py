"""her_checkin: every answer to a check-in starts by reading her row (locked), the
check-in and its meeting's name, in one statement; nobody reads another's check-in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
import sqlalchemy as sa

from bot.models import Checkin, Coachee, Meeting
from bot.storage import checkins

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _world(db) -> dict[str, int]:
    """Mila with a meeting's check-in and a check-in whose meeting was removed; Priya with
    one of her own; Mila's namesake in another workspace."""
    ids = {}
    with db.session() as s:
        for team, user in (("T1", "UMILA"), ("T1", "UPRIYA"), ("T2", "UMILA")):
            person = Coachee(team_id=team, slack_user_id=user, onboarded_at=NOW)
            s.add(person)
            s.flush()
            meeting = Meeting(
                team_id=team,
                coachee_id=person.id,
                name=f"Standup of {user}",
                start_time=clock_time(9, 0),
                duration_minutes=15,
                tz="UTC",
            )
            s.add(meeting)
            s.flush()
            for name, meeting_id in ((f"{team}{user}", meeting.id), (f"{team}{user}-", None)):
                checkin = Checkin(
                    team_id=team,
                    coachee_id=person.id,
                    meeting_id=meeting_id,
                    kind="pre",
                    occurrence_start=NOW + timedelta(hours=1, minutes=len(ids)),
                    due_at=NOW,
                    send_until=NOW,
                    expires_at=NOW + timedelta(hours=1),
                )
                s.add(checkin)
                s.flush()
                ids[name] = checkin.id
    return ids


def _hers(db, checkin_id: int, team: str = "T1", user: str = "UMILA"):
    with db.session() as s:
        found = checkins.her_checkin(s, team_id=team, slack_user_id=user, checkin_id=checkin_id)
        return (
            found.coachee and (found.coachee.team_id, found.coachee.slack_user_id),
            found.checkin and found.checkin.id,
            found.meeting_name,
        )


def test_her_checkin_comes_with_her_row_and_the_meeting_s_name_in_one_statement(db):
    ids = _world(db)
    sent = []
    listener = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = _hers(db, ids["T1UMILA"])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert found == (("T1", "UMILA"), ids["T1UMILA"], "Standup of UMILA")
    assert len(sent) == 1
    # A removed meeting leaves its check-in, without a name.
    assert _hers(db, ids["T1UMILA-"]) == (("T1", "UMILA"), ids["T1UMILA-"], None)


def test_someone_else_s_checkin_or_none_finds_her_row_alone(db):
    ids = _world(db)
    for other in (ids["T1UPRIYA"], ids["T2UMILA"], 10**9):
        assert _hers(db, other) == (("T1", "UMILA"), None, None)
    assert _hers(db, ids["T1UMILA"], user="UNOBODY") == (None, None, None)
    namesake = _hers(db, ids["T2UMILA"], team="T2")
    assert namesake == (("T2", "UMILA"), ids["T2UMILA"], "Standup of UMILA")


def test_her_row_stays_locked_until_the_first_answer_commits(db):
    """A double click: the second answer waits for the first (PostgreSQL row lock)."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE instead")
    ids = _world(db)
    took = []

    def second():
        took.append(("second reads", _hers(db, ids["T1UMILA"])[1], time.monotonic()))

    with db.session() as s:
        checkins.her_checkin(s, team_id="T1", slack_user_id="UMILA", checkin_id=ids["T1UMILA"])
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.5)
        assert took == []  # still waiting for her row
        released = time.monotonic()
    waiting.join(timeout=10)
    assert took and took[0][1] == ids["T1UMILA"] and took[0][2] >= released
