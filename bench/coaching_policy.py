"""Simulates the progression policy on a population of people, against baselines.

    python bench/coaching_policy.py [--people 2000] [--meetings 24] [--seed 7]

Each simulated person has a skill (the ladder step she would manage about 80 % of
the time), a learning rate and a noisy sense of difficulty. Her chance of success
falls with the gap between the challenge's difficulty and her skill; a success raises
her skill more than a miss does. Placement starts her on the highest step at or below
her own noisy self-estimate (bot.domain.placement: success likely, a small win first).

Two models of the ladder, each with 4 challenges per step:

* varied (the goals are checked here): a challenge's real difficulty is its step plus
  an offset of its own (sd 0.45 steps), and each person is better or worse at each
  kind of challenge (prepared, spontaneous, leading; sd 0.3 steps);
* uniform: every challenge of a step is exactly as hard as the step (the model the
  policy was first tuned on; which challenge she gets cannot matter there).

Policies compared, on the same people and the same random draws, people grouped in
workspaces of 50 who use the app side by side (everyone meets in lockstep):

* policy: bot.domain.progression.recommend (offers always accepted), with the
  challenge chosen at placement and at each step change by bot.domain.difficulty,
  and changed within her step after an attempt she completes when another is clearly
  likelier to stretch her (difficulty.REPICK_MARGIN; CoachingService.offer_after):
  each challenge's difficulty pooled across her workspace, fitted jointly with her own
  profile (her ability, starting from her own estimate read against everyone's in her
  workspace, and her offset per kind of challenge, replayed from her own
  attempts: outcome, how it felt, the challenge's kind label), as the app does. It
  never sees anyone's real skill, affinity or a challenge's real difficulty;
* policy_pooled_everywhere: the same, pooled across all workspaces (the operator's
  POOL_ACROSS_WORKSPACES);
* policy_unpooled: the same controller, each step's first challenge (before pooling);
* staircase: the plain 3-up/1-down staircase the policy starts from;
* fixed_pace: one step up every 3 meetings, whatever happens;
* never_move: stays on the starting step;
* oracle (a ceiling, not a baseline): the controller, choosing with every real skill,
  affinity and difficulty known, at each step change and after every attempt;
* knows_challenges (a ceiling, not a baseline): the policy as the app runs it, told
  every challenge's real difficulty and her real offset per kind of challenge (as if
  the pool had seen everyone forever), so only her ability is learned from her
  attempts: what a perfect pool could add.

Printed: per model and policy, the share of attempts in the stretch zone (true
success probability 0.6-0.9), the success rate, and the median steps gained after the
given number of meetings. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import difficulty
from bot.domain.attempts import AttemptResult, Felt, Outcome
from bot.domain.placement import place_from_estimate
from bot.domain.progression import Move, recommend

TOP = 8
SLOPE, OFFSET = 1.5, 1.4  # p = 0.80 when step == skill
STRETCH = (0.6, 0.9)
NO_MEETING = 0.08
PARTLY_SHARE = 0.35  # of attempts that weren't a clean success
CHALLENGES_PER_STEP = 4
KINDS = ("prepared", "spontaneous", "leading")  # what a challenge asks of her
# The "varied" model: a challenge's real difficulty is its step plus an offset drawn
# once for the ladder (sd in steps), and each person is better or worse at each kind
# of challenge by her own offset (sd in steps). The "uniform" model has neither.
CHALLENGE_SPREAD = 0.45
AFFINITY_SPREAD = 0.3
WORKSPACE_SIZE = 50  # people who pool their results, unless pooled across workspaces
POLICIES = (
    "policy",
    "oracle",
    "knows_challenges",
    "policy_pooled_everywhere",
    "policy_unpooled",
    "staircase",
    "fixed_pace",
    "never_move",
)
BASELINES = ("policy_unpooled", "staircase", "fixed_pace", "never_move")


def success_probability(step: float, skill: float) -> float:
    return 1 / (1 + math.exp(-(SLOPE * (skill - step) + OFFSET)))


@dataclass(frozen=True)
class SimChallenge:
    id: str
    step: int
    kind: int
    offset: float  # real difficulty minus its step


def make_ladder(varied: bool, rng: random.Random) -> list[list[SimChallenge]]:
    return [
        [
            SimChallenge(
                f"s{step}c{i}",
                step,
                rng.randrange(len(KINDS)),
                rng.gauss(0, CHALLENGE_SPREAD) if varied else 0.0,
            )
            for i in range(CHALLENGES_PER_STEP)
        ]
        for step in range(1, TOP + 1)
    ]


@dataclass
class Person:
    skill: float
    learning_rate: float
    perception_noise: float
    start_step: int
    estimate: float = 0.0
    affinity: tuple[float, ...] = (0.0, 0.0, 0.0)
    workspace: int = 0


def make_people(n: int, rng: random.Random, *, varied: bool = False) -> list[Person]:
    people = []
    for index in range(n):
        skill = rng.uniform(1.5, 5.5)
        estimate = skill + rng.gauss(0, 0.7)
        start = place_from_estimate(estimate, top=TOP)
        people.append(
            Person(
                skill,
                rng.uniform(0.03, 0.15),
                rng.uniform(0.3, 1.0),
                start,
                estimate,
                tuple(rng.gauss(0, AFFINITY_SPREAD) if varied else 0.0 for _ in KINDS),
                index // WORKSPACE_SIZE,
            )
        )
    return people


def clip(value: float) -> int:
    return int(min(100, max(0, round(value / 10) * 10)))


def attempt(person: Person, step: float, rng: random.Random) -> tuple[AttemptResult, float]:
    """One meeting at a challenge whose real difficulty for her is ``step``."""
    p = success_probability(step, person.skill)
    if rng.random() < NO_MEETING:
        return AttemptResult(Outcome.DID_NOT_HAPPEN), p
    roll = rng.random()
    if roll < p:
        outcome = Outcome.DID_IT
    elif rng.random() < PARTLY_SHARE:
        outcome = Outcome.PARTLY
    else:
        outcome = Outcome.NOT_THIS_TIME
    felt_logit = SLOPE * (person.skill - step) + OFFSET + rng.gauss(0, person.perception_noise)
    felt_p = 1 / (1 + math.exp(-felt_logit))
    felt = Felt.TOO_EASY if felt_p > 0.92 else Felt.TOO_HARD if felt_p < 0.55 else Felt.ABOUT_RIGHT
    before = clip(100 * felt_p + rng.gauss(0, 12))
    change = {Outcome.DID_IT: 8, Outcome.PARTLY: 0}.get(outcome, -10 - 20 * (1 - felt_p))
    after = clip(before + change + rng.gauss(0, 8))
    gain = {Outcome.DID_IT: 1.0, Outcome.PARTLY: 0.6}.get(outcome, 0.3)
    person.skill += person.learning_rate * gain
    return AttemptResult(outcome, felt, before, after), p


@dataclass
class Track:
    """One simulated person under one policy."""

    person: Person
    rng: random.Random
    step: int
    challenge: SimChallenge
    history: list = field(default_factory=list)  # since her step changed (the policy's)
    seen: list = field(default_factory=list)  # every attempt, for her profile
    streak: int = 0
    start: int = 0

    def __post_init__(self) -> None:
        self.start = self.step


def simulate(
    policy: str, people: list[Person], ladder: list[list[SimChallenge]], meetings: int, seed: int
) -> dict:
    """Everyone meets in lockstep, so the pool learns from the whole population as it goes
    (as a workspace's people use the app side by side)."""
    by_id = {c.id: c for step in ladder for c in step}
    pools: dict[int, dict[str, difficulty.Rating]] = {}
    pooled = policy in ("policy", "policy_pooled_everywhere", "knows_challenges")
    knows = policy == "knows_challenges"
    settled = 1 / difficulty.MIN_SPREAD**2 - difficulty.PRIOR_INFORMATION
    real_ratings = {
        c.id: difficulty.Rating(c.id, c.step + c.offset, meetings, settled) for c in by_id.values()
    }

    def pool_of(person: Person) -> dict[str, difficulty.Rating]:
        if knows:
            return real_ratings
        key = 0 if policy == "policy_pooled_everywhere" else person.workspace
        return pools.setdefault(key, {})

    def options(step: int) -> list[tuple[str, int]]:
        return [(c.id, c.step, KINDS[c.kind]) for c in ladder[step - 1]]

    everyone: dict[int, list[float]] = {}
    for person in people:
        key = 0 if policy == "policy_pooled_everywhere" else person.workspace
        everyone.setdefault(key, []).append(person.estimate)

    def replayed(track: Track) -> difficulty.Profile:
        """Her profile as the app builds it: from her estimate of herself read against
        everyone's in her pool, replayed from her own attempts (what she did, how it felt,
        each challenge's kind) against the pooled difficulties."""
        person = track.person
        key = 0 if policy == "policy_pooled_everywhere" else person.workspace
        start = difficulty.start_estimate(person.estimate, everyone[key])
        if not knows:
            return difficulty.replay(track.seen, pool_of(person), kinds=KINDS, start=start)
        her = difficulty.new_profile(start, KINDS)
        certain = [[0.0] * len(her.covariance) for _ in her.covariance]
        certain[0][0] = her.covariance[0][0]  # only her ability is uncertain
        her = replace(
            her,
            offsets=tuple(person.affinity[KINDS.index(kind)] for kind in her.kinds),
            covariance=tuple(tuple(row) for row in certain),
        )
        for seen in track.seen:
            her = difficulty.observe(her, seen, real_ratings[seen.challenge_id])
        return her

    def oracle_pick(track: Track) -> SimChallenge:
        """Knows her real skill and every real difficulty: a ceiling."""
        pp = track.person
        return min(
            ladder[track.step - 1],
            key=lambda c: abs(
                SLOPE * (pp.skill - c.step - c.offset + pp.affinity[c.kind])
                + OFFSET
                - difficulty.TARGET_LOGIT
            ),
        )

    def choose(track: Track, her: difficulty.Profile | None) -> SimChallenge:
        """At a step change: the app's ``CoachingService.pick``."""
        if policy == "oracle":
            return oracle_pick(track)
        if not pooled:
            return ladder[track.step - 1][0]  # the step's first, in file order
        if her is None:
            her = replayed(track)
        her = difficulty.near(her, track.step)
        chosen = difficulty.pick(
            options(track.step), pool_of(track.person), her, current=track.challenge.id
        )
        return by_id[chosen]

    tracks = []
    for index, template in enumerate(people):
        person = Person(**vars(template))
        step = person.start_step
        challenge = ladder[step - 1][0]
        if pooled:
            step, chosen = difficulty.place(
                person.estimate, [options(s) for s in range(1, TOP + 1)], pool_of(person)
            )
            challenge = by_id[chosen]
        # the same draws for every policy
        tracks.append(Track(person, random.Random(seed * 100_003 + index), step, challenge))

    in_stretch = wins = happened = 0
    for meeting in range(1, meetings + 1):
        for track in tracks:
            person, challenge = track.person, track.challenge
            real = challenge.step + challenge.offset - person.affinity[challenge.kind]
            result, p = attempt(person, real, track.rng)
            if result.happened:
                happened += 1
                wins += result.is_win
                in_stretch += STRETCH[0] <= p <= STRETCH[1]
            moved = False
            her = None  # her profile after this attempt, as CoachingService.offer_after has it
            if pooled:
                kind = KINDS[challenge.kind]  # the ladder's label, not her affinity
                seen = difficulty.observation(
                    challenge.id, challenge.step, kind, result.outcome, result.felt
                )
                if seen is not None:
                    ratings = pool_of(person)
                    rating = difficulty.rating_or_prior(ratings, challenge.id, challenge.step)
                    her = replayed(track)
                    if not knows:
                        near = difficulty.near(her, track.step)
                        change, information = difficulty.rating_change(rating, near, seen)
                        ratings[challenge.id] = difficulty.Rating(
                            challenge.id,
                            rating.difficulty + change,
                            rating.attempts + 1,
                            rating.information + information,
                        )
                    her = difficulty.observe(her, seen, ratings[challenge.id])
                    track.seen.append(seen)
            if pooled or policy in ("policy_unpooled", "oracle"):
                track.history.append(result)
                move = recommend(track.history, step=track.step, top=TOP).move
                if move is not Move.STAY:
                    track.step += 1 if move is Move.UP else -1
                    track.history = []
                    moved = True
            elif policy == "staircase" and result.happened:
                track.streak = track.streak + 1 if result.is_win else 0
                if track.streak == 3 or not result.is_win:
                    up = track.streak == 3
                    track.step = min(TOP, track.step + 1) if up else max(1, track.step - 1)
                    track.streak = 0
                    moved = True
            elif policy == "fixed_pace" and meeting % 3 == 0:
                moved = track.step < TOP
                track.step = min(TOP, track.step + 1)
            # A new challenge when she moves step. Within her step, the policy (as the
            # app after each attempt she completes) changes today's challenge only when
            # another is clearly likelier to stretch her; the oracle, a ceiling, after
            # every attempt. The baselines keep theirs.
            if moved:
                track.challenge = choose(track, her)
            elif policy == "oracle" and result.happened:
                track.challenge = oracle_pick(track)
            elif her is not None:
                chosen = difficulty.pick(
                    options(track.step),
                    pool_of(person),
                    difficulty.near(her, track.step),
                    current=challenge.id,
                    keep_within=difficulty.REPICK_MARGIN,
                )
                track.challenge = by_id[chosen]
    gained = [t.step - t.start for t in tracks]
    return {
        "stretch_zone_share": round(in_stretch / happened, 3),
        "success_rate": round(wins / happened, 3),
        "median_steps_gained": statistics.median(gained),
    }


def goals(results: dict) -> dict:
    policy = results["policy"]
    return {
        "stretch_zone_share_ge_0.82": policy["stretch_zone_share"] >= 0.82,
        "success_rate_in_0.70_0.85": 0.70 <= policy["success_rate"] <= 0.85,
        "stretch_ahead_of_baselines": all(
            policy["stretch_zone_share"] > results[b]["stretch_zone_share"] for b in BASELINES
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    models = {}
    for model in ("varied", "uniform"):
        varied = model == "varied"
        rng = random.Random(args.seed)
        people = make_people(args.people, rng, varied=varied)
        ladder = make_ladder(varied, random.Random(args.seed + 1))
        results = {
            name: simulate(name, people, ladder, args.meetings, args.seed) for name in POLICIES
        }
        print(f"{model} challenges:")
        for name, r in results.items():
            print(
                f"  {name:>24}: stretch zone {r['stretch_zone_share']:.3f}  "
                f"success {r['success_rate']:.3f}  median steps gained {r['median_steps_gained']}"
            )
        models[model] = {**results, "goals_met": goals(results)}
    print(
        json.dumps(
            {
                "benchmark": "coaching_policy",
                "people": args.people,
                "meetings": args.meetings,
                "seed": args.seed,
                "seconds": round(time.perf_counter() - started, 2),
                **models,
                "goals_met": models["varied"]["goals_met"],
            }
        )
    )


if __name__ == "__main__":
    main()
