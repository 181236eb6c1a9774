"""How many of a listener process's requests use its CPU at once.

A listener process (``bot.slack.handover``) has many threads, so that requests waiting
for Slack's answer (100–300 ms a call) don't hold up the others. But only one thread
runs Python at a time, and threads that all want it pass it to one another at every
database round trip and every Slack call, each time waking another thread. So a thread
takes a request only with one of a few slots, and lends its slot while it waits for
Slack (``lent_while_waiting``, around the HTTP exchange in bot.slack.transport, once
the answer has taken longer than QUICK; and while slack_sdk sleeps before a retry,
``LendingWhileSleeping``): that many requests compete for the CPU, and as many more as
there are threads wait on Slack meanwhile.
(bench/ack_latency.py, where the fake Slack answers at once, measures what the
contention cost: see ``handover.CPU_SLOTS``.)

A request back from Slack goes on at once, its slot taken back even when another
request holds it by then: work under way never waits here, so no request can wait for
a slot while holding a database lock that another needs. The next new request waits
until the count is back under the slots.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# An answer this quick comes before another thread could make use of the slot: lending
# it would only wake that thread (and then run three requests where two were meant to).
QUICK = 0.002

# The slots a thread of this process holds (taken for its request), if any.
_HELD = threading.local()


class CpuSlots:
    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError("a listener process needs at least one slot")
        self._free = slots
        self._changed = threading.Condition()

    def take(self, timeout: float) -> bool:
        """A slot for this thread's next request; False if none came free in ``timeout``
        seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._free > 0, timeout):
                return False
            self._free -= 1
        _HELD.slots = self
        return True

    def keep(self) -> bool:
        """After this thread's request: it keeps its slot for its next one (no other
        thread need wake up to take it), unless a request back from Slack made one too
        many: then the slot is given back, and False."""
        with self._changed:
            if self._free >= 0:
                return True
        self.give_back()
        return False

    def give_back(self) -> None:
        _HELD.slots = None
        self._lend()

    def free(self) -> int:
        with self._changed:
            return self._free

    def _lend(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify()

    def _take_back(self) -> None:
        with self._changed:
            self._free -= 1


@contextmanager
def lent_while_waiting(answered: Callable[[float], bool] | None = None) -> Iterator[None]:
    """Around a wait: the slot this thread holds, if any, is free for another request
    until the wait is over. For a wait on the network's answer, ``answered``: nothing
    is lent if ``answered(QUICK)`` (the answer came within QUICK seconds). Without it
    (a sleep before a retry), lent at once."""
    slots = getattr(_HELD, "slots", None)
    if slots is None or (answered is not None and answered(QUICK)):
        yield
        return
    slots._lend()
    try:
        yield
    finally:
        slots._take_back()


class LendingWhileSleeping:
    """Mixed into a slack_sdk retry handler (before it): its sleep before the next try
    (a second or so after a connection error or a 500, Slack's Retry-After after a 429)
    lends the request's slot, as a wait for an answer does."""

    def prepare_for_next_attempt(self, **kwargs) -> None:
        with lent_while_waiting():
            super().prepare_for_next_attempt(**kwargs)
