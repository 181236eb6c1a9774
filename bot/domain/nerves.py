"""Settle your nerves: a 60-second exercise before a meeting, offered, never pushed.

Bandura's second source of self-belief is the body: how we read a racing heart. Three
short exercises, each with its own evidence, and each honest about its limits:

- a slow breath with a long exhale (cyclic sighing): five minutes a day lifted mood
  over a month (Balban et al. 2023); but in an app trial a sham exercise helped about
  as much, so nothing here promises more than "it may feel better";
- naming the feeling as excitement ("I am excited", Brooks 2014) raised how excited
  people felt; a 2025 replication found no change in how well they performed, so it
  is offered as a way to feel better, never as a way to do better;
- talking to yourself by name or as "you" (self-distancing, Kross et al. 2014) helped
  people give better speeches and dwell less on them afterwards, anxious people too.

Because no exercise is proven better for everyone, her own answers to "Did it help?"
decide what she is offered (``pick_exercise``). Pure rules; the content lives in
``bot/content/exercises.yml`` and the service (bot.services.nerves) stores her answers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

# Where her name goes in an exercise's steps (the self-distanced one).
NAME = "{name}"
# Without a name from her profile, the line still talks to her as "you" (Kross et al.
# 2014 found "you" works like a name): "{name}, you've got this" -> "Hey, you've got this".
NO_NAME = "Hey"
MAX_NAME = 40

# "About 60 seconds", as the spec and the button promise: an exercise that takes far
# longer is not a minute before a meeting, and a far shorter one is not an exercise.
MIN_SECONDS, MAX_SECONDS = 30, 90
MIN_EXERCISES = 3  # one per kind: breath, excitement, her name
MAX_EXERCISES = 10
MIN_STEPS, MAX_STEPS = 2, 5
MAX_TITLE = 60
MAX_STEP = 300
MAX_WHY = 300

# Every this-many-th exercise (once she has tried each), another one gets a turn, so an
# early "Not really" is never final: with a sham about as good as the real thing in one
# trial, how she feels on the day is noisy, and one answer should not rule one out.
# 1 in 4 keeps three of four offers on what helped her most.
ANOTHER_TURN_EVERY = 4
# Her answers are averaged with this many imagined "A little"s (a prior of 0.5), so a
# single "Yes" doesn't lock in one exercise and a single "Not really" doesn't bury it.
PRIOR_ANSWERS = 2


class NervesError(Exception):
    """The exercises file is broken; the message is one line naming the file and line."""


class Helped(enum.StrEnum):
    YES = "yes"
    A_LITTLE = "a_little"
    NOT_REALLY = "not_really"


HELPED_LABELS = {Helped.YES: "Yes", Helped.A_LITTLE: "A little", Helped.NOT_REALLY: "Not really"}
# How much an answer counts for an exercise (0 to 1).
HELPED_POINTS = {Helped.YES: 1.0, Helped.A_LITTLE: 0.5, Helped.NOT_REALLY: 0.0}


class Why(enum.StrEnum):
    """Why this exercise was offered (said in the modal, in a few words)."""

    NEW = "new"  # she hasn't tried it yet
    HELPED = "helped"  # it has helped her most so far (her answers lean to "Yes")
    TURN = "turn"  # another one's turn (now and then, or with no answers to go by)


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    steps: tuple[str, ...]
    why: str
    seconds: int

    @property
    def uses_name(self) -> bool:
        return any(NAME in step for step in self.steps)

    def steps_for(self, name: str | None) -> tuple[str, ...]:
        """The steps with her name where ``{name}`` stands: ``name`` as it will be shown
        (the caller shortens it with ``short_name`` and escapes it first)."""
        return tuple(step.replace(NAME, name or NO_NAME) for step in self.steps)


def short_name(name: str | None) -> str | None:
    """Her name on one line, at most ``MAX_NAME`` characters; None if there is none."""
    return " ".join((name or "").split())[:MAX_NAME] or None


@dataclass(frozen=True)
class ExerciseLibrary:
    exercises: tuple[Exercise, ...]

    def get(self, exercise_id: str | None) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.exercises)


@dataclass(frozen=True)
class Done:
    """One exercise she finished, and what she said about it (None: no answer)."""

    exercise_id: str
    helped: Helped | None = None


@dataclass(frozen=True)
class Pick:
    exercise_id: str
    why: Why


def score(exercise_id: str, history: Sequence[Done]) -> float:
    """How much it has helped her, 0 to 1: her answers' mean, pulled towards 0.5."""
    answers = [
        HELPED_POINTS[d.helped] for d in history if d.exercise_id == exercise_id and d.helped
    ]
    return (sum(answers) + 0.5 * PRIOR_ANSWERS) / (len(answers) + PRIOR_ANSWERS)


def pick_exercise(exercise_ids: Sequence[str], history: Sequence[Done]) -> Pick:
    """Which exercise to offer her now, from what she did before (oldest first).

    1. One she hasn't tried yet, in the content's order: she gets to try each once.
    2. Every ``ANOTHER_TURN_EVERY``-th time, the one she did least recently (other than
       her best), so she keeps a chance to find that another suits her.
    3. Otherwise the one that helped her most (``score``); on a tie, the one she did
       least recently, so that without answers they simply take turns.

    With ``Why`` the modal can say, in a few words, why this one: new, it helped, or
    another's turn.

    Deterministic: the same history always gives the same answer. Exercises no longer
    in the content are ignored."""
    if not exercise_ids:
        raise ValueError("no exercises to pick from")
    known = [d for d in history if d.exercise_id in exercise_ids]
    done = {d.exercise_id for d in known}
    for exercise_id in exercise_ids:
        if exercise_id not in done:
            return Pick(exercise_id, Why.NEW)
    last_done = {d.exercise_id: i for i, d in enumerate(known)}
    order = {exercise_id: n for n, exercise_id in enumerate(exercise_ids)}
    # Best first: highest score, then least recently done, then the content's order.
    ranked = sorted(exercise_ids, key=lambda e: (-score(e, known), last_done[e], order[e]))
    best = ranked[0]
    if len(known) % ANOTHER_TURN_EVERY == 0 and len(exercise_ids) > 1:
        other = min(ranked[1:], key=lambda e: (last_done[e], order[e]))
        return Pick(other, Why.TURN)
    # "It has helped you" only when her answers say so; with none (or all "Not really"),
    # they are simply taking turns.
    return Pick(best, Why.HELPED if score(best, known) > 0.5 else Why.TURN)
