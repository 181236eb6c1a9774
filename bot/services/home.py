"""What her App Home shows."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage import coachees
from bot.storage.db import Database


@dataclass(frozen=True)
class HomeState:
    onboarded: bool


class HomeService:
    def __init__(self, db: Database):
        self._db = db

    def state(self, *, team_id: str, user_id: str) -> HomeState:
        with self._db.session() as session:
            coachee = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id)
            return HomeState(onboarded=coachee is not None and coachee.onboarded_at is not None)
