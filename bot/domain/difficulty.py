"""How hard each challenge really is, learned from everyone who tried it.

The ladder says which step a challenge sits on; people's results say how hard it is.
Each challenge gets a *difficulty* on the ladder's own scale: the skill (in steps) at
which a person manages it about 80 % of the time, so a challenge that is exactly as
hard as its step says has difficulty equal to its step number. The model is the
logistic one the progression policy is tuned on (``bench/coaching_policy.py``):

    P(success) = 1 / (1 + exp(-(SLOPE * (ability - difficulty) + OFFSET)))

Fitted jointly and online, one attempt at a time (Elo 1978 and Glicko, Glickman
1999: the Rasch model as adaptive-learning systems fit it, Pelánek 2016):

* each challenge's *difficulty* is pooled across everyone in the pool (a ``Rating``,
  one row per challenge, one atomic update per attempt). It starts at the ladder's
  word (its step, give or take ``PRIOR_SPREAD``) and each attempt moves it by how much
  the result surprised her prediction, weighed by how sure we are of the challenge
  (its *information*, which attempts add up) and of her: an attempt by someone we
  hardly know yet says little about the challenge (Glicko's rating deviation);
* her *profile* is hers alone, replayed from her own attempts (``profile``): her
  ability, which grows as she practises, and how much easier or harder each *kind* of
  challenge (asking, giving a view, summing up, ...: the ladder's ``kind``) is for her
  than for most. People differ there, and the pool alone cannot see it. Each offset
  starts at 0 and moves only as her own attempts at that kind say so (shrinkage).

What an attempt says comes from what happened and how it felt (``log_likelihood``):
a win is a success; "too hard" and "too easy" are her noisy reading of whether it was
below or above the stretch zone; a miss that felt too easy says nothing (the moment
never came); a meeting that didn't happen says nothing. Her confidence before the
meeting is left out: read as her forecast of her chance it helped the bench's picks
only while people forecast without bias (stretch share +0.007), and people who stay
quiet tend to underrate themselves (15 points under: -0.025).

Used for three things, never as the controller (``bot.domain.progression`` stays it):

* ``pick``: within her step, the challenge most likely to land in the stretch zone
  for her (success chance 0.6-0.9, aiming at its middle);
* ``misplaced``: challenges whose real difficulty puts them on another step (a report
  for whoever edits the ladder: ``python -m bot ladder-report``);
* ``place``: a prior for placement, the first challenge whose difficulty fits her
  own estimate.

Pure: no Slack, no database. Ratings come in as ``Rating`` values.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.domain.attempts import Felt, Outcome

# The slope of success against (ability - difficulty), per step, and the offset that
# puts P = 0.80 at ability == difficulty: the same model bench/coaching_policy.py draws
# people from, where a step is about 1.5 logits (PRODUCT §2: most attempts succeed).
SLOPE = 1.5
OFFSET = math.log(0.8 / 0.2)
STRETCH = (0.6, 0.9)
# Aim at the middle of the stretch zone in logits: P = 0.79.
TARGET_LOGIT = (math.log(0.6 / 0.4) + math.log(0.9 / 0.1)) / 2

# A challenge before anyone tried it: its step, give or take half a step (whoever wrote
# the ladder put it there for a reason). Attempts add information (in 1/steps^2) until
# its spread is down to MIN_SPREAD, so it keeps following content whose difficulty
# drifts. The Elo step this replaced (K falling as 1/n) let a challenge's first few
# attempts throw it a step away: its estimate erred by 1.05 steps (rms) after 1-4
# attempts and 0.84 after 5-19, worse than the ladder's word (0.58); now 0.40 and 0.30,
# and 0.20 after 60 or more (0.31 before). bench/coaching_policy.py, seed 7.
PRIOR_SPREAD = 0.5
PRIOR_INFORMATION = 1 / PRIOR_SPREAD**2
MIN_SPREAD = 0.12
NEWTON_STEPS = 4
# Her profile (``observe``), in steps. Her own estimate at the start is off by about
# 0.7 steps (the bench's assumption about self-placement), so it is trusted as 0.8.
START_SPREAD = 0.8
# Her own estimate is also read against everyone's who started in her pool (empirical
# Bayes, Efron & Morris 1975): a high one is likelier to be a little high than a low
# one, so it is pulled towards the pool's mean by how little people there really differ
# (their estimates' spread less START_SPREAD). Without it the pool read people who
# rated themselves low as stronger than their record and the ladder's low steps as
# easier than they are (bench/coaching_policy.py, seed 7: stretch share +0.015). Only
# from this many people on, and never as if they were all alike.
POPULATION_AFTER = 10
POPULATION_MIN_VARIANCE = 0.1
# How much people differ by kind of challenge: a third of a step (as the bench draws
# them, sd 0.3; a little wider, so her own evidence can move it).
KIND_SPREAD = 0.35
# She learns with practice: the bench's people gain 0.03-0.15 of a step per attempt
# (0.09 on average, less after a miss: about 0.08 an attempt), and some faster, so her
# ability becomes this much less certain after each attempt. Without the growth term
# her estimate lags her and picks come out too easy (0.06 lagged by a third of a step;
# 0.08: bench/coaching_policy.py, seed 7, stretch share +0.01).
GROWTH = 0.08
DRIFT = 0.1
# How it felt, read against the stretch zone: "too hard" below it, "too easy" above,
# her sense of it noisy by this much (a logistic scale, in logits; about the bench's
# people's perception noise, sd 0.3-1.0 logits).
FELT_CUTS = (math.log(0.6 / 0.4), math.log(0.9 / 0.1))
FELT_NOISE = 0.5
# Her estimate never strays more than this many steps from the step she is on: the
# staircase is the controller; the estimate only chooses within the step.
ABILITY_SPAN = 1.0
# Before this many attempts a challenge's rating is a guess: the ladder report and
# placement ignore it.
TRUSTED_AFTER = 20
# Within her step, today's challenge changes after an attempt only when another is
# closer to the middle of the stretch zone by this many logits (a fifth of a step):
# a change needs a clear reason, not the noise of one attempt (bench/coaching_policy.py).
REPICK_MARGIN = 0.3
# The report flags a challenge whose difficulty is this far (in steps) from its own.
MISPLACED_BY = 0.6


@dataclass(frozen=True)
class Rating:
    """A challenge's pooled difficulty (in steps) and how many attempts it rests on."""

    challenge_id: str
    difficulty: float
    attempts: int = 0
    information: float = 0.0  # what its attempts said, beyond the ladder's word (1/steps^2)

    @property
    def variance(self) -> float:
        """How unsure of its difficulty we are (steps squared)."""
        return 1 / (PRIOR_INFORMATION + self.information)


