"""An honest measure of growth: the self-efficacy check's mean, and whether a change in
it is more than noise (PRODUCT §3.12; the items are content: bot/content/efficacy.yml).

A change in a scale's mean counts as real when it is larger than the *reliable-change*
threshold (Jacobson & Truax 1991): 1.96 x the standard error of a difference,
SE_diff = SD x sqrt(2) x sqrt(1 - reliability), where SD is the spread of people's means
and reliability is Cronbach's alpha of the items across people. Both come from the
workspace's answers once at least ``MIN_PEOPLE`` have answered; before that from
stated defaults: SD 18 points and alpha 0.90, typical of Bandura-format self-efficacy
scales of a handful of items (so about 16 points).

Pure, with ``statistics`` from the standard library: the sums are a few lines and
numpy is not a dependency of the app (only of matplotlib).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

ITEMS = 6
MIN_PEOPLE = 30
DEFAULT_SD = 18.0
DEFAULT_ALPHA = 0.90
Z = 1.96  # two-sided 95 %


def mean(answers: Sequence[int]) -> float:
    return sum(answers) / len(answers)


def cronbach_alpha(people: Sequence[Sequence[int]]) -> float | None:
    """Alpha = k/(k-1) x (1 - sum of item variances / variance of totals); None when
    the totals do not vary (nothing to say)."""
    k = len(people[0])
    items = [statistics.variance([p[i] for p in people]) for i in range(k)]
    totals = statistics.variance([sum(p) for p in people])
    if totals == 0:
        return None
    return k / (k - 1) * (1 - sum(items) / totals)


@dataclass(frozen=True)
class Threshold:
    points: float  # a change in the mean at least this large is reliable
    from_people: int  # 0: the stated defaults


def reliable_change(people: Sequence[Sequence[int]]) -> Threshold:
    """The threshold from everyone's latest answers (six items each), or the defaults
    with fewer than ``MIN_PEOPLE``."""
    alpha = cronbach_alpha(people) if len(people) >= MIN_PEOPLE else None
    if alpha is None:
        sd, alpha, n = DEFAULT_SD, DEFAULT_ALPHA, 0
    else:
        sd, n = statistics.stdev([mean(p) for p in people]), len(people)
    alpha = min(max(alpha, 0.0), 0.99)
    return Threshold(Z * sd * math.sqrt(2) * math.sqrt(1 - alpha), n)


def within_noise(change: float, threshold: Threshold) -> bool:
    return abs(change) < threshold.points


# -- the scale, and what her answers say ---------------------------------------------


@dataclass(frozen=True)
class Item:
    step: int  # the ladder step it is about
    text: str  # finishes the stem: "share your idea when …?"


@dataclass(frozen=True)
class Scale:
    stem: str  # "How certain are you that you can …"
    items: tuple[Item, ...]  # easy to hard
    looking_back: str  # the retrospective ("then-test") item


class ScaleError(ValueError):
    """The check's content is broken; the message is one line naming the file."""


class Shift(StrEnum):
    """Her view now of 4 weeks ago, against what she said 4 weeks ago."""

    UP = "up"  # she now rates then lower: her standards moved up
    DOWN = "down"  # she now rates then higher
    SAME = "same"


@dataclass(frozen=True)
class Growth:
    """Her check's mean over time, and whether its changes are more than noise."""

    first: float
    latest: float
    previous: float | None  # the check before the latest (None: one check so far)
    checks: int
    threshold: Threshold
    looking_back: int | None  # her latest answer to the looking-back item
    then: float | None  # her mean 4 weeks before the latest (when she answered then)

    @property
    def since_first(self) -> float | None:
        return None if self.checks < 2 else self.latest - self.first

    @property
    def since_last(self) -> float | None:
        return None if self.previous is None else self.latest - self.previous

    @property
    def shift(self) -> Shift | None:
        """Whether her standards moved: her looking-back answer against her mean then.
        A gap within the noise counts as none."""
        if self.looking_back is None or self.then is None:
            return None
        gap = self.looking_back - self.then
        if within_noise(gap, self.threshold):
            return Shift.SAME
        return Shift.UP if gap < 0 else Shift.DOWN


def growth(
    means: Sequence[tuple[int, float]],
    threshold: Threshold,
    *,
    looking_back: int | None = None,
) -> Growth | None:
    """From her answered checks as (round, mean), oldest first; ``looking_back`` is her
    latest check's answer. The looking-back item is compared with the check exactly one
    round (4 weeks) before the latest, if she answered it."""
    if not means:
        return None
    latest_round, latest = means[-1]
    then = next((m for r, m in means if r == latest_round - 1), None)
    return Growth(
        first=means[0][1],
        latest=latest,
        previous=means[-2][1] if len(means) > 1 else None,
        checks=len(means),
        threshold=threshold,
        looking_back=looking_back,
        then=then,
    )
