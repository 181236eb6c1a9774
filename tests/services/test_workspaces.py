"""Uninstall: sending stops at once; a reinstall within 30 days resumes; after that
the workspace's data is deleted, and no other workspace's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from bot.content import load_ladder
from bot.domain.placement import SelfPlacement
from bot.models import CalendarFeed, Checkin, Coachee, Meeting, Workspace
from bot.services.coaching import CoachingService, OnboardingAnswers
from bot.services.meetings import MeetingInput, MeetingService
from bot.services.workspaces import WorkspaceService
from bot.storage import calendars
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _team(db, clock, team_id: str) -> None:
    WorkspaceService(db, clock).installed(team_id=team_id, name=team_id)
    answers = OnboardingAnswers("Speak up", SelfPlacement.WHEN_ASKED, 50, False, None)
    CoachingService(db, clock, load_ladder()).start(
        team_id=team_id, user_id="U1", answers=answers, tz="UTC"
    )
    MeetingService(db, clock).add(
        team_id=team_id,
        user_id="U1",
        meeting=MeetingInput("Sync", 0b11111, None, time(10, 0), 30, "UTC"),
    )


def _connect_a_calendar(db, clock, team_id: str) -> None:
    with db.session() as s:
        coachee = s.exec(select(Coachee).where(Coachee.team_id == team_id)).one()
        calendars.save_feed(
            s,
            team_id=team_id,
            coachee_id=coachee.id,
            url_sealed="sealed-link",
            host="calendar.example",
            now=clock.now(),
        )


def _pending(db, team_id: str) -> int:
    with db.session() as s:
        rows = s.exec(select(Checkin).where(Checkin.team_id == team_id)).all()
    return sum(1 for c in rows if c.status == "pending")


def test_uninstall_stops_sending_reinstall_resumes_and_data_goes_after_30_days(db):
    clock = FakeClock(NOW)
    service = WorkspaceService(db, clock)
    _team(db, clock, "T1")
    _team(db, clock, "T2")
    assert _pending(db, "T1") > 0
    _connect_a_calendar(db, clock, "T1")
    _connect_a_calendar(db, clock, "T2")
    service.uninstalled(team_id="T1")
    assert _pending(db, "T1") == 0 and _pending(db, "T2") > 0
    with db.session() as s:  # her calendar link is a password: gone at once, not in 30 days
        assert {f.team_id for f in s.exec(select(CalendarFeed)).all()} == {"T2"}

    clock.instant = NOW + timedelta(days=10)
    service.installed(team_id="T1", name="T1")  # back within the grace period
    assert _pending(db, "T1") > 0

    service.uninstalled(team_id="T1")
    clock.instant = NOW + timedelta(days=39)
    assert service.purge_uninstalled() == []  # 29 days since the uninstall
    clock.instant = NOW + timedelta(days=41)
    assert service.purge_uninstalled() == ["T1"]
    with db.session() as s:
        for model in (Workspace, Coachee, Meeting, Checkin, CalendarFeed):
            teams = {row.team_id for row in s.exec(select(model)).all()}
            assert teams == {"T2"}, model.__name__
