"""Her answers to check-ins: confidence before, skip, and how it went after.

Every answer is taken once: a conditional update decides the single winner of
a double click, a Slack retry or two processes handling the same click, and the
attempt row's unique check-in id backs it up.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import select

from bot.clock import Clock
from bot.domain.attempts import Felt, Outcome
from bot.domain.plans import PlanFired, PlanSource, suggested_plan
from bot.models import Attempt, Checkin, CheckinKind, CheckinStatus
from bot.services.coaching import ChallengeCard, CoachingService, Offer
from bot.storage import attempts, checkins, plans
from bot.storage.db import Database


class CheckinClosed(Exception):
    """Not hers, already answered, or past the time it takes answers."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why  # answered | expired | unknown


@dataclass(frozen=True)
class CheckinState:
    checkin_id: int
    kind: str
    meeting_name: str
    card: ChallengeCard
    confidence: int | None = None
    outcome: Outcome | None = None
    detailed: bool = False
    skipped: bool = False
    attempt_id: int | None = None
    # Her if-then plan: before the meeting, the one she fixed (or the suggestion for
    # today's challenge); after it, the one she made and whether it fired.
    plan: str | None = None
    suggested_plan: str | None = None
    plan_fired: PlanFired | None = None
    # Before the meeting: the "Settle your nerves" offer, while her setting is on.
    nerves: bool = False


@dataclass(frozen=True)
class Details:
    felt: Felt
    confidence_after: int | None
    reflection: str | None