@dataclass(frozen=True)
class Observation:
    """One of her attempts as the model sees it: where, of what kind, how it went."""

    challenge_id: str
    step: int
    kind: str
    outcome: Outcome
    felt: Felt | None


@dataclass(frozen=True)
class Misplaced:
    challenge_id: str
    step: int
    difficulty: float
    attempts: int

    @property
    def belongs_on(self) -> float:
        return round(self.difficulty, 1)


def chance(ability: float, difficulty: float) -> float:
    """Her chance of success at a challenge of this difficulty."""
    return _sigmoid(SLOPE * (ability - difficulty) + OFFSET)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def log_likelihood(logit: float, outcome: Outcome, felt: Felt | None) -> float:
    """How likely this attempt was if her success logit at it was ``logit``.

    A win is a success (a partial one is not: the stretch zone counts wins). How it
    felt is her own noisy reading of the same logit against the stretch zone: "too
    hard" below it, "too easy" above it (an ordered logit, McCullagh 1980).
    """
    won = outcome is Outcome.DID_IT
    total = math.log(_sigmoid(logit if won else -logit))
    if felt is not None:
        hard = _sigmoid((FELT_CUTS[0] - logit) / FELT_NOISE)
        easy = _sigmoid((logit - FELT_CUTS[1]) / FELT_NOISE)
        p = {Felt.TOO_HARD: hard, Felt.TOO_EASY: easy}.get(felt, 1 - hard - easy)
        total += math.log(max(p, 1e-12))
    return total


