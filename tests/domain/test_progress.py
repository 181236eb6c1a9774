"""Progress (PRODUCT §3 journey 7): local weeks, weekly confidence, the streak, wins
and sparklines, with time zones and daylight-saving changes handled exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.progress import (
    PracticeRecord,
    WeekConfidence,
    current_streak,
    sparkline,
    week_start,
    weekly_confidence,
    wins,
)

NEW_YORK = ZoneInfo("America/New_York")  # DST starts Sun 8 Mar 2026, ends Sun 1 Nov 2026
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30 all year

# Mondays of March 2026, for reading the cases below.
FEB_23, MAR_2, MAR_9, MAR_16 = (date(2026, 2, 23) + timedelta(weeks=i) for i in range(4))
TODAY = date(2026, 3, 18)  # a Wednesday, in the week of 16 March


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, tz: ZoneInfo = NEW_YORK) -> datetime:
    """A wall-clock time in `tz`, stored as the app stores it: in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def practised(
    when: datetime, before: int | None = None, after: int | None = None, *, win: bool = False
) -> PracticeRecord:
    return PracticeRecord(when, True, win, confidence_before=before, confidence_after=after)


def did_not_happen(when: datetime, before: int | None = None) -> PracticeRecord:
    return PracticeRecord(when, False, False, confidence_before=before, confidence_after=None)


# -- PracticeRecord -------------------------------------------------------------------


def test_practice_record_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        PracticeRecord(datetime(2026, 3, 9, 10), True, False, None, None)


@pytest.mark.parametrize("field", ["confidence_before", "confidence_after"])
@pytest.mark.parametrize("value", [-1, 101])
def test_practice_record_confidence_is_0_to_100(field, value):
    values = {"confidence_before": None, "confidence_after": None, field: value}
    with pytest.raises(ValueError, match=field):
        PracticeRecord(utc("2026-03-09 10:00"), True, False, **values)


# -- week_start -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        # Sunday 23:30 in New York (EDT, just after the spring change), Monday 09:00 in Kolkata.
        (utc("2026-03-09 03:30"), NEW_YORK, MAR_2),
        (utc("2026-03-09 03:30"), KOLKATA, MAR_9),
        # Monday 00:00 EDT is 04:00 UTC: the week turns there, not at 05:00 (EST).
        (utc("2026-03-09 03:59:59"), NEW_YORK, MAR_2),
        (utc("2026-03-09 04:00"), NEW_YORK, MAR_9),
        # The Monday before the change, Monday 00:00 EST is 05:00 UTC.
        (utc("2026-03-02 04:59:59"), NEW_YORK, FEB_23),
        (utc("2026-03-02 05:00"), NEW_YORK, MAR_2),
        # Kolkata's Monday starts on Sunday 18:30 UTC.
        (utc("2026-03-08 18:29:59"), KOLKATA, MAR_2),
        (utc("2026-03-08 18:30"), KOLKATA, MAR_9),
        # Autumn: clocks go back on Sun 1 Nov; Monday 2 Nov 00:00 EST is 05:00 UTC.
        (utc("2026-11-02 04:30"), NEW_YORK, date(2026, 10, 26)),
        (utc("2026-11-02 05:00"), NEW_YORK, date(2026, 11, 2)),
        # The repeated hour 01:00-02:00 on Sunday 1 Nov stays in the same week.
        (local("2026-11-01 01:30", NEW_YORK), NEW_YORK, date(2026, 10, 26)),
        # Any aware time is fine, not only UTC.
        (datetime(2026, 3, 9, 9, 0, tzinfo=KOLKATA), NEW_YORK, MAR_2),
    ],
)
def test_week_start_is_the_local_monday(instant, tz, expected):
    assert week_start(instant, tz) == expected
    assert expected.weekday() == 0


def test_week_start_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        week_start(datetime(2026, 3, 9, 10), NEW_YORK)


# -- weekly_confidence ----------------------------------------------------------------


def week(start: date, before=None, after=None, attempts=0) -> WeekConfidence:
    return WeekConfidence(start, before, after, attempts)


