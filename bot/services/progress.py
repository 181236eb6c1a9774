"""Progress she can see: where she started, where she is, wins, streak, confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import progress
from bot.domain.efficacy import Growth
from bot.domain.ladder import Challenge, Ladder
from bot.domain.progress import PracticeRecord, WeekConfidence
from bot.services.coaching import ChallengeCard, NotStarted
from bot.services.efficacy import Thresholds, check_points, growth_of
from bot.storage import attempts, coachees
from bot.storage import efficacy as checks
from bot.storage.db import Database

WEEKS_SHOWN = 8


@dataclass(frozen=True)
class Progress:
    goal: str
    start_step: int
    start_step_name: str
    step: int
    step_name: str
    top: int
    challenge: Challenge
    wins: int
    practised: int
    streak: int
    weeks: list[WeekConfidence]
    paused_until: datetime | None
    # Her self-efficacy check: the mean and its change (None before her first answers),
    # and each answered check's (when, mean) for the chart.
    growth: Growth | None = None
    checks: list[tuple[datetime, float]] = field(default_factory=list)

    @property
    def card(self) -> ChallengeCard:
        """Today's challenge, as her challenge card shows it."""
        return ChallengeCard(self.step, self.step_name, self.top, self.challenge)


class ProgressService:
    def __init__(self, db: Database, clock: Clock, ladder: Ladder):
        self._db = db
        self._clock = clock
        self._ladder = ladder
        self._thresholds = Thresholds(clock)

    def progress(
        self, *, team_id: str, user_id: str, weeks: int | None = WEEKS_SHOWN
    ) -> Progress | None:
        """None for someone who hasn't started. Only read and shown, so read as plain
        rows: /voice progress and every Home tab open come here."""
        with self._db.reading() as connection:
            coachee = coachees.coachee_row_with_flags(
                connection, team_id=team_id, slack_user_id=user_id
            )
            if coachee is None or coachee.onboarded_at is None:
                return None
            history = attempts.all_attempts(connection, coachee_id=coachee.id)
            pauses = (
                coachees.pause_rows(connection, coachee_id=coachee.id) if coachee.has_pauses else []
            )
            answered = (
                checks.answered_checks(connection, coachee_id=coachee.id)
                if coachee.has_answered_checks
                else []
            )
            growth = (
                growth_of(answered, self._thresholds.of(connection, team_id=team_id))
                if answered
                else None
            )
        tz = _zone(coachee.tz)
        now = self._clock.now()
        today = now.astimezone(tz).date()
        records = _records(history)
        paused_weeks = _paused_weeks(pauses, tz, now)
        step, challenge = self._ladder.current(coachee.current_step, coachee.current_challenge_id)
        start = self._ladder.step(self._ladder.clamp(coachee.start_step or step.number))
        return Progress(
            goal=coachee.goal or "",
            start_step=start.number,
            start_step_name=start.name,
            step=step.number,
            step_name=step.name,
            top=self._ladder.top,
            challenge=challenge,
            wins=progress.wins(records),
            practised=sum(r.happened for r in records),
            streak=progress.current_streak(records, tz=tz, today=today, paused_weeks=paused_weeks),
            weeks=progress.weekly_confidence(records, tz=tz, today=today, weeks=weeks),
            paused_until=coachee.paused_until,
            growth=growth,
            checks=check_points(answered),
        )

    def require(self, *, team_id: str, user_id: str, weeks: int | None = WEEKS_SHOWN) -> Progress:
        result = self.progress(team_id=team_id, user_id=user_id, weeks=weeks)
        if result is None:
            raise NotStarted()
        return result


def _records(history) -> list[PracticeRecord]:
    return [
        PracticeRecord(
            occurred_at=a.occurred_at,
            happened=a.outcome != "did_not_happen",
            win=a.outcome == "did_it",
            confidence_before=a.confidence_before,
            confidence_after=a.confidence_after,
        )
        for a in history
    ]


def _paused_weeks(pauses, tz: ZoneInfo, now: datetime) -> frozenset:
    return frozenset(
        progress.week_start(instant, tz)
        for p in pauses
        for instant in _weekly_instants(p.starts_at, p.ends_at or now)
    )


def streak_of(
    session, coachee, now: datetime, *, exclude_attempt_id: int, history: list
) -> tuple[int, int]:
    """Her streak without one attempt and with it: did that attempt cross a milestone?
    (``history``: all her attempts, ``attempts.all_attempts``.)"""
    tz = _zone(coachee.tz)
    paused = _paused_weeks(coachees.pause_rows(session, coachee_id=coachee.id), tz, now)
    today = now.astimezone(tz).date()

    def streak(rows) -> int:
        return progress.current_streak(_records(rows), tz=tz, today=today, paused_weeks=paused)

    return streak([a for a in history if a.id != exclude_attempt_id]), streak(history)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # an unknown or malformed zone name
        return ZoneInfo("UTC")


def _weekly_instants(start: datetime, end: datetime):
    """One instant in every week a pause touches (a pause of a whole week covers it)."""
    from datetime import timedelta

    instant = start
    while instant <= end:
        yield instant
        instant += timedelta(days=7)
    yield end
