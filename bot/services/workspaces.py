"""Installs, uninstalls and revoked tokens: the lifecycle of a workspace."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.storage import workspaces
from bot.storage.db import Database

log = logging.getLogger(__name__)


class WorkspaceService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def installed(self, *, team_id: str, name: str | None) -> None:
        with self._db.session() as session:
            workspaces.upsert_workspace(session, team_id=team_id, name=name, now=self._clock.now())

    def uninstalled(self, *, team_id: str) -> None:
        """The app was removed or its token revoked: send nothing more there."""
        with self._db.session() as session:
            workspaces.mark_uninstalled(session, team_id=team_id, now=self._clock.now())
            cancelled = workspaces.cancel_pending_checkins(session, team_id=team_id)
        log.info("workspace %s uninstalled; %d pending check-ins cancelled", team_id, cancelled)

    def first_delivery(self, *, team_id: str, request_key: str) -> bool:
        """True the first time a Slack delivery id is seen; False for Slack's retries."""
        with self._db.session() as session:
            return workspaces.record_request_once(
                session, team_id=team_id, request_key=request_key, now=self._clock.now()
            )
