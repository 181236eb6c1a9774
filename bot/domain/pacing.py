"""Whose turn it is to get a DM: one message at a time per DM, a second apart.

Slack takes about one chat.postMessage a second in a channel and answers a quicker
second one with 429, which holds back every check-in of her workspace. Two meetings
in the same slot of her calendar make two check-ins due at the same instant, so the
senders take turns per DM: a send waits while another to the same DM is on the wire,
and until ``gap`` seconds after that one came back.

Times are plain seconds on a monotonic clock (Slack's limits are in real seconds,
whatever the app's own clock says).
"""

from __future__ import annotations

from collections.abc import Hashable

# Slack's documented per-channel rate for chat.postMessage.
PER_DM_SECONDS = 1.0
# Past this many DMs remembered, the ones whose gap is over are forgotten.
_REMEMBERED = 4096


class DmTurns:
    """Not thread-safe: the caller holds a lock around each call."""

    def __init__(self, gap: float = PER_DM_SECONDS):
        self.gap = gap
        self._busy: set[Hashable] = set()
        self._free_at: dict[Hashable, float] = {}

    def take(self, dm: Hashable, now: float) -> float:
        """Take the turn of ``dm`` and return 0, or return how long to wait before
        asking again (the turn is not taken)."""
        if dm in self._busy:
            return self.gap
        free_at = self._free_at.get(dm, now)
        if free_at > now:
            return free_at - now
        self._busy.add(dm)
        return 0.0

    def give_back(self, dm: Hashable, now: float, *, sent: bool) -> None:
        """End the turn taken for ``dm``; after a send (delivered or refused: it reached
        Slack) the next one waits ``gap`` from ``now``."""
        self._busy.discard(dm)
        if sent:
            self._free_at[dm] = now + self.gap
            if len(self._free_at) > _REMEMBERED:
                self._free_at = {k: t for k, t in self._free_at.items() if t > now}
