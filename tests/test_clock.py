"""The clocks the app can be given (real time, and a scaled one for benchmarks and demos),
and values kept fresh by the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot import clock as clocks
from bot.bootstrap import clock_of
from bot.clock import Fresh, ScaledClock, SystemClock
from bot.settings import load_settings
from tests.support.clock import FakeClock

START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


@pytest.fixture
def real(monkeypatch):
    """Real time, moved by hand: ``real[0]`` is what time.time() returns."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(clocks.time, "time", lambda: now[0])
    return now


def test_a_scaled_clock_reads_its_start_at_its_anchor_and_runs_speed_times_faster(real):
    clock = ScaledClock(START, 60, anchor=real[0])
    assert clock.now() == START
    real[0] += 10  # ten real seconds are ten minutes
    assert clock.now() == START + timedelta(minutes=10)
    real[0] -= 20  # before the anchor it runs backwards in step
    assert clock.now() == START - timedelta(minutes=10)
    assert clock.now().tzinfo == UTC


def test_processes_started_at_different_times_agree_on_the_time(real):
    anchor = real[0]
    first = ScaledClock(START, 50, anchor=anchor)
    real[0] += 7.25  # the second process starts later
    second = ScaledClock(START, 50, anchor=anchor)
    assert first.now() == second.now() == START + timedelta(seconds=7.25 * 50)


def test_without_an_anchor_the_clock_starts_when_it_is_made(real):
    clock = ScaledClock(START, 20)
    real[0] += 3
    assert clock.now() == START + timedelta(seconds=60)


def test_a_start_in_another_zone_is_the_same_instant_in_utc(real):
    berlin_noon = datetime(2026, 3, 2, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    clock = ScaledClock(berlin_noon, 1, anchor=real[0])
    assert clock.now() == START and clock.now().tzinfo == UTC


def test_real_time_of_an_instant(real):
    clock = ScaledClock(START, 100, anchor=real[0])
    assert clock.real_time_of(START + timedelta(minutes=100)) == real[0] + 60


def test_what_a_clock_reads_after_some_real_seconds(real):
    """Slack's limits are in real seconds: a wait of one reads a minute later at 60x."""
    assert clocks.after(ScaledClock(START, 60, anchor=real[0]), 1.5) == START + timedelta(
        seconds=90
    )
    assert clocks.after(FakeClock(START), 1.5) == START + timedelta(seconds=1.5)


@pytest.mark.parametrize(
    ("start", "speed"), [(datetime(2026, 3, 2, 13, 0), 60), (START, 0), (START, -2)]
)
def test_a_naive_start_or_a_speed_not_above_zero_is_refused(start, speed):
    with pytest.raises(ValueError):
        ScaledClock(start, speed)


def test_the_app_gets_the_clock_its_settings_ask_for(real):
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert isinstance(clock_of(load_settings(base, env_file=None)), SystemClock)
    scaled = clock_of(
        load_settings(
            base | {"CLOCK_START": START.isoformat(), "CLOCK_SPEED": "30", "CLOCK_ANCHOR": "1e9"},
            env_file=None,
        )
    )
    assert isinstance(scaled, ScaledClock)
    assert (scaled.start, scaled.speed, scaled.anchor) == (START, 30, 1e9)
    real[0] = 1e9 + 2
    assert scaled.now() == START + timedelta(minutes=1)


def test_a_fresh_value_is_worked_out_again_only_when_it_is_old():
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    fresh, worked = Fresh(clock, timedelta(minutes=10)), []

    def work(key):
        worked.append(key)
        return len(worked)

    assert fresh.get("T1", lambda: work("T1")) == 1
    clock.advance(minutes=9)
    assert fresh.get("T1", lambda: work("T1")) == 1  # still fresh
    assert fresh.get("T2", lambda: work("T2")) == 2  # each key its own
    clock.advance(minutes=1)
    assert fresh.get("T1", lambda: work("T1")) == 3  # 10 minutes old: again
    clock.advance(minutes=-5)  # a clock moved back: again
    assert fresh.get("T1", lambda: work("T1")) == 4
    assert worked == ["T1", "T2", "T1", "T1"]
