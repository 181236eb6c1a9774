"""Coaching: onboarding, today's challenge, recording attempts, offers of another step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock, Fresh
from bot.domain import difficulty
from bot.domain.attempts import AttemptResult, Felt, Outcome
from bot.domain.ladder import KINDS, Challenge, Ladder
from bot.domain.placement import SelfPlacement, estimate_skill
from bot.domain.progression import Move, Reason, recommend
from bot.models import Attempt, Coachee
from bot.storage import attempts, coachees, ratings
from bot.storage.db import Database

if TYPE_CHECKING:  # it imports this module
    from bot.services.celebrations import CelebrationService, CelebrationView

# Her profile after her newest attempt, and the pool it was fitted against (as updated).
Fitted = tuple[difficulty.Profile, dict[str, difficulty.Rating]]
# How old everyone's start estimates may be when her profile is read against them.
POPULATION_FRESH = timedelta(minutes=1)


def _own_estimate(placement: str | None, confidence: int | None, step: int | None) -> float:
    """Her estimate of herself at the start: her answers, or the step she started on."""
    if placement and confidence is not None:
        return estimate_skill(SelfPlacement(placement), confidence)
    return float(step or 1)


class NotStarted(Exception):
    """She hasn't run /voice start yet."""


class StaleOffer(Exception):
    """The offer was already answered (or replaced by a newer one)."""


@dataclass(frozen=True)
class OnboardingAnswers:
    goal: str
    placement: SelfPlacement
    confidence: int
    share_wins: bool
    share_channel_id: str | None


@dataclass(frozen=True)
class ChallengeCard:
    step: int
    step_name: str
    top: int
    challenge: Challenge


@dataclass(frozen=True)
class Started:
    card: ChallengeCard
    first_time: bool
    answers: OnboardingAnswers


@dataclass(frozen=True)
class AttemptInput:
    outcome: Outcome
    felt: Felt | None
    confidence_before: int | None
    confidence_after: int | None
    reflection: str | None = None
    meeting_name: str | None = None
    challenge_id: str | None = None  # what she tried; default: her current challenge


@dataclass(frozen=True)
class Offer:
    move: Move
    reason: Reason
    from_step: int
    card: ChallengeCard  # the step and challenge offered


@dataclass(frozen=True)
class Recorded:
    attempt_id: int
    outcome: Outcome
    challenge: Challenge
    offer: Offer | None
    next_card: ChallengeCard  # her challenge after it (the policy may have re-picked)
    # What a win made, for her to share (CelebrationService.for_win), in the same
    # transaction: nothing when the service has no celebrations wired.
    celebrations: tuple[CelebrationView, ...] = ()