def surprise(seen: Observation, logit: float) -> tuple[float, float]:
    """The slope and the curvature (information) of ``log_likelihood`` at ``logit``:
    how far, and how surely, this attempt says her logit was higher than predicted.

    In closed form (a replay asks it for every attempt of hers, so no numeric
    differences): the outcome's part is the logistic's, and how it felt adds an
    ordered logit's, whose middle band is the difference of two logistics."""
    p = _sigmoid(logit)
    slope = (1 - p) if seen.outcome is Outcome.DID_IT else -p
    information = p * (1 - p)
    if seen.felt is not None:
        s = FELT_NOISE
        hard = _sigmoid((FELT_CUTS[0] - logit) / s)
        easy = _sigmoid((logit - FELT_CUTS[1]) / s)
        dh, de = hard * (1 - hard) / s, easy * (1 - easy) / s  # -d hard, +d easy
        if seen.felt is Felt.TOO_HARD:
            slope -= (1 - hard) / s
            information += dh / s
        elif seen.felt is Felt.TOO_EASY:
            slope += (1 - easy) / s
            information += de / s
        elif (middle := 1 - hard - easy) > 1e-12:
            d1 = dh - de
            d2 = -((1 - 2 * hard) * dh + (1 - 2 * easy) * de) / s
            slope += d1 / middle
            information += (d1 / middle) ** 2 - d2 / middle
    return slope, max(0.0, information)


def observation(
    challenge_id: str,
    step: int,
    kind: str,
    outcome: Outcome | str,
    felt: Felt | str | None,
) -> Observation | None:
    """An attempt as evidence, or None when it says nothing: the meeting didn't happen,
    or a miss felt too easy (the moment never came)."""
    outcome = Outcome(outcome)
    felt = Felt(felt) if felt else None
    if outcome is Outcome.DID_NOT_HAPPEN:
        return None
    if outcome is Outcome.NOT_THIS_TIME and felt is Felt.TOO_EASY:
        return None
    return Observation(challenge_id, step, kind, outcome, felt)


def rating_change(rating: Rating, her: Profile, seen: Observation) -> tuple[float, float]:
    """What one attempt of hers does to a challenge's difficulty: how far it moves (in
    steps; up when she did worse than her profile predicted, down when better) and the
    information it adds (``Rating.information``).

    A Kalman step on the challenge, with her own uncertainty (her ability and that
    kind's offset) folded into the attempt's noise, as Glicko does with an opponent's
    rating deviation. Iterated to the most likely difficulty (``NEWTON_STEPS``): one
    step from where it was overshoots when the surprise is large, e.g. a miss that felt
    too hard from someone it should have suited moved it 0.7 steps, now 0.6.
    """
    known = PRIOR_INFORMATION + rating.information
    room = max(0.0, 1 / MIN_SPREAD**2 - known)
    difficulty, added = rating.difficulty, 0.0
    for _ in range(NEWTON_STEPS):
        slope, information = surprise(seen, her.logit(difficulty, seen.kind))
        damping = 1 + information * SLOPE**2 * her.variance(seen.kind)
        added = min(room, SLOPE**2 * information / damping)
        pull = -SLOPE * slope / damping - known * (difficulty - rating.difficulty)
        difficulty += pull / (known + added)
    return difficulty - rating.difficulty, added


def rating_or_prior(ratings: dict[str, Rating], challenge_id: str, step: int) -> Rating:
    """Its rating, or the ladder's word for it (its step) before anyone tried it."""
    return ratings.get(challenge_id) or Rating(challenge_id, float(step))


