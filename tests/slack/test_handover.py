"""A listener process's queue: what it takes, and when it stops by itself."""

from __future__ import annotations

import os
import queue

import pytest

from bot.slack import handover


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch):
    monkeypatch.setattr(handover, "WATCH_SECONDS", 0.01)


def test_it_takes_what_its_worker_hands_over_until_told_to_stop():
    parcels = queue.Queue()
    for parcel in (("body 1", {}), ("body 2", {}), None, ("never taken", {})):
        parcels.put(parcel)
    taken = list(handover._parcels(parcels, os.getppid()))
    assert taken == [("body 1", {}), ("body 2", {})]


def test_it_stops_once_its_worker_is_gone_even_gone_before_it_looked():
    # Started by a worker killed while this process was starting: its parent is already
    # another process, which it must not take for its worker.
    gone = os.getppid() + 1_000_000
    assert list(handover._parcels(queue.Queue(), gone)) == []
