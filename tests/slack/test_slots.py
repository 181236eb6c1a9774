"""A listener process's CPU slots: how many of its requests run at once, and the slot a
request waiting on Slack lends meanwhile."""

from __future__ import annotations

import threading

import pytest

from bot.slack import slots as slots_module
from bot.slack.slots import CpuSlots, lent_while_waiting

SLOW = lambda seconds: False  # noqa: E731  (no answer within QUICK)


@pytest.fixture(autouse=True)
def _no_slot_left_held():
    """A slot these tests take in pytest's own thread is not its next test's."""
    yield
    slots_module._HELD.slots = None


def _in_thread(work) -> list:
    """``work()`` in a thread of its own, to its end; its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
    return result


def test_no_more_requests_start_than_there_are_slots():
    slots = CpuSlots(2)
    assert _in_thread(lambda: slots.take(timeout=1)) == [True]
    assert _in_thread(lambda: slots.take(timeout=1)) == [True]
    assert _in_thread(lambda: slots.take(timeout=0.05)) == [False]
    slots.give_back()  # (any thread's: the count is the process's)
    assert _in_thread(lambda: slots.take(timeout=1)) == [True]


def test_a_request_waiting_on_slack_lends_its_slot_and_takes_it_back_on_its_answer():
    slots = CpuSlots(1)
    assert slots.take(timeout=1)
    with lent_while_waiting(SLOW):
        # Another request starts meanwhile.
        assert _in_thread(lambda: slots.take(timeout=1)) == [True]
    # Back from Slack, this one goes on at once, one over the slots; when it is done it
    # gives its slot back, and no new request starts until the other one is done too.
    assert slots.free() == -1
    assert slots.keep() is False
    assert _in_thread(lambda: slots.take(timeout=0.05)) == [False]
    slots.give_back()
    assert _in_thread(lambda: slots.take(timeout=1)) == [True]


def test_a_quick_answer_lends_nothing():
    slots = CpuSlots(1)
    assert slots.take(timeout=1)
    asked = []
    with lent_while_waiting(lambda seconds: asked.append(seconds) or True):
        assert _in_thread(lambda: slots.take(timeout=0.05)) == [False]
    assert asked == [slots_module.QUICK]
    assert slots.free() == 0
    assert slots.keep() is True  # and it keeps its slot for its next request
    assert slots.free() == 0


def test_a_thread_without_a_slot_is_left_alone():
    """The worker's threads and the dispatcher's senders call Slack too: they hold no
    slot, lend none, and don't wait for an answer to see whether to."""
    slots = CpuSlots(1)
    assert slots.take(timeout=1)

    def elsewhere():
        with lent_while_waiting(lambda seconds: pytest.fail("asked")):
            return slots.free()

    assert _in_thread(elsewhere) == [0]


def test_a_request_lends_only_the_slot_it_holds():
    slots = CpuSlots(1)
    assert slots.take(timeout=1)
    slots.give_back()
    with lent_while_waiting(SLOW):
        assert slots.free() == 1  # given back already: nothing more to lend


def test_a_sleep_before_a_retry_lends_the_slot_at_once():
    slots = CpuSlots(1)
    assert slots.take(timeout=1)

    class Sleeper:
        def prepare_for_next_attempt(self, **kwargs) -> None:
            kwargs["seen"].append(slots.free())

    class LendingSleeper(slots_module.LendingWhileSleeping, Sleeper):
        pass

    seen = []
    LendingSleeper().prepare_for_next_attempt(seen=seen)
    assert seen == [1] and slots.free() == 0


def test_a_process_needs_a_slot():
    with pytest.raises(ValueError):
        CpuSlots(0)