@dataclass(frozen=True)
class Profile:
    """What her attempts say about her: her ability (in steps), how much easier (+) or
    harder (-) each kind of challenge is for her than for most, and how sure we are
    (the covariance of ability then each kind's offset, in steps squared)."""

    ability: float
    kinds: tuple[str, ...] = ()
    offsets: tuple[float, ...] = ()
    covariance: tuple[tuple[float, ...], ...] = ()

    def offset(self, kind: str) -> float:
        return self.offsets[self.kinds.index(kind)] if kind in self.kinds else 0.0

    def logit(self, difficulty: float, kind: str) -> float:
        """Her predicted success logit at a challenge of this difficulty and kind."""
        return SLOPE * (self.ability + self.offset(kind) - difficulty) + OFFSET

    def variance(self, kind: str) -> float:
        """How unsure we are of her ability plus this kind's offset (steps squared)."""
        if not self.covariance:
            return 0.0
        rows = [0] + ([1 + self.kinds.index(kind)] if kind in self.kinds else [])
        return sum(self.covariance[r][c] for r in rows for c in rows)


def start_estimate(own: float, everyone: Sequence[float]) -> float:
    """Her estimate of herself at the start, read against everyone's in her pool (her
    own among them): where her profile starts (``replay``), not where she is placed."""
    if len(everyone) < POPULATION_AFTER:
        return own
    mean = statistics.fmean(everyone)
    spread = max(POPULATION_MIN_VARIANCE, statistics.pvariance(everyone, mean) - START_SPREAD**2)
    return mean + spread / (spread + START_SPREAD**2) * (own - mean)


def new_profile(start: float, kinds: Iterable[str]) -> Profile:
    """Before any attempt: her own estimate, and no kind better than another."""
    kinds = tuple(sorted(set(kinds)))
    n = len(kinds) + 1
    spread = [START_SPREAD**2] + [KIND_SPREAD**2] * len(kinds)
    covariance = tuple(tuple(spread[i] if i == j else 0.0 for j in range(n)) for i in range(n))
    return Profile(start, kinds, (0.0,) * len(kinds), covariance)


def observe(profile: Profile, seen: Observation, rating: Rating) -> Profile:
    """Her profile after one attempt at a challenge of this (pooled) rating.

    A Kalman-style step (the Laplace approximation of a logistic model, as Glicko,
    Glickman 1999): the surprise moves her ability and that kind's offset in
    proportion to how unsure we are of each, and less when we are unsure of the
    challenge itself; then her ability grows a little more uncertain, since she is
    learning.
    """
    # The logit moves with her ability and with this kind's offset, SLOPE per step:
    # the update's gain is the covariance's columns for those two (or ability alone).
    k = 1 + profile.kinds.index(seen.kind) if seen.kind in profile.kinds else 0
    gain = [SLOPE * (row[0] + (row[k] if k else 0.0)) for row in profile.covariance]
    slope, information = surprise(seen, profile.logit(rating.difficulty, seen.kind))
    unsure = SLOPE * (gain[0] + (gain[k] if k else 0.0)) + SLOPE**2 * rating.variance
    shrink = information / (1 + information * unsure)
    step = slope / (1 + information * unsure)
    cov = [
        [v - shrink * gr * gc for v, gc in zip(row, gain, strict=True)]
        for row, gr in zip(profile.covariance, gain, strict=True)
    ]
    x = [v + step * g for v, g in zip((profile.ability, *profile.offsets), gain, strict=True)]
    cov[0][0] += DRIFT**2
    return Profile(x[0] + GROWTH, profile.kinds, tuple(x[1:]), tuple(tuple(row) for row in cov))


