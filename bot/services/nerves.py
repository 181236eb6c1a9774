"""Settle your nerves: which exercise to offer her, and what she said about it.

Offered, never pushed: the button sits in the pre-meeting DM she gets anyway (no DM of
its own, no reminder), only while her setting is on, and never while she is on a break.
Her answers stay hers; they only decide what she is offered next (bot.domain.nerves).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.nerves import Done, Exercise, ExerciseLibrary, Helped, Why, pick_exercise
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted, onboarded_coachee
from bot.services.planner import is_paused
from bot.storage import checkins, coachees
from bot.storage import nerves as store
from bot.storage.db import Database


class NervesOff(Exception):
    """She turned the offer off in her settings."""


class OnBreak(Exception):
    """She is paused: nothing is asked of her."""


@dataclass(frozen=True)
class Offer:
    exercise: Exercise
    why: Why


class NervesService:
    def __init__(self, db: Database, clock: Clock, library: ExerciseLibrary):
        self._db = db
        self._clock = clock
        self._library = library

    @property
    def library(self) -> ExerciseLibrary:
        return self._library

    def offer(self, *, team_id: str, user_id: str, checkin_id: int) -> Offer:
        """The exercise for her now, from her pre-meeting check-in's button.

        Raises NotStarted, OnBreak, NervesOff, or CheckinClosed("unknown") when the
        check-in isn't hers (a forged click)."""
        with self._db.session() as session:
            coachee = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id)
            if coachee is None or coachee.onboarded_at is None:
                raise NotStarted()
            self._her_checkin(session, coachee, team_id, checkin_id)
            if is_paused(coachee, self._clock.now()):
                raise OnBreak()
            if not coachee.nerves_on:
                raise NervesOff()
            history = [
                Done(row.exercise_id, Helped(row.helped) if row.helped else None)
                for row in store.done_by(session, coachee_id=coachee.id)
            ]
        pick = pick_exercise(self._library.ids, history)
        return Offer(self._library.get(pick.exercise_id), pick.why)

    def done(
        self,
        *,
        team_id: str,
        user_id: str,
        checkin_id: int,
        exercise_id: str,
        helped: Helped | None,
        view_id: str,
    ) -> bool:
        """She pressed "Done" (with an answer to "Did it help?" or none). False if this
        modal was recorded already. Raises NotStarted, ValueError for an exercise not in
        the content, CheckinClosed("unknown") for a check-in that isn't hers."""
        if self._library.get(exercise_id) is None:
            raise ValueError("not one of the exercises")
        if not view_id or len(view_id) > 32:
            raise ValueError("not a modal's id")
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            self._her_checkin(session, coachee, team_id, checkin_id)
            return store.record_done(
                session,
                team_id=team_id,
                coachee_id=coachee.id,
                checkin_id=checkin_id,
                exercise_id=exercise_id,
                helped=helped.value if helped else None,
                view_id=view_id,
                now=self._clock.now(),
            )

    @staticmethod
    def _her_checkin(session, coachee, team_id: str, checkin_id: int) -> None:
        checkin = checkins.get_checkin(session, checkin_id=checkin_id)
        if checkin is None or checkin.coachee_id != coachee.id or checkin.team_id != team_id:
            raise CheckinClosed("unknown")
