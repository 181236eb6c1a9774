"""Bolt's listener threads: a listener whose request still waits for its acknowledgement
runs before the work left over from requests already answered.

Bolt hands every listener to this pool and, for a command or a modal submission, holds
the HTTP request until the listener calls ack(). A click's request is answered as soon as
it is verified, and an event's by Bolt itself, so their listeners are only work after the
acknowledgement (a reply, a Slack call). Under load that work queues up; in a first-come
queue a ``/voice help`` waited behind it, and its acknowledgement with it
(bench/ack_latency.py at 8 in flight on SQLite: help p50 65–77 ms, 47–57 with two lanes).
That lane can't starve the other: it holds at most one listener per request the server
is serving (8 threads), fewer than the pool's threads.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from slack_bolt import BoltRequest

from bot.observability import metrics

# The request this thread is dispatching: Bolt submits a request's listener from the
# thread that dispatches it (``dispatching``), so the pool can ask whether it is answered.
_DISPATCHING = threading.local()


@contextmanager
def dispatching(request: BoltRequest) -> Iterator[None]:
    """Around Bolt's dispatch of ``request`` in this thread."""
    _DISPATCHING.request = request
    try:
        yield
    finally:
        _DISPATCHING.request = None


def owes_an_ack() -> bool:
    """Whether the request this thread is dispatching is still waiting for its ack."""
    request = getattr(_DISPATCHING, "request", None)
    return request is not None and request.context.ack.response is None


class _TwoLanes:
    """The pool's queue of work: listeners owing an ack first, then the rest, each in the
    order they came. (ThreadPoolExecutor's threads call ``get``; ``submit`` calls ``put``
    from the dispatching thread; ``shutdown`` puts None to stop them, after all work.)"""

    def __init__(self):
        self._owing: deque = deque()
        self._answered: deque = deque()
        self._ready = threading.Condition()

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        with self._ready:
            lane = self._owing if item is not None and owes_an_ack() else self._answered
            lane.append(item)
            self._ready.notify()

    def get(self, block: bool = True, timeout: float | None = None):
        with self._ready:
            if not self._ready.wait_for(self._any, timeout if block else 0):
                raise queue.Empty
            return (self._owing or self._answered).popleft()

    def get_nowait(self):
        return self.get(block=False)

    def _any(self) -> bool:
        return bool(self._owing or self._answered)


class ListenerPool(ThreadPoolExecutor):
    """The threads, and a count of the listeners queued or running: a click is
    acknowledged before its listener starts, so this count, not the time to acknowledge,
    shows a process falling behind (``voice_coach_listeners_in_flight``); tests wait for
    it to reach 0 before reading what a listener wrote."""

    def __init__(self, threads: int):
        super().__init__(threads, thread_name_prefix="listener")
        # Its own queue is first come, first served. Its threads and shutdown use only
        # put, get and get_nowait of ``_work_queue`` (since Python 3.7);
        # tests/slack/test_listener_pool.py fails if that changes.
        self._work_queue = _TwoLanes()
        self._changed = threading.Condition()
        self._in_flight = 0

    def submit(self, fn, /, *args, **kwargs):
        self._count(+1)
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._count(-1)
            raise
        future.add_done_callback(lambda _: self._count(-1))
        return future

    def submit_after_ack(self, fn, /, *args, **kwargs):
        """Work that never owes an ack (a lazy listener's), in the second lane whatever
        request this thread is dispatching."""
        request = getattr(_DISPATCHING, "request", None)
        _DISPATCHING.request = None
        try:
            return self.submit(fn, *args, **kwargs)
        finally:
            _DISPATCHING.request = request

    def _count(self, change: int) -> None:
        with self._changed:
            self._in_flight += change
            metrics.LISTENERS_IN_FLIGHT.inc(change)
            self._changed.notify_all()

    @property
    def in_flight(self) -> int:
        """Listeners queued or running now."""
        return self._in_flight

    def wait_idle(self, timeout: float) -> bool:
        """Whether every listener submitted so far finished within ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)
