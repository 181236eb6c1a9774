"""A listener process's queue: what it takes, and when it stops by itself."""

from __future__ import annotations

import os
import queue
import threading
import time

import pytest

from bot.slack import handover
from bot.slack.slots import CpuSlots


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch):
    monkeypatch.setattr(handover, "WATCH_SECONDS", 0.01)


def test_it_takes_what_its_worker_hands_over_until_told_to_stop():
    parcels = queue.Queue()
    for parcel in (("body 1", {}), ("body 2", {}), None, ("never taken", {})):
        parcels.put(parcel)
    stopping = threading.Event()
    taken = list(handover._parcels(parcels, os.getppid(), stopping, CpuSlots(1)))
    assert taken == [("body 1", {}), ("body 2", {})]
    assert parcels.qsize() == 1  # its None was its own: not put back
    # The thread that took the None stops the process's other threads too.
    assert stopping.is_set()
    assert list(handover._parcels(parcels, os.getppid(), stopping, CpuSlots(1))) == []


def test_it_stops_once_its_worker_is_gone_even_gone_before_it_looked():
    # Started by a worker killed while this process was starting: its parent is already
    # another process, which it must not take for its worker.
    gone = os.getppid() + 1_000_000
    stopping = threading.Event()
    assert list(handover._parcels(queue.Queue(), gone, stopping, CpuSlots(1))) == []
    assert stopping.is_set()


def test_a_none_taken_by_a_process_already_stopping_is_left_for_another_process():
    """One None a process: a thread that was waiting on the queue while another thread of
    its process took that process's None puts the next one back, for a process that
    still waits for its own."""

    class Racing:
        def __init__(self, stopping: threading.Event):
            self.stopping, self.put_back = stopping, []

        def get(self, timeout: float):
            self.stopping.set()  # meanwhile, this process's other thread took its None
            return None

        def put(self, item) -> None:
            self.put_back.append(item)

    stopping = threading.Event()
    racing = Racing(stopping)
    assert list(handover._parcels(racing, os.getppid(), stopping, CpuSlots(1))) == []
    assert racing.put_back == [None]


class CountedSlots(CpuSlots):
    def __init__(self, slots: int):
        super().__init__(slots)
        self.taken = self.given_back = 0

    def take(self, timeout: float) -> bool:
        took = super().take(timeout)
        self.taken += took
        return took

    def give_back(self) -> None:
        self.given_back += 1
        super().give_back()


def _two_parcels_then_stop(slots: CpuSlots):
    parcels = queue.Queue()
    for parcel in (("body 1", {}), ("body 2", {}), None):
        parcels.put(parcel)
    return handover._parcels(parcels, os.getppid(), threading.Event(), slots)


def test_a_parcel_is_taken_only_with_a_slot_kept_from_one_parcel_to_the_next():
    slots = CountedSlots(1)
    taking = _two_parcels_then_stop(slots)
    assert next(taking) == ("body 1", {})
    assert (slots.free(), slots.taken) == (0, 1)
    # The slot stays this thread's for its next parcel: no other thread wakes to take it.
    assert next(taking) == ("body 2", {})
    assert (slots.free(), slots.taken, slots.given_back) == (0, 1, 0)
    assert list(taking) == []  # stopped: the slot is given back
    assert (slots.free(), slots.given_back) == (1, 1)


def test_one_slot_too_many_is_given_back_and_the_next_parcel_waits_for_one():
    """A request back from Slack after its slot went to another makes one too many: the
    thread that finishes first gives its slot back and waits for one again."""
    slots = CountedSlots(1)
    taking = _two_parcels_then_stop(slots)
    assert next(taking) == ("body 1", {})
    slots._take_back()  # another thread's request, back from Slack: one too many
    done_later = threading.Timer(0.3, slots._lend)  # ...and done a little later
    done_later.start()
    began = time.monotonic()
    assert next(taking) == ("body 2", {})
    assert time.monotonic() - began >= 0.25  # it waited for that one to be done
    assert (slots.taken, slots.given_back) == (2, 1)
    done_later.join()
    assert list(taking) == []
    assert slots.free() == 1


def test_while_every_slot_is_taken_the_queue_is_left_alone():
    parcels = queue.Queue()
    parcels.put(("body", {}))
    slots = CpuSlots(1)
    assert slots.take(timeout=1)  # another thread's request, under way
    stopping = threading.Event()
    taken = []
    thread = threading.Thread(
        target=lambda: taken.extend(handover._parcels(parcels, os.getppid(), stopping, slots))
    )
    thread.start()
    try:
        thread.join(0.2)
        assert taken == [] and parcels.qsize() == 1
        slots.give_back()
        parcels.put(None)
        thread.join(5)
        assert taken == [("body", {})]
    finally:
        stopping.set()
        thread.join(5)