@pytest.mark.parametrize(
    ("records", "tz", "weeks", "expected"),
    [
        pytest.param([], NEW_YORK, None, [], id="no records"),
        pytest.param([], NEW_YORK, 4, [], id="no records, with a window"),
        pytest.param(
            [practised(local("2026-03-17 10:00"), 40, 60)],
            NEW_YORK,
            None,
            [week(MAR_16, 40, 60, 1)],
            id="one record this week",
        ),
        pytest.param(
            [
                practised(local("2026-02-24 10:00"), 30, 50),
                practised(local("2026-02-26 10:00"), 40, 70),
                practised(local("2026-03-10 10:00"), 55, 75),
            ],
            NEW_YORK,
            None,
            [
                week(FEB_23, 35, 60, 2),
                week(MAR_2),  # nothing that week: a gap, not a hole
                week(MAR_9, 55, 75, 1),
                week(MAR_16),  # today's week, still empty
            ],
            id="means and empty weeks, oldest first",
        ),
        pytest.param(
            [
                practised(local("2026-03-10 10:00"), 20, None),
                practised(local("2026-03-11 10:00"), None, 90),
                practised(local("2026-03-12 10:00"), None, None),
            ],
            NEW_YORK,
            None,
            [week(MAR_9, 20, 90, 3), week(MAR_16)],
            id="missing answers are left out of the means, attempts still count",
        ),
        pytest.param(
            [
                practised(local("2026-03-10 10:00"), 50, 80),
                did_not_happen(local("2026-03-11 10:00"), before=10),
                did_not_happen(local("2026-03-02 10:00"), before=10),
            ],
            NEW_YORK,
            None,
            [week(MAR_2), week(MAR_9, 50, 80, 1), week(MAR_16)],
            id="meetings that didn't happen are not practice",
        ),
        pytest.param(
            [practised(local("2026-03-10 10:00"), 50, 80)],
            NEW_YORK,
            4,
            [week(FEB_23), week(MAR_2), week(MAR_9, 50, 80, 1), week(MAR_16)],
            id="a window reaches back before her first record",
        ),
        pytest.param(
            [
                practised(local("2026-02-24 10:00"), 10, 20),
                practised(local("2026-03-10 10:00"), 50, 80),
            ],
            NEW_YORK,
            2,
            [week(MAR_9, 50, 80, 1), week(MAR_16)],
            id="a window drops older weeks",
        ),
        pytest.param(
            [
                practised(local("2026-03-10 10:00"), 50, 80),
                practised(local("2026-03-23 10:00"), 90, 90),
            ],
            NEW_YORK,
            None,
            [week(MAR_9, 50, 80, 1), week(MAR_16)],
            id="records after today's week are ignored",
        ),
        pytest.param(
            [practised(utc("2026-03-09 03:30"), 30, 60), practised(utc("2026-03-17 15:00"))],
            NEW_YORK,
            None,
            [week(MAR_2, 30, 60, 1), week(MAR_9), week(MAR_16, None, None, 1)],
            id="New York: Sunday evening belongs to the week before",
        ),
        pytest.param(
            [practised(utc("2026-03-09 03:30"), 30, 60), practised(utc("2026-03-17 15:00"))],
            KOLKATA,
            None,
            [week(MAR_9, 30, 60, 1), week(MAR_16, None, None, 1)],
            id="Kolkata: the same instant is Monday morning",
        ),
        pytest.param(
            [
                practised(utc("2026-03-08 06:59"), 10, 20),  # Sun 01:59 EST
                practised(utc("2026-03-08 07:00"), 30, 40),  # Sun 03:00 EDT
                practised(utc("2026-03-09 04:00"), 60, 70),  # Mon 00:00 EDT
            ],
            NEW_YORK,
            None,
            [week(MAR_2, 20, 30, 2), week(MAR_9, 60, 70, 1), week(MAR_16)],
            id="the week the clocks change",
        ),
    ],
)
def test_weekly_confidence(records, tz, weeks, expected):
    assert weekly_confidence(records, tz=tz, today=TODAY, weeks=weeks) == expected


def test_weekly_confidence_does_not_depend_on_record_order():
    records = [
        practised(local("2026-03-10 10:00"), 50, 80),
        practised(local("2026-02-24 10:00"), 30, 50),
        practised(local("2026-03-11 10:00"), 70, 90),
    ]
    forwards = weekly_confidence(records, tz=NEW_YORK, today=TODAY)
    assert weekly_confidence(records[::-1], tz=NEW_YORK, today=TODAY) == forwards
    assert forwards[0].week_start == FEB_23
    assert forwards[2] == week(MAR_9, 60, 85, 2)