def replay(
    history: Iterable[Observation],
    ratings: dict[str, Rating],
    *,
    kinds: Iterable[str],
    start: float,
) -> Profile:
    """Her profile from where she started and each attempt since (oldest first) against
    the pooled difficulties, before it is kept near her step (``near``). Extend it with
    ``observe`` for a newer attempt rather than replaying again (one replay a request)."""
    her = new_profile(start, kinds)
    for seen in history:
        her = observe(her, seen, rating_or_prior(ratings, seen.challenge_id, seen.step))
    return her


def near(her: Profile, step: int) -> Profile:
    """Her profile with her ability kept near her step, which the staircase chose from
    the same attempts."""
    clamped = min(step + ABILITY_SPAN, max(step - ABILITY_SPAN, her.ability))
    return replace(her, ability=clamped)


def profile(
    history: Iterable[Observation],
    ratings: dict[str, Rating],
    *,
    kinds: Iterable[str],
    start: float,
    step: int,
) -> Profile:
    """Her profile now (``replay``), kept near her step (``near``)."""
    return near(replay(history, ratings, kinds=kinds, start=start), step)


def pick(
    challenges: Sequence[tuple[str, int, str]],
    ratings: dict[str, Rating],
    her: Profile,
    *,
    current: str | None = None,
    keep_within: float = 0.0,
) -> str:
    """Of the step's challenges ``(id, step, kind)``, in file order, the one her profile
    and its pooled difficulty put closest to the middle of the stretch zone.

    A challenge nobody tried counts as its step says (its rating starts there and moves
    only as far as its attempts say: ``rating_change``); ties keep the file order, and
    ``current`` (her challenge today) wins a tie, so nothing changes for no reason.
    With ``keep_within`` (in logits) she keeps ``current`` unless another is that much
    closer (``REPICK_MARGIN``: within a step, change only for a clear reason).
    """

    def distance(item: tuple[str, int, str]) -> float:
        challenge_id, step, kind = item
        rating = rating_or_prior(ratings, challenge_id, step)
        return abs(her.logit(rating.difficulty, kind) - TARGET_LOGIT)

    best = min(challenges, key=lambda item: (round(distance(item), 3), item[0] != current))
    mine = [item for item in challenges if item[0] == current]
    if mine and distance(mine[0]) - distance(best) <= keep_within:
        return current
    return best[0]


def misplaced(challenges: Iterable[tuple[str, int]], ratings: dict[str, Rating]) -> list[Misplaced]:
    """Challenges, from enough attempts, whose difficulty is over ``MISPLACED_BY``
    steps from the step they sit on: hardest misfit first."""
    found = []
    for challenge_id, step, *_ in challenges:
        rating = ratings.get(challenge_id)
        if rating is None or rating.attempts < TRUSTED_AFTER:
            continue
        if abs(rating.difficulty - step) > MISPLACED_BY:
            found.append(Misplaced(challenge_id, step, rating.difficulty, rating.attempts))
    return sorted(found, key=lambda m: -abs(m.difficulty - m.step))


def place(
    estimate: float, steps: Sequence[Sequence[tuple[str, int, str]]], ratings: dict[str, Rating]
) -> tuple[int, str]:
    """Placement with the pool's prior: the step her own estimate gives (the highest at
    or below it: a small win first), then within it the challenge that fits her best.

    ``steps``: each step's challenges ``(id, step, kind)`` in file order, step 1 first. When
    the pool knows that every challenge of that step is harder than her estimate (by
    over half a step), she starts one step lower.
    """
    top = len(steps)
    step = min(top, max(1, math.floor(estimate)))
    if step > 1:
        known = [ratings.get(cid) for cid, *_ in steps[step - 1]]
        trusted = [r for r in known if r is not None and r.attempts >= TRUSTED_AFTER]
        all_harder = trusted and min(r.difficulty for r in trusted) > estimate + 0.5
        if all_harder and len(trusted) == len(known):
            step -= 1
    her = new_profile(max(estimate, float(step)), ())
    return step, pick(steps[step - 1], ratings, her)
