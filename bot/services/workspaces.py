"""Installs, uninstalls and revoked tokens: the lifecycle of a workspace.

An uninstall (or a revoked bot token) stops all sending at once. The workspace's
data is kept for a grace period (30 days) so that a reinstall resumes where it
left off; after that it is deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from bot.clock import Clock
from bot.models import (
    Attempt,
    Buddy,
    CalendarFeed,
    CalendarOccurrence,
    Celebration,
    Checkin,
    Cheer,
    Coachee,
    Meeting,
    Pause,
    ProcessedRequest,
    RateLimit,
    RoundupSubscription,
    Workspace,
)
from bot.services.planner import replan_coachee
from bot.storage import calendars, meetings, workspaces
from bot.storage.db import Database

log = logging.getLogger(__name__)

GRACE = timedelta(days=30)
# Children first, so deleting works whether or not the database cascades.
TEAM_TABLES = (
    Cheer,
    Attempt,
    Checkin,
    Celebration,
    Buddy,
    Pause,
    CalendarOccurrence,
    Meeting,
    RoundupSubscription,
    ProcessedRequest,
    RateLimit,
    CalendarFeed,
    Coachee,
    Workspace,
)


class WorkspaceService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def installed(self, *, team_id: str, name: str | None) -> None:
        """Installed (or reinstalled within the grace period: check-ins are planned again)."""
        now = self._clock.now()
        with self._db.session() as session:
            before = workspaces.get_workspace(session, team_id=team_id)
            workspaces.upsert_workspace(session, team_id=team_id, name=name, now=now)
            if before is not None and before.uninstalled_at is not None:
                people = session.exec(select(Coachee).where(Coachee.team_id == team_id)).all()
                for coachee in people:
                    rows = meetings.list_meetings(session, coachee_id=coachee.id)
                    replan_coachee(session, coachee, rows, now=now)
                log.info("workspace %s reinstalled; %d people re-planned", team_id, len(people))

    def uninstalled(self, *, team_id: str) -> None:
        """The app was removed or its token revoked: send nothing more there, and forget its
        calendar links at once (they are passwords); the rest waits for the grace period."""
        with self._db.session() as session:
            workspaces.mark_uninstalled(session, team_id=team_id, now=self._clock.now())
            cancelled = workspaces.cancel_pending_checkins(session, team_id=team_id)
            links = calendars.delete_team_feeds(session, team_id=team_id)
        log.info(
            "workspace %s uninstalled; %d pending check-ins cancelled, %d calendar links deleted",
            team_id,
            cancelled,
            links,
        )

    def purge_uninstalled(self) -> list[str]:
        """Delete every row of workspaces uninstalled longer than the grace period."""
        cutoff = self._clock.now() - GRACE
        with self._db.session() as session:
            teams = session.exec(
                select(Workspace.team_id).where(Workspace.uninstalled_at < cutoff)
            ).all()
            for team_id in teams:
                for model in TEAM_TABLES:
                    session.execute(sa.delete(model).where(model.team_id == team_id))
        for team_id in teams:
            log.info("workspace %s: data deleted after the %d-day grace", team_id, GRACE.days)
        return list(teams)

    def first_delivery(self, *, team_id: str, request_key: str) -> bool:
        """True the first time a Slack delivery id is seen; False for Slack's retries."""
        with self._db.session() as session:
            return workspaces.record_request_once(
                session, team_id=team_id, request_key=request_key, now=self._clock.now()
            )