def test_weekly_confidence_accepts_a_generator():
    records = (practised(local(f"2026-03-{d} 10:00"), 50, 60) for d in (10, 17))
    assert weekly_confidence(records, tz=NEW_YORK, today=TODAY) == [
        week(MAR_9, 50, 60, 1),
        week(MAR_16, 50, 60, 1),
    ]


@pytest.mark.parametrize("weeks", [0, -1])
def test_weekly_confidence_needs_a_positive_window(weeks):
    with pytest.raises(ValueError, match="weeks"):
        weekly_confidence([], tz=NEW_YORK, today=TODAY, weeks=weeks)


def test_weekly_confidence_over_a_year_has_every_week_once():
    records = [practised(local("2025-03-18 10:00"), 10, 20)]
    result = weekly_confidence(records, tz=NEW_YORK, today=TODAY)
    starts = [w.week_start for w in result]
    assert len(result) == 53
    assert starts[0] == date(2025, 3, 17) and starts[-1] == MAR_16
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(starts))


# -- current_streak -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "tz", "paused", "expected"),
    [
        pytest.param([], NEW_YORK, frozenset(), 0, id="no records"),
        pytest.param(
            [practised(local("2026-03-16 10:00")), practised(local("2026-03-17 10:00"))],
            NEW_YORK,
            frozenset(),
            2,
            id="two this week",
        ),
        pytest.param(
            [practised(local("2026-03-02 10:00")), practised(local("2026-03-10 10:00"))],
            NEW_YORK,
            frozenset(),
            2,
            id="this week still empty: no break yet",
        ),
        pytest.param(
            [practised(local("2026-03-04 10:00"))],
            NEW_YORK,
            frozenset(),
            0,
            id="last week empty too: broken",
        ),
        pytest.param(
            [
                practised(local("2026-02-24 10:00")),
                practised(local("2026-02-25 10:00")),
                # nothing in the week of 2 March: a break
                practised(local("2026-03-10 10:00")),
                practised(local("2026-03-16 10:00")),
            ],
            NEW_YORK,
            frozenset(),
            2,
            id="an empty week breaks it",
        ),
        pytest.param(
            [
                practised(local("2026-02-24 10:00")),
                practised(local("2026-02-25 10:00")),
                practised(local("2026-03-10 10:00")),
                practised(local("2026-03-16 10:00")),
            ],
            NEW_YORK,
            frozenset({MAR_2}),
            4,
            id="a paused week does not break it",
        ),
        pytest.param(
            [practised(local("2026-02-24 10:00")), practised(local("2026-03-10 10:00"))],
            NEW_YORK,
            frozenset({MAR_2, MAR_16}),
            2,
            id="paused this week and a past week",
        ),
        pytest.param(
            [
                practised(local("2026-02-24 10:00")),
                practised(local("2026-03-03 10:00")),
                practised(local("2026-03-10 10:00")),
            ],
            NEW_YORK,
            frozenset({MAR_2}),
            3,
            id="meetings practised in a paused week still count",
        ),
        pytest.param(
            [
                practised(local("2026-03-03 10:00")),
                did_not_happen(local("2026-03-11 10:00")),
                practised(local("2026-03-17 10:00")),
            ],
            NEW_YORK,
            frozenset(),
            1,
            id="a meeting that didn't happen does not keep it going",
        ),
        pytest.param(
            [
                practised(local("2026-03-10 10:00")),
                did_not_happen(local("2026-03-16 10:00")),
                did_not_happen(local("2026-03-17 10:00")),
                practised(local("2026-03-17 15:00")),
            ],
            NEW_YORK,
            frozenset(),
            2,
            id="meetings that didn't happen count for nothing",
        ),
        pytest.param(
            [did_not_happen(local("2026-03-17 10:00"))],
            NEW_YORK,
            frozenset(),
            0,
            id="only meetings that didn't happen",
        ),
        pytest.param(
            [practised(local("2026-03-10 10:00")), practised(local("2026-03-24 10:00"))],
            NEW_YORK,
            frozenset(),
            1,
            id="records after today's week are ignored",
        ),
        pytest.param(
            [practised(utc("2026-03-09 03:30")), practised(utc("2026-03-17 15:00"))],
            KOLKATA,
            frozenset(),
            2,
            id="Kolkata: Monday 9 March, weeks in a row",
        ),
        pytest.param(
            [practised(utc("2026-03-09 03:30")), practised(utc("2026-03-17 15:00"))],
            NEW_YORK,
            frozenset(),
            1,
            id="New York: Sunday 8 March, so the week of 9 March is empty",
        ),
        pytest.param(
            [
                practised(utc("2026-03-02 05:00")),  # Mon 2 Mar 00:00 EST
                practised(utc("2026-03-09 04:00")),  # Mon 9 Mar 00:00 EDT
                practised(utc("2026-03-16 04:00")),  # Mon 16 Mar 00:00 EDT
            ],
            NEW_YORK,
            frozenset(),
            3,
            id="across the clock change, Monday midnight each week",
        ),
        pytest.param(
            [
                practised(utc("2026-03-02 04:59")),  # Sun 1 Mar 23:59 EST
                # so nothing in the week of 2 March: a break
                practised(utc("2026-03-09 04:00")),
                practised(utc("2026-03-16 04:00")),
            ],
            NEW_YORK,
            frozenset(),
            2,
            id="one minute before Monday is the week before",
        ),
    ],
)
def test_current_streak(records, tz, paused, expected):
    assert current_streak(records, tz=tz, today=TODAY, paused_weeks=paused) == expected
    assert current_streak(records[::-1], tz=tz, today=TODAY, paused_weeks=paused) == expected


