"""Installs, uninstalls and revoked tokens: the lifecycle of a workspace.

An uninstall (or a revoked bot token) stops all sending at once and deletes the
workspace's tokens. Its data is kept for a grace period (30 days) so that a reinstall
resumes where it left off; after that it is deleted.

A workspace's ``team_id`` is its installation key: the workspace id, or for an org-wide
(Enterprise Grid) install the enterprise id (see bot.models.Workspace).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

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
    EfficacyCheck,
    IfThenPlan,
    Meeting,
    NervesExercise,
    Pause,
    ProcessedRequest,
    RateLimit,
    RoundupSubscription,
    SharedStory,
    Workspace,
)
from bot.services.planner import replan_coachee
from bot.storage import calendars, meetings, workspaces
from bot.storage.db import Database

log = logging.getLogger(__name__)

# How long an uninstalled workspace's data is kept (the privacy page says so too).
GRACE = timedelta(days=30)
# Children first, so deleting works whether or not the database cascades.
TEAM_TABLES = (
    Cheer,
    SharedStory,
    NervesExercise,
    IfThenPlan,
    Attempt,
    Checkin,
    Celebration,
    Buddy,
    Pause,
    CalendarOccurrence,
    Meeting,
    RoundupSubscription,
    EfficacyCheck,
    ProcessedRequest,
    RateLimit,
    CalendarFeed,
    Coachee,
    Workspace,
)


class InstalledTokens(Protocol):
    """The workspaces' stored tokens (many-workspace mode; bot.slack.tokens)."""

    def delete_tokens(self, session, *, team_id: str) -> int: ...

    def forget(self, *, team_id: str) -> None: ...


class WorkspaceService:
    def __init__(self, db: Database, clock: Clock, tokens: InstalledTokens | None = None):
        self._db = db
        self._clock = clock
        self._tokens = tokens

    def installed(
        self,
        *,
        team_id: str,
        name: str | None,
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
    ) -> None:
        """Installed (or reinstalled within the grace period: check-ins are planned again).
        An org-wide install's ``team_id`` is its enterprise id."""
        now = self._clock.now()
        with self._db.session() as session:
            before = workspaces.get_workspace(session, team_id=team_id)
            workspaces.upsert_workspace(
                session,
                team_id=team_id,
                name=name,
                now=now,
                enterprise_id=enterprise_id,
                is_enterprise_install=is_enterprise_install,
            )
            if before is not None and before.uninstalled_at is not None:
                people = session.exec(select(Coachee).where(Coachee.team_id == team_id)).all()
                for coachee in people:
                    rows = meetings.list_meetings(session, coachee_id=coachee.id)
                    replan_coachee(session, coachee, rows, now=now)
                log.info("workspace %s reinstalled; %d people re-planned", team_id, len(people))
        if self._tokens is not None:
            self._tokens.forget(team_id=team_id)

    def key_of(
        self, *, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool
    ) -> str | None:
        """The installation key an event names. Slack's app_uninstalled for an org-wide
        install can arrive without ``authorizations``, naming one workspace of the org and
        not saying it is org-wide: then the org's install is meant, unless that workspace
        has an install of its own."""
        if is_enterprise_install:
            return enterprise_id
        if enterprise_id is None or team_id is None:
            return team_id
        with self._db.session() as session:
            if workspaces.get_workspace(session, team_id=team_id) is not None:
                return team_id
            org = workspaces.get_workspace(session, team_id=enterprise_id)
        return enterprise_id if org is not None and org.is_enterprise_install else team_id

    def uninstalled(self, *, team_id: str) -> None:
        """The app was removed or its token revoked: send nothing more there, and forget its
        tokens and calendar links at once (they are passwords); the rest waits for the
        grace period. Every other workspace, even of the same org, is left as it is."""
        tokens = 0
        with self._db.session() as session:
            workspaces.mark_uninstalled(session, team_id=team_id, now=self._clock.now())
            cancelled = workspaces.cancel_pending_checkins(session, team_id=team_id)
            links = calendars.delete_team_feeds(session, team_id=team_id)
            if self._tokens is not None:
                tokens = self._tokens.delete_tokens(session, team_id=team_id)
        log.info(
            "workspace %s uninstalled; %d pending check-ins cancelled, %d calendar links and "
            "%d token rows deleted",
            team_id,
            cancelled,
            links,
            tokens,
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
                if self._tokens is not None:  # gone at uninstall already; and any since
                    self._tokens.delete_tokens(session, team_id=team_id)
        for team_id in teams:
            log.info("workspace %s: data deleted after the %d-day grace", team_id, GRACE.days)
        return list(teams)

    def first_delivery(self, *, team_id: str, request_key: str) -> bool:
        """True the first time a Slack delivery id is seen; False for Slack's retries."""
        with self._db.transaction() as connection:
            return workspaces.record_request_once(
                connection, team_id=team_id, request_key=request_key, now=self._clock.now()
            )
