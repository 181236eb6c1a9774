"""The challenge ladder: graded speaking challenges, from the comfort zone to leading.

Each step on the ladder is a little further outside the comfort zone than the one
below it, and holds a handful of interchangeable challenges at that level, so a
person can swap one she doesn't fancy for another of the same size (PRODUCT.md §2).

Pure data and rules: the content itself lives in ``bot/content/ladder.yml`` and is
read by :func:`bot.content.load_ladder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What a challenge asks of her. People differ in which kinds suit them (one finds
# questions easy and giving a view hard, another the reverse), so the policy learns
# each person's offset per kind (bot.domain.difficulty); the kinds are few so that a
# handful of her attempts says something about each.
KINDS = {
    "prepare": "getting ready in private: nothing said in the meeting yet",
    "ask": "asking a question",
    "opinion": "giving her own view, or adding to someone's",
    "summarise": "pulling together what was said, or reporting her own news",
    "open": "speaking first: opening a topic or the meeting's first minutes",
    "lead": "running part of the meeting, or the whole of it",
}


class LadderError(Exception):
    """The ladder is broken; the message is one line naming the file and line at fault."""


@dataclass(frozen=True)
class Challenge:
    """One thing to try in one meeting."""

    id: str
    step: int
    do: str
    tip: str
    why: str
    # Suggested if-then plans ("When X, I will Y."), at least one from the content.
    plans: tuple[str, ...] = ()
    kind: str = ""  # one of KINDS ("" only where no content is involved, as in tests)


@dataclass(frozen=True)
class Step:
    """One rung of the ladder, with its challenges in file order."""

    number: int
    name: str
    summary: str
    challenges: tuple[Challenge, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "challenges", tuple(self.challenges))


@dataclass(frozen=True)
class Ladder:
    """All the steps, numbered 1..top, each with at least two challenges (so a swap
    always has somewhere to go) and every challenge id unique."""

    steps: tuple[Step, ...]
    _by_number: dict[int, Step] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Challenge] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        if not steps:
            raise LadderError("the ladder has no steps")
        by_id: dict[str, Challenge] = {}
        for expected, step in enumerate(steps, start=1):
            if step.number != expected:
                raise LadderError(
                    f"steps must be numbered 1..{len(steps)} in order; "
                    f"expected step {expected}, found step {step.number}"
                )
            if len(step.challenges) < 2:
                raise LadderError(f"step {step.number} needs at least 2 challenges")
            for challenge in step.challenges:
                if challenge.step != step.number:
                    raise LadderError(
                        f"challenge {challenge.id!r} says step {challenge.step} "
                        f"but sits in step {step.number}"
                    )
                if challenge.kind and challenge.kind not in KINDS:
                    raise LadderError(
                        f"challenge {challenge.id!r} has kind {challenge.kind!r}; "
                        f"kinds are {', '.join(KINDS)}"
                    )
                if challenge.id in by_id:
                    raise LadderError(f"challenge id {challenge.id!r} is used twice")
                by_id[challenge.id] = challenge
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "_by_number", {s.number: s for s in steps})
        object.__setattr__(self, "_by_id", by_id)

    @property
    def top(self) -> int:
        """The highest step number."""
        return self.steps[-1].number

    def step(self, n: int) -> Step:
        """Step number ``n``; ValueError if there is none."""
        try:
            return self._by_number[n]
        except (KeyError, TypeError):
            raise ValueError(f"no step {n!r} on the ladder (steps are 1..{self.top})") from None

    def challenge(self, challenge_id: str) -> Challenge:
        """The challenge with this id; ValueError if there is none."""
        try:
            return self._by_id[challenge_id]
        except (KeyError, TypeError):
            raise ValueError(f"no challenge {challenge_id!r} on the ladder") from None

    def has_challenge(self, challenge_id: str) -> bool:
        try:
            return challenge_id in self._by_id
        except TypeError:
            return False

    def first_challenge(self, step: int) -> Challenge:
        """The first challenge of a step, in file order."""
        return self.step(step).challenges[0]

    def next_challenge_in_step(self, step: int, after_id: str) -> Challenge:
        """The challenge after ``after_id`` in this step, wrapping round to the first.

        A "swap" therefore always gives a different challenge (a step has two or more),
        and swapping repeatedly visits every challenge of the step in turn. If
        ``after_id`` is not in this step (say, a challenge from another step, or one
        since removed from the content), the step's first challenge is returned.
        """
        challenges = self.step(step).challenges
        for i, challenge in enumerate(challenges):
            if challenge.id == after_id:
                return challenges[(i + 1) % len(challenges)]
        return challenges[0]

    def current(self, step: int | None, challenge_id: str | None) -> tuple[Step, Challenge]:
        """Her step and challenge as the ladder has them now: a step moved into range, and
        a challenge the ladder file no longer has replaced by its step's first."""
        where = self.step(self.clamp(step or 1))
        if not self.has_challenge(challenge_id or ""):
            return where, where.challenges[0]
        return where, self.challenge(challenge_id)

    def clamp(self, n: int) -> int:
        """``n`` moved into 1..top."""
        return max(1, min(self.top, n))