def test_current_streak_over_many_weeks():
    start = date(2025, 9, 1)
    records = [
        practised(local(f"{start + timedelta(weeks=i, days=1)} 09:30")) for i in range(29)
    ]  # every week from 1 Sep 2025 to the week of 16 Mar 2026, through both clock changes
    assert current_streak(records, tz=NEW_YORK, today=TODAY) == 29
    assert current_streak(records, tz=NEW_YORK, today=TODAY + timedelta(weeks=1)) == 29
    assert current_streak(records, tz=NEW_YORK, today=TODAY + timedelta(weeks=2)) == 0


def test_current_streak_today_is_her_local_date():
    # Tuesday 17 March 01:00 UTC is still Monday evening in New York, Tuesday in Kolkata;
    # either way it is this week, whatever day "today" is within it.
    records = [practised(utc("2026-03-17 01:00"))]
    for today in (MAR_16, TODAY, MAR_16 + timedelta(days=6)):
        assert current_streak(records, tz=NEW_YORK, today=today) == 1
        assert current_streak(records, tz=KOLKATA, today=today) == 1


# -- wins -----------------------------------------------------------------------------


def test_wins_counts_did_it_only():
    records = [
        practised(local("2026-03-10 10:00"), win=True),
        practised(local("2026-03-11 10:00"), win=False),  # partly / not this time
        practised(local("2026-03-12 10:00"), win=True),
        did_not_happen(local("2026-03-13 10:00")),
    ]
    assert wins(records) == 2
    assert wins([]) == 0
    assert wins(iter(records)) == 2


# -- sparkline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kwargs", "expected"),
    [
        ([], {}, ""),
        ([0, 100], {}, "▁█"),
        ([0, 14.3, 28.6, 42.9, 57.1, 71.4, 85.7, 100], {}, "▁▂▃▄▅▆▇█"),
        ([50], {}, "▅"),  # 3.5 of 7 steps rounds up
        ([0.5, 2.5, 4.5], {"low": 0, "high": 7}, "▂▄▆"),  # halves always round up
        ([None, 40, None], {}, "·▄·"),
        ([float("nan")], {}, "·"),
        ([-20, 150], {}, "▁█"),  # clamped
        ([1, 3, 5], {"low": 1, "high": 5}, "▁▅█"),
        ([35.0, None, 60.5, 80.0], {}, "▃·▅▇"),
    ],
)
def test_sparkline(values, kwargs, expected):
    assert sparkline(values, **kwargs) == expected


def test_sparkline_of_weekly_confidence():
    records = [
        practised(local("2026-02-24 10:00"), 20, 40),
        practised(local("2026-03-10 10:00"), 60, 90),
    ]
    weeks = weekly_confidence(records, tz=NEW_YORK, today=TODAY)
    assert sparkline([w.before for w in weeks]) == "▂·▅·"
    assert sparkline([w.after for w in weeks]) == "▄·▇·"


@pytest.mark.parametrize(("low", "high"), [(50, 50), (100, 0)])
def test_sparkline_needs_a_range(low, high):
    with pytest.raises(ValueError, match="high"):
        sparkline([1], low=low, high=high)
