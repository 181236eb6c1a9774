"""An honest measure of growth: the self-efficacy check's mean, and whether a change in
it is more than noise (PRODUCT §3.12; the check's items are not built yet).

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
