"""Simulates the progression policy on a population of people, against two baselines.

    python bench/coaching_policy.py [--people 2000] [--meetings 24] [--seed 7]

Each simulated person has a skill (the ladder step she would manage about 80 % of
the time), a learning rate and a noisy sense of difficulty. Her chance of success
falls with the gap between the step she is on and her skill; a success raises her
skill more than a miss does. Placement starts her on the highest step at or below
her own noisy self-estimate (bot.domain.placement: success likely, a small win
first). Policies compared, on the same people and the same random draws:

* policy — bot.domain.progression.recommend, offers always accepted;
* staircase — the plain 3-up/1-down staircase the policy starts from (reference);
* fixed_pace — one step up every 3 meetings, whatever happens;
* never_move — stays on the starting step.

Printed: per policy, the share of attempts in the stretch zone (true success
probability 0.6–0.9), the success rate, and the median steps gained after the
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.attempts import AttemptResult, Felt, Outcome
from bot.domain.placement import place_from_estimate
from bot.domain.progression import Move, recommend

TOP = 8
SLOPE, OFFSET = 1.5, 1.4  # p = 0.80 when step == skill
STRETCH = (0.6, 0.9)
NO_MEETING = 0.08
PARTLY_SHARE = 0.35  # of attempts that weren't a clean success


def success_probability(step: int, skill: float) -> float:
    return 1 / (1 + math.exp(-(SLOPE * (skill - step) + OFFSET)))


@dataclass
class Person:
    skill: float
    learning_rate: float
    perception_noise: float
    start_step: int


def make_people(n: int, rng: random.Random) -> list[Person]:
    people = []
    for _ in range(n):
        skill = rng.uniform(1.5, 5.5)
        estimate = skill + rng.gauss(0, 0.7)
        start = place_from_estimate(estimate, top=TOP)
        people.append(Person(skill, rng.uniform(0.03, 0.15), rng.uniform(0.3, 1.0), start))
    return people


def clip(value: float) -> int:
    return int(min(100, max(0, round(value / 10) * 10)))


def attempt(person: Person, step: int, rng: random.Random) -> tuple[AttemptResult, float]:
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


def simulate(policy: str, people: list[Person], meetings: int, seed: int) -> dict:
    in_stretch = wins = happened = 0
    gained = []
    for index, template in enumerate(people):
        person = Person(**vars(template))
        rng = random.Random(seed * 100_003 + index)  # same draws for every policy
        step, history, streak = person.start_step, [], 0
        for meeting in range(1, meetings + 1):
            result, p = attempt(person, step, rng)
            if result.happened:
                happened += 1
                wins += result.is_win
                in_stretch += STRETCH[0] <= p <= STRETCH[1]
            if policy == "policy":
                history.append(result)
                move = recommend(history, step=step, top=TOP).move
                if move is not Move.STAY:
                    step += 1 if move is Move.UP else -1
                    history = []
            elif policy == "staircase" and result.happened:
                streak = streak + 1 if result.is_win else 0
                if streak == 3 or not result.is_win:
                    step = min(TOP, step + 1) if streak == 3 else max(1, step - 1)
                    streak = 0
            elif policy == "fixed_pace" and meeting % 3 == 0:
                step = min(TOP, step + 1)
        gained.append(step - person.start_step)
    return {
        "stretch_zone_share": round(in_stretch / happened, 3),
        "success_rate": round(wins / happened, 3),
        "median_steps_gained": statistics.median(gained),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    people = make_people(args.people, random.Random(args.seed))
    results = {
        name: simulate(name, people, args.meetings, args.seed)
        for name in ("policy", "staircase", "fixed_pace", "never_move")
    }
    for name, r in results.items():
        print(
            f"{name:>11}: stretch zone {r['stretch_zone_share']:.3f}  "
            f"success {r['success_rate']:.3f}  median steps gained {r['median_steps_gained']}"
        )
    policy = results["policy"]
    goals = {
        "stretch_zone_share_ge_0.8": policy["stretch_zone_share"] >= 0.8,
        "success_rate_in_0.70_0.85": 0.70 <= policy["success_rate"] <= 0.85,
        "stretch_ahead_of_baselines": all(
            policy["stretch_zone_share"] > results[b]["stretch_zone_share"]
            for b in ("fixed_pace", "never_move")
        ),
    }
    print(
        json.dumps(
            {
                "benchmark": "coaching_policy",
                "people": args.people,
                "meetings": args.meetings,
                "seed": args.seed,
                "seconds": round(time.perf_counter() - started, 2),
                **results,
                "goals_met": goals,
            }
        )
    )


if __name__ == "__main__":
    main()