class CheckinService:
    def __init__(self, db: Database, clock: Clock, coaching: CoachingService):
        self._db = db
        self._clock = clock
        self._coaching = coaching

    def pre_confidence(
        self, *, team_id: str, user_id: str, checkin_id: int, confidence: int
    ) -> CheckinState:
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.PRE
            )
            checkin.confidence = confidence
            return self._state(session, checkin, coachee, name)

    def swap_challenge(self, *, team_id: str, user_id: str, checkin_id: int) -> CheckinState:
        """Another challenge of the same size, for her and for this check-in, at once."""
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.PRE
            )
            checkin.challenge_id = self._coaching.swap_for(coachee).challenge.id
            return self._state(session, checkin, coachee, name)

    def skip(self, *, team_id: str, user_id: str, checkin_id: int) -> CheckinState:
        """Skip this meeting: no post check-in for it, nothing recorded against her."""
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.PRE
            )
            checkin.status = CheckinStatus.SKIPPED
            checkin.answered_at = self._clock.now()
            session.execute(
                sa.update(Checkin)
                .where(
                    Checkin.meeting_id == checkin.meeting_id,
                    Checkin.occurrence_start == checkin.occurrence_start,
                    Checkin.kind == CheckinKind.POST,
                    Checkin.status == CheckinStatus.PENDING,
                )
                .values(status=CheckinStatus.SKIPPED)
            )
            return self._state(session, checkin, coachee, name)

    def post_outcome(
        self, *, team_id: str, user_id: str, checkin_id: int, outcome: Outcome
    ) -> CheckinState:
        """How it went. Recorded once; "didn't happen" changes nothing on the ladder."""
        now = self._clock.now()
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.POST
            )
            won = session.execute(
                sa.update(Checkin)
                .where(Checkin.id == checkin.id, Checkin.status == CheckinStatus.SENT)
                .values(status=CheckinStatus.ANSWERED, answered_at=now)
            ).rowcount
            if won != 1:
                raise CheckinClosed("answered")
            session.refresh(checkin)
            checkins.cancel_pending(session, coachee_id=coachee.id, kinds=[CheckinKind.REMINDER])
            challenge = self._coaching.ladder.challenge(
                checkin.challenge_id
                if self._coaching.ladder.has_challenge(checkin.challenge_id or "")
                else coachee.current_challenge_id
            )
            attempts.add_attempt(
                session,
                Attempt(
                    team_id=team_id,
                    coachee_id=coachee.id,
                    checkin_id=checkin.id,
                    meeting_id=checkin.meeting_id,
                    source="scheduled",
                    meeting_name=name,
                    step=challenge.step,
                    challenge_id=challenge.id,
                    outcome=outcome,
                    confidence_before=self._pre_confidence(session, checkin),
                    occurred_at=checkin.occurrence_start,
                    recorded_at=now,
                ),
            )
            return self._state(session, checkin, coachee, name)

    def post_details(
        self, *, team_id: str, user_id: str, checkin_id: int, details: Details
    ) -> tuple[CheckinState, Offer | None]:
        """How it felt, confidence now, a line for herself; then the policy has its say."""
        with self._db.session() as session:
            checkin, coachee, name = self._hers(session, team_id, user_id, checkin_id)
            attempt = session.exec(select(Attempt).where(Attempt.checkin_id == checkin.id)).first()
            if attempt is None or checkin.kind != CheckinKind.POST:
                raise CheckinClosed("unknown")
            if attempt.felt is not None:
                raise CheckinClosed("answered")
            if self._clock.now() >= checkin.expires_at:
                raise CheckinClosed("expired")
            attempt.felt = details.felt
            attempt.confidence_after = details.confidence_after
            attempt.reflection = details.reflection
            session.flush()
            offer = None
            if attempt.outcome != Outcome.DID_NOT_HAPPEN:
                history = attempts.all_attempts(session, coachee_id=coachee.id)
                offer = self._coaching.offer_after(session, coachee, history)
            return self._state(session, checkin, coachee, name), offer

    def make_plan(
        self, *, team_id: str, user_id: str, checkin_id: int, own: str | None = None
    ) -> CheckinState:
        """Her if-then plan for this meeting: the suggestion for today's challenge, or
        ``own`` (already cleaned by bot.domain.plans.clean_own_plan). A second one
        replaces the first: she may change her mind until the meeting starts."""
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.PRE
            )
            challenge = self._state(session, checkin, coachee, name).card.challenge
            text = own if own is not None else suggested_plan(challenge)
            if not text:
                raise CheckinClosed("unknown")
            plans.save_plan(
                session,
                team_id=team_id,
                coachee_id=coachee.id,
                checkin_id=checkin.id,
                challenge_id=challenge.id,
                text=text,
                source=PlanSource.OWN if own is not None else PlanSource.SUGGESTED,
                now=self._clock.now(),
            )
            return self._state(session, checkin, coachee, name)

    def plan_draft(
        self, *, team_id: str, user_id: str, checkin_id: int
    ) -> tuple[str | None, str | None]:
        """For her to write a plan: today's suggestion, and her plan so far (or None)."""
        with self._db.session() as session:
            checkin, coachee, name = self._open(
                session, team_id, user_id, checkin_id, CheckinKind.PRE
            )
            state = self._state(session, checkin, coachee, name)
            return state.suggested_plan, state.plan

    def plan_fired(
        self, *, team_id: str, user_id: str, checkin_id: int, fired: PlanFired
    ) -> CheckinState:
        """After the meeting: did her plan fire? Taken once, while the check-in is open."""
        with self._db.session() as session:
            checkin, coachee, name = self._hers(session, team_id, user_id, checkin_id)
            if checkin.kind != CheckinKind.POST:
                raise CheckinClosed("unknown")
            if self._clock.now() >= checkin.expires_at:
                raise CheckinClosed("expired")
            plan = plans.plan_for_occurrence(
                session,
                coachee_id=coachee.id,
                meeting_id=checkin.meeting_id,
                occurrence_start=checkin.occurrence_start,
            )
            if plan is None:
                raise CheckinClosed("unknown")
            if not plans.mark_fired(session, plan_id=plan.id, fired=fired, now=self._clock.now()):
                raise CheckinClosed("answered")
            session.refresh(plan)
            return self._state(session, checkin, coachee, name)

    def message_of(self, *, team_id: str, user_id: str, checkin_id: int) -> tuple[str, str] | None:
        """Where her check-in DM is (channel, ts), to update it in place."""
        with self._db.session() as session:
            checkin, _, _ = self._hers(session, team_id, user_id, checkin_id)
            if checkin.channel_id and checkin.message_ts:
                return checkin.channel_id, checkin.message_ts
            return None

    # -- inside ------------------------------------------------------------------------

    def _hers(self, session, team_id: str, user_id: str, checkin_id: int):
        """Her check-in, her row (locked) and the meeting's name to show, in one read."""
        coachee, checkin, name = checkins.her_checkin(
            session, team_id=team_id, slack_user_id=user_id, checkin_id=checkin_id
        )
        coachee = self._coaching.as_onboarded(coachee)
        if checkin is None:
            raise CheckinClosed("unknown")
        return checkin, coachee, name or "your meeting"

    def _open(self, session, team_id, user_id, checkin_id, kind):
        checkin, coachee, name = self._hers(session, team_id, user_id, checkin_id)
        if checkin.kind != kind:
            raise CheckinClosed("unknown")
        if checkin.status != CheckinStatus.SENT:
            raise CheckinClosed("answered")
        if self._clock.now() >= checkin.expires_at:
            raise CheckinClosed("expired")
        return checkin, coachee, name

    def _state(self, session, checkin: Checkin, coachee, name: str) -> CheckinState:
        card = self._coaching.card_of(coachee)
        if checkin.kind == CheckinKind.PRE and self._coaching.ladder.has_challenge(
            checkin.challenge_id or ""
        ):
            challenge = self._coaching.ladder.challenge(checkin.challenge_id)
            card = ChallengeCard(card.step, card.step_name, card.top, challenge)
        attempt = None  # only a post check-in's answer records an attempt
        if checkin.kind == CheckinKind.POST:
            attempt = session.exec(select(Attempt).where(Attempt.checkin_id == checkin.id)).first()
            plan = plans.plan_for_occurrence(
                session,
                coachee_id=coachee.id,
                meeting_id=checkin.meeting_id,
                occurrence_start=checkin.occurrence_start,
            )
        else:
            plan = plans.plan_shown(session, checkin_id=checkin.id)
        return CheckinState(
            checkin_id=checkin.id,
            kind=checkin.kind,
            meeting_name=name,
            card=card,
            confidence=checkin.confidence,
            outcome=Outcome(attempt.outcome) if attempt else None,
            detailed=attempt is not None and attempt.felt is not None,
            skipped=checkin.status == CheckinStatus.SKIPPED,
            attempt_id=attempt.id if attempt else None,
            plan=plan.text if plan else None,
            suggested_plan=suggested_plan(card.challenge)
            if checkin.kind == CheckinKind.PRE
            else None,
            plan_fired=PlanFired(plan.fired) if plan and plan.fired else None,
            nerves=checkin.kind == CheckinKind.PRE and coachee.nerves_on,
        )

    def _pre_confidence(self, session, post: Checkin) -> int | None:
        pre = session.exec(
            select(Checkin).where(
                Checkin.meeting_id == post.meeting_id,
                Checkin.occurrence_start == post.occurrence_start,
                Checkin.kind == CheckinKind.PRE,
            )
        ).first()
        return pre.confidence if pre else None
