"""How hard each challenge really is, learned from everyone who tried it.

The ladder says which step a challenge sits on; people's results say how hard it is.
Each challenge gets a *difficulty* on the ladder's own scale: the skill (in steps) at
which a person manages it about 80 % of the time, so a challenge that is exactly as
hard as its step says has difficulty equal to its step number. The model is the
logistic one the progression policy is tuned on (``bench/coaching_policy.py``):

    P(success) = 1 / (1 + exp(-(SLOPE * (ability - difficulty) + OFFSET)))

Estimated online, Elo-style (Elo 1978; the Rasch model fitted one observation at a
time, as adaptive-learning systems do, Pelánek 2016): every attempt anyone in the pool
makes nudges the challenge's difficulty by how much the result surprised us, and her
own *ability* by the same surprise. Online rather than a batch fit because it needs one
row per challenge and one atomic update per attempt, and it follows content that gets
easier or harder as a team's meetings change.

What an attempt says is a *score* in 0..1 from what happened and how it felt
(``score``): a win that felt too easy says more than a win that felt about right, a
miss that felt too easy says nothing (the moment never came).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.attempts import Felt, Outcome

# The slope of success against (ability - difficulty), per step, and the offset that
# puts P = 0.80 at ability == difficulty: the same model bench/coaching_policy.py draws
# people from, where a step is about 1.5 logits (PRODUCT §2: most attempts succeed).
SLOPE = 1.5
OFFSET = math.log(0.8 / 0.2)
STRETCH = (0.6, 0.9)
# Aim at the middle of the stretch zone in logits: P = 0.79.
TARGET_LOGIT = (math.log(0.6 / 0.4) + math.log(0.9 / 0.1)) / 2

# Elo step sizes, in logits per unit of surprise. A new challenge's estimate moves
# fast and settles as attempts add up (K shrinks as 1/n towards a floor, which keeps
# following content whose difficulty drifts); her own ability moves at a fixed rate,
# since she is learning all the time.
K_CHALLENGE_START = 1.2
K_CHALLENGE_FLOOR = 0.08
K_PERSON = 0.5
# Her estimate never strays more than this many steps from the step she is on: the
# staircase is the controller; the estimate only chooses within the step.
ABILITY_SPAN = 1.0
# Before this many attempts a challenge's rating is a guess: picks trust it in
# proportion, the ladder report ignores it.
TRUSTED_AFTER = 20
# The report flags a challenge whose difficulty is this far (in steps) from its own.
MISPLACED_BY = 0.6

_SCORES: dict[tuple[Outcome, Felt], float | None] = {
    (Outcome.DID_IT, Felt.TOO_EASY): 1.0,
    (Outcome.DID_IT, Felt.ABOUT_RIGHT): 0.9,
    (Outcome.DID_IT, Felt.TOO_HARD): 0.75,
    (Outcome.PARTLY, Felt.TOO_EASY): 0.6,
    (Outcome.PARTLY, Felt.ABOUT_RIGHT): 0.4,
    (Outcome.PARTLY, Felt.TOO_HARD): 0.25,
    (Outcome.NOT_THIS_TIME, Felt.TOO_EASY): None,  # the chance never came
    (Outcome.NOT_THIS_TIME, Felt.ABOUT_RIGHT): 0.1,
    (Outcome.NOT_THIS_TIME, Felt.TOO_HARD): 0.0,
}


@dataclass(frozen=True)
class Rating:
    """A challenge's pooled difficulty (in steps) and how many attempts it rests on."""

    challenge_id: str
    difficulty: float
    attempts: int = 0


@dataclass(frozen=True)
class Observation:
    """One of her attempts as the model sees it: where, and how it went (0..1)."""

    challenge_id: str
    step: int
    score: float


@dataclass(frozen=True)
class Misplaced:
    challenge_id: str
    step: int
    difficulty: float
    attempts: int

    @property
    def belongs_on(self) -> float:
        return round(self.difficulty, 1)


def score(outcome: Outcome | str, felt: Felt | str | None) -> float | None:
    """What an attempt says, 0..1; None when it says nothing about difficulty."""
    outcome = Outcome(outcome)
    if outcome is Outcome.DID_NOT_HAPPEN:
        return None
    return _SCORES[(outcome, Felt(felt) if felt else Felt.ABOUT_RIGHT)]


