"""The listener pool's two lanes: listeners still owing Slack an ack go first."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from bot.slack.listener_pool import ListenerPool, dispatching, owes_an_ack


def _request(answered: bool) -> SimpleNamespace:
    ack = SimpleNamespace(response="ok" if answered else None)
    return SimpleNamespace(context=SimpleNamespace(ack=ack))


@pytest.fixture
def pool():
    pool = ListenerPool(1)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


def _blocked(pool: ListenerPool) -> threading.Event:
    """Keeps the pool's one thread busy until the event is set."""
    go, started = threading.Event(), threading.Event()
    pool.submit(lambda: (started.set(), go.wait(5)))
    assert started.wait(5)
    return go


def test_a_listener_owing_an_ack_runs_before_earlier_work_of_answered_requests(pool):
    ran: list[str] = []
    go = _blocked(pool)
    for name in ("click 1", "click 2"):
        with dispatching(_request(answered=True)):
            pool.submit(ran.append, name)
    with dispatching(_request(answered=False)):
        pool.submit(ran.append, "help")
    with dispatching(_request(answered=True)):
        pool.submit(ran.append, "click 3")
    assert pool.in_flight == 5
    go.set()
    assert pool.wait_idle(5)
    assert ran == ["help", "click 1", "click 2", "click 3"]
    assert pool.in_flight == 0


def test_work_submitted_outside_a_request_waits_its_turn(pool):
    ran: list[str] = []
    go = _blocked(pool)
    pool.submit(ran.append, "job")
    with dispatching(_request(answered=False)):
        assert owes_an_ack()
        pool.submit(ran.append, "help")
    assert not owes_an_ack()  # the thread dispatches nothing now
    go.set()
    assert pool.wait_idle(5)
    assert ran == ["help", "job"]


def test_a_lazy_listener_waits_behind_the_ack_of_the_request_it_came_with(pool):
    # Bolt submits a command's ack function and its lazy listener from the thread that
    # dispatches the command, before the ack: only the ack function owes it.
    ran: list[str] = []
    go = _blocked(pool)
    with dispatching(_request(answered=True)):
        pool.submit(ran.append, "click")
    with dispatching(_request(answered=False)):
        pool.submit(ran.append, "ack /voice progress")
        pool.submit_after_ack(ran.append, "its reply")
        assert owes_an_ack()
    go.set()
    assert pool.wait_idle(5)
    assert ran == ["ack /voice progress", "click", "its reply"]


def test_shutting_down_cancels_what_is_queued_and_refuses_more(pool):
    go = _blocked(pool)
    with dispatching(_request(answered=False)):
        queued = [pool.submit(lambda: None) for _ in range(3)]
    pool.shutdown(wait=False, cancel_futures=True)
    go.set()
    assert all(f.cancelled() for f in queued)
    assert pool.wait_idle(5)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)


def test_a_listener_that_raises_is_counted_out(pool):
    def fail():
        raise ValueError("boom")

    future = pool.submit(fail)
    assert pool.wait_idle(5)
    assert isinstance(future.exception(), ValueError)
