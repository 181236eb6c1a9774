"""What an attempt at a challenge can report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    DID_IT = "did_it"
    PARTLY = "partly"
    NOT_THIS_TIME = "not_this_time"
    DID_NOT_HAPPEN = "did_not_happen"


class Felt(StrEnum):
    TOO_EASY = "too_easy"
    ABOUT_RIGHT = "about_right"
    TOO_HARD = "too_hard"


OUTCOME_LABELS = {
    Outcome.DID_IT: "I did it",
    Outcome.PARTLY: "Partly",
    Outcome.NOT_THIS_TIME: "Not this time",
    Outcome.DID_NOT_HAPPEN: "The meeting didn't happen",
}

FELT_LABELS = {
    Felt.TOO_EASY: "Too easy",
    Felt.ABOUT_RIGHT: "About right",
    Felt.TOO_HARD: "Too hard",
}


@dataclass(frozen=True)
class AttemptResult:
    """One attempt, as the progression policy sees it."""

    outcome: Outcome
    felt: Felt | None = None
    confidence_before: int | None = None
    confidence_after: int | None = None

    @property
    def happened(self) -> bool:
        return self.outcome is not Outcome.DID_NOT_HAPPEN

    @property
    def is_win(self) -> bool:
        return self.outcome is Outcome.DID_IT