def chance(ability: float, difficulty: float) -> float:
    """Her chance of success at a challenge of this difficulty."""
    return 1 / (1 + math.exp(-(SLOPE * (ability - difficulty) + OFFSET)))


def challenge_k(attempts: int) -> float:
    return max(K_CHALLENGE_FLOOR, K_CHALLENGE_START / (1 + attempts / 4))


def difficulty_change(rating: Rating, *, ability: float, observed: float) -> float:
    """How much one attempt moves a challenge's difficulty (in steps): up when she did
    worse than expected, down when better."""
    surprise = observed - chance(ability, rating.difficulty)
    return -challenge_k(rating.attempts) * surprise / SLOPE


def rating_or_prior(ratings: dict[str, Rating], challenge_id: str, step: int) -> Rating:
    """Its rating, or the ladder's word for it (its step) before anyone tried it."""
    return ratings.get(challenge_id) or Rating(challenge_id, float(step), 0)


def ability(
    history: Iterable[Observation], ratings: dict[str, Rating], *, start: float, step: int
) -> float:
    """Her ability now, in steps: from where she started, moved by each surprise in her
    own history (oldest first) against the pooled difficulties, kept near her step."""
    theta = start
    for seen in history:
        rating = rating_or_prior(ratings, seen.challenge_id, seen.step)
        theta += K_PERSON * (seen.score - chance(theta, rating.difficulty)) / SLOPE
    return min(step + ABILITY_SPAN, max(step - ABILITY_SPAN, theta))


def pick(
    challenges: Sequence[tuple[str, int]],
    ratings: dict[str, Rating],
    *,
    ability: float,
    current: str | None = None,
) -> str:
    """Of the step's challenges ``(id, step)``, in file order, the one whose pooled
    difficulty puts her closest to the middle of the stretch zone.

    A challenge's difficulty counts in proportion to the attempts behind it (below
    ``TRUSTED_AFTER`` it is pulled towards its step); ties keep the file order, and
    ``current`` (her challenge today) wins a tie, so nothing changes for no reason.
    """

    def distance(item: tuple[str, int]) -> float:
        challenge_id, step = item
        rating = rating_or_prior(ratings, challenge_id, step)
        trust = min(1.0, rating.attempts / TRUSTED_AFTER)
        difficulty = step + trust * (rating.difficulty - step)
        return abs(SLOPE * (ability - difficulty) + OFFSET - TARGET_LOGIT)

    best = min(challenges, key=lambda item: (round(distance(item), 3), item[0] != current))
    return best[0]


def misplaced(challenges: Iterable[tuple[str, int]], ratings: dict[str, Rating]) -> list[Misplaced]:
    """Challenges, from enough attempts, whose difficulty is over ``MISPLACED_BY``
    steps from the step they sit on: hardest misfit first."""
    found = []
    for challenge_id, step in challenges:
        rating = ratings.get(challenge_id)
        if rating is None or rating.attempts < TRUSTED_AFTER:
            continue
        if abs(rating.difficulty - step) > MISPLACED_BY:
            found.append(Misplaced(challenge_id, step, rating.difficulty, rating.attempts))
    return sorted(found, key=lambda m: -abs(m.difficulty - m.step))


def place(
    estimate: float, steps: Sequence[Sequence[tuple[str, int]]], ratings: dict[str, Rating]
) -> tuple[int, str]:
    """Placement with the pool's prior: the step her own estimate gives (the highest at
    or below it: a small win first), then within it the challenge that fits her best.

    ``steps``: each step's challenges ``(id, step)`` in file order, step 1 first. When
    the pool knows that every challenge of that step is harder than her estimate (by
    over half a step), she starts one step lower.
    """
    top = len(steps)
    step = min(top, max(1, math.floor(estimate)))
    if step > 1:
        known = [ratings.get(cid) for cid, _ in steps[step - 1]]
        trusted = [r for r in known if r is not None and r.attempts >= TRUSTED_AFTER]
        all_harder = trusted and min(r.difficulty for r in trusted) > estimate + 0.5
        if all_harder and len(trusted) == len(known):
            step -= 1
    return step, pick(steps[step - 1], ratings, ability=max(estimate, float(step)))