class CoachingService:
    """``pool_everywhere``: challenge difficulties are learned from every workspace
    together (the operator's POOL_ACROSS_WORKSPACES), not each workspace's own."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ladder: Ladder,
        *,
        pool_everywhere=False,
        celebrations: CelebrationService | None = None,
    ):
        self._db = db
        self._clock = clock
        self.ladder = ladder
        self.pool_everywhere = pool_everywhere
        self._celebrations = celebrations
        self._population = Fresh(clock, POPULATION_FRESH)

    # -- reading -------------------------------------------------------------------------

    def answers(self, *, team_id: str, user_id: str) -> OnboardingAnswers | None:
        """Her onboarding answers, to pre-fill the modal when she runs it again."""
        with self._db.session() as session:
            coachee = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id)
            if coachee is None or coachee.onboarded_at is None:
                return None
            return _answers(coachee)

    def today(self, *, team_id: str, user_id: str) -> ChallengeCard:
        """Her challenge card, only read: no lock, no write (a stale challenge id, after
        the ladder file changed, is shown as its step's first and fixed at her next
        answer), so a modal that checks it before acking never waits on a writer."""
        with self._db.reading() as connection:
            coachee = coachees.coachee_row(connection, team_id=team_id, slack_user_id=user_id)
        if coachee is None or coachee.onboarded_at is None:
            raise NotStarted()
        step, challenge = self.ladder.current(coachee.current_step, coachee.current_challenge_id)
        return ChallengeCard(step.number, step.name, self.ladder.top, challenge)

    # -- onboarding ----------------------------------------------------------------------

    def start(self, *, team_id: str, user_id: str, answers: OnboardingAnswers, tz: str) -> Started:
        """Place her on the ladder, or, when she runs it again, update her answers."""
        now = self._clock.now()
        with self._db.session() as session:
            coachee = coachees.get_or_create_coachee(
                session, team_id=team_id, slack_user_id=user_id, now=now
            )
            first_time = coachee.onboarded_at is None
            coachee.goal = answers.goal
            coachee.self_placement = answers.placement
            coachee.share_wins = answers.share_wins
            coachee.share_channel_id = answers.share_channel_id if answers.share_wins else None
            coachee.tz = tz
            coachee.updated_at = now
            coachee.start_confidence = answers.confidence
            if first_time:
                # Her own estimate places her; the pool's difficulties are the prior.
                estimate = estimate_skill(answers.placement, answers.confidence)
                step, challenge_id = difficulty.place(
                    estimate,
                    [self._options(s.number) for s in self.ladder.steps],
                    self._ratings(session, team_id),
                )
                coachee.start_step = coachee.current_step = step
                coachee.current_challenge_id = challenge_id
                coachee.onboarded_at = now
            return Started(self.card_of(coachee), first_time, _answers(coachee))

    # -- choosing a challenge ------------------------------------------------------------

    def swap(self, *, team_id: str, user_id: str) -> ChallengeCard:
        """Another challenge of the same size."""
        with self._db.session() as session:
            return self.swap_for(self.onboarded(session, team_id, user_id))

    def swap_for(self, coachee: Coachee) -> ChallengeCard:
        """``swap`` for her row, already read (and locked) in the caller's transaction.
        Her choice: within this step the pool's picks leave it alone (``_repick``)."""
        step = coachee.current_step
        challenge = self.ladder.next_challenge_in_step(step, coachee.current_challenge_id)
        coachee.current_challenge_id = challenge.id
        coachee.challenge_hers = True
        coachee.updated_at = self._clock.now()
        return self.card_of(coachee)

    def shift(self, *, team_id: str, user_id: str, by: int) -> ChallengeCard:
        """Her own choice of an easier (-1) or harder (+1) step."""
        if by not in (-1, 1):
            raise ValueError("a challenge can only move one step at a time")
        with self._db.session() as session:
            coachee = self.onboarded(session, team_id, user_id)
            self._move_to(session, coachee, self.ladder.clamp(coachee.current_step + by))
            return self.card_of(coachee)

    # -- attempts and offers ---------------------------------------------------------------

    def record(self, *, team_id: str, user_id: str, entry: AttemptInput) -> Recorded:
        """Store an attempt, then ask the policy whether to offer another step."""
        now = self._clock.now()
        with self._db.session() as session:
            coachee = self.onboarded(session, team_id, user_id)
            challenge_id = entry.challenge_id or coachee.current_challenge_id
            challenge = self.ladder.challenge(challenge_id)
            attempt = attempts.add_attempt(
                session,
                Attempt(
                    team_id=team_id,
                    coachee_id=coachee.id,
                    source="logged",
                    meeting_name=entry.meeting_name,
                    step=challenge.step,
                    challenge_id=challenge.id,
                    outcome=entry.outcome,
                    felt=entry.felt,
                    confidence_before=entry.confidence_before,
                    confidence_after=entry.confidence_after,
                    reflection=entry.reflection,
                    occurred_at=now,
                    recorded_at=now,
                ),
            )
            history = attempts.all_attempts(session, coachee_id=coachee.id)
            offer = self.offer_after(session, coachee, history)
            made = ()
            if self._celebrations is not None:
                made = self._celebrations.for_win(
                    session, coachee, attempt.id, challenge.id, history
                )
            return Recorded(
                attempt_id=attempt.id,
                outcome=entry.outcome,
                challenge=challenge,
                offer=offer,
                next_card=self.card_of(coachee),
                celebrations=tuple(made),
            )

    def accept_offer(self, *, team_id: str, user_id: str, to_step: int) -> ChallengeCard:
        with self._db.session() as session:
            coachee = self.onboarded(session, team_id, user_id)
            if coachee.offer_step != to_step:
                raise StaleOffer()
            self._move_to(session, coachee, to_step)
            return self.card_of(coachee)

    def decline_offer(self, *, team_id: str, user_id: str, to_step: int) -> ChallengeCard:
        """She stays; the policy starts gathering fresh evidence before offering again."""
        with self._db.session() as session:
            coachee = self.onboarded(session, team_id, user_id)
            if coachee.offer_step != to_step:
                raise StaleOffer()
            coachee.offer_move = coachee.offer_step = None
            coachee.evidence_after_attempt_id = _last_attempt_id(session, coachee)
            coachee.updated_at = self._clock.now()
            return self.card_of(coachee)

    # -- inside ----------------------------------------------------------------------------

    def onboarded(self, session, team_id: str, user_id: str) -> Coachee:
        """Her row, locked for this transaction, if she has run /voice start; else
        NotStarted."""
        her = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id, lock=True)
        return self.as_onboarded(her)

    def as_onboarded(self, coachee: Coachee | None) -> Coachee:
        """Her row, read (and locked) by the caller, if she has run /voice start; else
        NotStarted."""
        if coachee is None or coachee.onboarded_at is None:
            raise NotStarted()
        if not self.ladder.has_challenge(coachee.current_challenge_id or ""):
            # The ladder file changed under her: keep her step, take its first challenge.
            step, challenge = self.ladder.current(coachee.current_step, None)
            coachee.current_step, coachee.current_challenge_id = step.number, challenge.id
            coachee.challenge_hers = False
        return coachee

    def card_of(self, coachee: Coachee) -> ChallengeCard:
        step = self.ladder.step(coachee.current_step)
        return ChallengeCard(
            step=step.number,
            step_name=step.name,
            top=self.ladder.top,
            challenge=self.ladder.challenge(coachee.current_challenge_id),
        )

    def _move_to(self, session, coachee: Coachee, step: int) -> None:
        if step != coachee.current_step:
            coachee.current_challenge_id = self.pick(session, coachee, step).id
            coachee.current_step = step
            coachee.challenge_hers = False
        coachee.offer_move = coachee.offer_step = None
        coachee.evidence_after_attempt_id = _last_attempt_id(session, coachee)
        coachee.updated_at = self._clock.now()

    # -- what everyone's attempts teach (bot.domain.difficulty) ------------------------------

    def _pool(self, team_id: str) -> str:
        return ratings.EVERYWHERE if self.pool_everywhere else team_id

    def _ratings(self, session, team_id: str) -> dict[str, difficulty.Rating]:
        return ratings.ratings(session, pool=self._pool(team_id))

    def _options(self, step: int) -> list[tuple[str, int, str]]:
        return [(c.id, c.step, c.kind) for c in self.ladder.step(step).challenges]

    def _seen(self, coachee: Coachee, history: list[Attempt]) -> list[difficulty.Observation]:
        """Her attempts as evidence (those the model can read), oldest first."""
        seen = []
        for a in history:
            if a.outcome and self.ladder.has_challenge(a.challenge_id):
                kind = self.ladder.challenge(a.challenge_id).kind
                seen.append(difficulty.observation(a.challenge_id, a.step, kind, a.outcome, a.felt))
        return [s for s in seen if s is not None]

    def _everyone(self, session, team_id: str) -> list[float]:
        """Everyone's estimate of herself at the start, in the pool her profile is read
        against (a minute old at most: it changes only when someone starts)."""
        team = None if self.pool_everywhere else team_id

        def work() -> list[float]:
            rows = coachees.start_answers(session, team_id=team)
            return [_own_estimate(r.self_placement, r.start_confidence, r.start_step) for r in rows]

        return self._population.get(team, work)

    def _replay(
        self, session, coachee: Coachee, history: list[Attempt], pool: dict
    ) -> difficulty.Profile:
        """Her ability and her offset per kind of challenge, replayed from her answers at
        the start (read against everyone's in her pool) and these attempts
        (``difficulty.replay``; not yet kept near her step)."""
        own = _own_estimate(
            coachee.self_placement,
            coachee.start_confidence,
            coachee.start_step or coachee.current_step,
        )
        start = difficulty.start_estimate(own, self._everyone(session, coachee.team_id))
        return difficulty.replay(self._seen(coachee, history), pool, kinds=KINDS, start=start)

    def pick(
        self, session, coachee: Coachee, step: int, *, fitted: Fitted | None = None
    ) -> Challenge:
        """Her challenge on ``step``: the one the pool and her own record say is likeliest
        to stretch her (``fitted``: her profile and the pool, when the caller has them)."""
        her, pool = fitted or (None, self._ratings(session, coachee.team_id))
        if her is None:
            history = attempts.all_attempts(session, coachee_id=coachee.id)
            her = self._replay(session, coachee, history, pool)
        chosen = difficulty.pick(
            self._options(step),
            pool,
            difficulty.near(her, step),
            current=coachee.current_challenge_id,
        )
        return self.ladder.challenge(chosen)

    def ladder_report(self) -> dict[str, list[difficulty.Misplaced]]:
        """Per pool (a workspace, or "*" for all), the challenges whose real difficulty
        puts them on another step: for whoever edits the ladder."""
        options = [o for step in self.ladder.steps for o in self._options(step.number)]
        with self._db.session() as session:
            return {
                pool: difficulty.misplaced(options, ratings.ratings(session, pool=pool))
                for pool in sorted(ratings.pools(session))
            }

    def learn(self, session, coachee: Coachee, history: list[Attempt]) -> Fitted | None:
        """Her newest attempt (the last of ``history``, all hers) moves its challenge's
        pooled difficulty (her workspace's pool, and all workspaces' when the operator
        pools them). Returns her profile after it and the pool picks read from, as it now
        is (None when it said nothing): her record is replayed once per request."""
        said = self._seen(coachee, history[-1:])
        if not said:
            return None
        seen, attempt = said[0], history[-1]
        picking = self._pool(coachee.team_id)
        known = ratings.ratings(session, pool=picking)
        # Joint fit: judged against what her own record before it (ability and this
        # kind's offset for her) predicted, so her strengths don't leak into the pool.
        # One profile, fitted against the pool picks read from, judges it in each pool.
        her = self._replay(session, coachee, history[:-1], known)
        near = difficulty.near(her, coachee.current_step or 1)
        pools = [coachee.team_id] + ([ratings.EVERYWHERE] if self.pool_everywhere else [])
        for pool in pools:
            rating = difficulty.rating_or_prior(
                known if pool == picking else ratings.ratings(session, pool=pool),
                attempt.challenge_id,
                attempt.step,
            )
            change, information = difficulty.rating_change(rating, near, seen)
            ratings.add_to_rating(
                session,
                pool=pool,
                challenge_id=attempt.challenge_id,
                prior=float(attempt.step),
                change=change,
                information=information,
            )
            if pool == picking:
                known[attempt.challenge_id] = replace(
                    rating,
                    difficulty=rating.difficulty + change,
                    attempts=rating.attempts + 1,
                    information=rating.information + information,
                )
        return difficulty.observe(her, seen, known[attempt.challenge_id]), known

    def offer_after(self, session, coachee: Coachee, history: list[Attempt]) -> Offer | None:
        """After each attempt she completes: the pool learns from it, then the policy
        says whether to offer another step. When it doesn't, and the pool and her record
        now say another challenge of her step is clearly likelier to stretch her than
        today's (by ``difficulty.REPICK_MARGIN``), that one becomes today's challenge:
        what her next check-in, Home and /voice show ("your challenge for next time").
        ``history``: all her attempts (``attempts.all_attempts``), this one last."""
        fitted = self.learn(session, coachee, history)
        after = coachee.evidence_after_attempt_id
        evidence = [
            AttemptResult(
                Outcome(a.outcome),
                Felt(a.felt) if a.felt else None,
                a.confidence_before,
                a.confidence_after,
            )
            for a in history
            if (after is None or a.id > after) and a.step == coachee.current_step
        ]
        advice = recommend(evidence, step=coachee.current_step, top=self.ladder.top)
        if advice.move is Move.STAY:
            if fitted is not None:
                self._repick(coachee, *fitted)
            return None
        to_step = coachee.current_step + (1 if advice.move is Move.UP else -1)
        coachee.offer_move, coachee.offer_step = advice.move, to_step
        step = self.ladder.step(to_step)
        card = ChallengeCard(
            step.number,
            step.name,
            self.ladder.top,
            self.pick(session, coachee, to_step, fitted=fitted),
        )
        return Offer(advice.move, advice.reason, coachee.current_step, card)

    def _repick(self, coachee: Coachee, her: difficulty.Profile, pool: dict) -> None:
        if coachee.challenge_hers:
            return  # she chose it herself: hers until her step changes
        step = coachee.current_step
        chosen = difficulty.pick(
            self._options(step),
            pool,
            difficulty.near(her, step),
            current=coachee.current_challenge_id,
            keep_within=difficulty.REPICK_MARGIN,
        )
        if chosen != coachee.current_challenge_id:
            coachee.current_challenge_id = chosen
            coachee.updated_at = self._clock.now()


def onboarded_coachee(session, *, team_id: str, user_id: str) -> Coachee:
    """Her row, locked for this transaction, if she has run /voice start; else NotStarted."""
    coachee = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id, lock=True)
    if coachee is None or coachee.onboarded_at is None:
        raise NotStarted()
    return coachee


def _answers(coachee: Coachee) -> OnboardingAnswers:
    return OnboardingAnswers(
        goal=coachee.goal or "",
        placement=SelfPlacement(coachee.self_placement),
        confidence=coachee.start_confidence or 0,
        share_wins=coachee.share_wins,
        share_channel_id=coachee.share_channel_id,
    )


def _last_attempt_id(session, coachee: Coachee) -> int | None:
    return attempts.last_attempt_id(session, coachee_id=coachee.id)
