"""The settle-your-nerves exercises (``exercises.yml``), checked at start like the ladder.

Every problem is one line naming the file and the line, e.g.
``exercises.yml line 31: exercise 'long-exhale' takes 200 seconds; keep it to 30 to 90``.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.content import ID_PATTERN
from bot.content.checker import NodeChecker, read_content
from bot.domain.nerves import (
    MAX_EXERCISES,
    MAX_SECONDS,
    MAX_STEP,
    MAX_STEPS,
    MAX_TITLE,
    MAX_WHY,
    MIN_EXERCISES,
    MIN_SECONDS,
    MIN_STEPS,
    NAME,
    Exercise,
    ExerciseLibrary,
    NervesError,
)

EXERCISES_PATH = Path(__file__).with_name("exercises.yml")

_KEYS = ("id", "title", "seconds", "steps", "why")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def load_exercises(path: Path | None = None) -> ExerciseLibrary:
    path = Path(path) if path is not None else EXERCISES_PATH
    text, source = read_content(path, NervesError, "the exercises file")
    return parse_exercises(text, source)


def parse_exercises(text: str, source: str = "exercises.yml") -> ExerciseLibrary:
    check = NodeChecker(source, NervesError)
    root = check.compose(text)
    if root is None:
        raise check.fail(None, "the file is empty; it should have 'exercises:'")
    top = check.mapping(root, ("exercises",), "the file")
    exercises: list[Exercise] = []
    for n, node in enumerate(check.items(top, "exercises"), start=1):
        fields = check.mapping(node, _KEYS, f"exercise {n}")
        exercise_id = check.words(fields["id"], f"exercise {n}'s id", 40)
        if not ID_PATTERN.fullmatch(exercise_id):
            raise check.fail(fields["id"], f"exercise id '{exercise_id}' should be kebab-case")
        if any(e.id == exercise_id for e in exercises):
            raise check.fail(fields["id"], f"exercise id '{exercise_id}' is used twice")
        what = f"exercise '{exercise_id}'"
        title = check.words(fields["title"], f"{what}'s title", MAX_TITLE)
        seconds = check.whole_number(fields["seconds"], f"{what}'s seconds")
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise check.fail(
                fields["seconds"],
                f"{what} takes {seconds} seconds; keep it to {MIN_SECONDS} to {MAX_SECONDS}",
            )
        step_nodes = check.items(fields, "steps")
        if not MIN_STEPS <= len(step_nodes) <= MAX_STEPS:
            raise check.fail(
                fields["steps"],
                f"{what} has {len(step_nodes)} step{'' if len(step_nodes) == 1 else 's'}; "
                f"keep {MIN_STEPS} to {MAX_STEPS}",
            )
        steps = []
        for s, step_node in enumerate(step_nodes, start=1):
            step = check.words(step_node, f"{what}'s step {s}", MAX_STEP)
            unknown = [p for p in _PLACEHOLDER.findall(step) if p != NAME]
            if unknown:
                raise check.fail(
                    step_node, f"{what}'s step {s} has {unknown[0]}; only {NAME} is filled in"
                )
            steps.append(step)
        why = check.words(fields["why"], f"{what}'s why", MAX_WHY)
        exercises.append(Exercise(exercise_id, title, tuple(steps), why, seconds))
    if not MIN_EXERCISES <= len(exercises) <= MAX_EXERCISES:
        raise check.fail(
            top["exercises"],
            f"there are {len(exercises)} exercises; keep {MIN_EXERCISES} to {MAX_EXERCISES}",
        )
    if not any(e.uses_name for e in exercises):
        raise check.fail(
            top["exercises"],
            f"no exercise uses {NAME}; one should talk to her by name (self-distancing)",
        )
    return ExerciseLibrary(tuple(exercises))
