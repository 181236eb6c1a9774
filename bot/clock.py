"""Time is injected: code asks a clock, tests move it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        # datetime.now reads time.time(), which time-machine moves in tests.
        return datetime.now(UTC)
