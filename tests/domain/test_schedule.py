"""Meeting occurrences in local wall-clock time, and the timing of their check-ins."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    ALL_DAYS,
    WEEKDAY_NAMES,
    WORKING_DAYS,
    CheckinKind,
    CheckinTimes,
    MeetingRule,
    Occurrence,
    checkin_times,
    describe_duration,
    describe_when,
    local_instant,
    mask_to_weekdays,
    next_occurrence,
    occurrences,
    reminder_time,
    still_useful,
    weekdays_to_mask,
)

NY = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rule(
    *,
    days: tuple[int, ...] = (),
    on_date: date | None = None,
    start: time = time(10, 0),
    minutes: int = 30,
    tz: str = "America/New_York",
) -> MeetingRule:
    return MeetingRule(
        weekdays=weekdays_to_mask(days),
        on_date=on_date,
        start=start,
        duration_minutes=minutes,
        tz=tz,
    )


DAILY = tuple(range(7))


# -- weekday masks -------------------------------------------------------------


def test_weekday_names():
    assert WEEKDAY_NAMES == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.mark.parametrize(
    ("days", "mask"),
    [
        ([], 0),
        ([MON], 0b1),
        ([SUN], 0b1000000),
        ([MON, WED, FRI], 0b10101),
        ([FRI, MON, WED, MON], 0b10101),  # order and repeats don't matter
        ([MON, TUE, WED, THU, FRI], WORKING_DAYS),
        (range(7), ALL_DAYS),
    ],
)
def test_weekdays_to_mask(days, mask):
    assert weekdays_to_mask(days) == mask


def test_mask_round_trips_for_every_mask():
    for mask in range(ALL_DAYS + 1):
        days = mask_to_weekdays(mask)
        assert days == sorted(days)
        assert weekdays_to_mask(days) == mask


@pytest.mark.parametrize("bad", [-1, 7, 10, True, "1", 1.0, None])
def test_weekdays_to_mask_refuses_non_weekdays(bad):
    with pytest.raises(ValueError):
        weekdays_to_mask([MON, bad])


@pytest.mark.parametrize("bad", [-1, 128, 1 << 20])
def test_mask_to_weekdays_refuses_out_of_range(bad):
    with pytest.raises(ValueError):
        mask_to_weekdays(bad)


# -- describing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (5, "5 min"),
        (30, "30 min"),
        (59, "59 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (120, "2 h"),
        (125, "2 h 5 min"),
        (480, "8 h"),
    ],
)
def test_describe_duration(minutes, text):
    assert describe_duration(minutes) == text


@pytest.mark.parametrize(
    ("weekdays", "on_date", "start", "minutes", "text"),
    [
        (0b10101, None, time(10), 30, "Mon, Wed, Fri at 10:00 (30 min)"),
        (WORKING_DAYS, None, time(9, 30), 15, "Every weekday at 09:30 (15 min)"),
        (ALL_DAYS, None, time(8, 5), 60, "Every day at 08:05 (1 h)"),
        (0, date(2026, 12, 1), time(14), 60, "Tue 1 Dec 2026 at 14:00 (1 h)"),
        (0, date(2026, 12, 24), time(14), 90, "Thu 24 Dec 2026 at 14:00 (1 h 30 min)"),
        (0b1100000, None, time(23, 59), 5, "Sat, Sun at 23:59 (5 min)"),
        (0b1000000, None, time(0, 0), 45, "Sun at 00:00 (45 min)"),
        (0b0011110, None, time(12), 480, "Tue, Wed, Thu, Fri at 12:00 (8 h)"),
    ],
)
def test_describe_when(weekdays, on_date, start, minutes, text):
    assert (
        describe_when(weekdays=weekdays, on_date=on_date, start=start, duration_minutes=minutes)
        == text
    )


def test_describe_when_needs_days_or_a_date():
    with pytest.raises(ValueError):
        describe_when(weekdays=0, on_date=None, start=time(10), duration_minutes=30)


# -- the rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(weekdays=0, on_date=None),  # neither days nor a date
        dict(weekdays=1, on_date=date(2026, 5, 1)),  # both
        dict(weekdays=128),
        dict(weekdays=-1),
        dict(duration_minutes=4),
        dict(duration_minutes=481),
        dict(tz="Mars/Olympus_Mons"),
        dict(tz=""),
        dict(tz="../../etc/passwd"),
        dict(start=time(10, tzinfo=UTC)),
    ],
)
def test_meeting_rule_refuses_nonsense(kwargs):
    fields = dict(weekdays=1, on_date=None, start=time(10), duration_minutes=30, tz="UTC")
    with pytest.raises(ValueError):
        MeetingRule(**(fields | kwargs))


def test_meeting_rule_bounds_are_allowed():
    MeetingRule(weekdays=ALL_DAYS, on_date=None, start=time(0), duration_minutes=5, tz="UTC")
    MeetingRule(weekdays=1, on_date=None, start=time(23, 59), duration_minutes=480, tz="UTC")


# -- occurrences: daylight saving never moves the local start ---------------------


def test_new_york_monday_meeting_keeps_10_local_across_both_changes():
    found = occurrences(rule(days=(MON,)), start_after=utc(2026, 2, 1), until=utc(2026, 12, 1))
    assert len(found) == 44
    for occ in found:
        local = occ.start.astimezone(NY)
        assert (local.weekday(), local.time()) == (MON, time(10))
        assert occ.local_date == local.date()
        assert occ.start.tzinfo is UTC and occ.end.tzinfo is UTC
        assert occ.end - occ.start == timedelta(minutes=30)
        if occ.local_date < date(2026, 3, 8) or occ.local_date > date(2026, 11, 1):
            assert occ.start.hour == 15, occ  # EST, UTC-5
        else:
            assert occ.start.hour == 14, occ  # EDT, UTC-4
    by_date = {occ.local_date: occ.start for occ in found}
    assert by_date[date(2026, 3, 2)] == utc(2026, 3, 2, 15)
    assert by_date[date(2026, 3, 9)] == utc(2026, 3, 9, 14)
    assert by_date[date(2026, 10, 26)] == utc(2026, 10, 26, 14)
    assert by_date[date(2026, 11, 2)] == utc(2026, 11, 2, 15)


def test_kolkata_is_always_04_30_utc():
    found = occurrences(
        rule(days=DAILY, tz="Asia/Kolkata"), start_after=utc(2026, 1, 1), until=utc(2027, 1, 1)
    )
    assert len(found) == 365
    assert {occ.start.time() for occ in found} == {time(4, 30)}
    assert [occ.local_date for occ in found] == [
        date(2026, 1, 1) + timedelta(days=n) for n in range(365)
    ]


def test_london_summer_time():
    found = occurrences(
        rule(days=DAILY, start=time(9), tz="Europe/London"),
        start_after=utc(2026, 3, 28),
        until=utc(2026, 3, 31),
    )
    assert [occ.start for occ in found] == [
        utc(2026, 3, 28, 9),
        utc(2026, 3, 29, 8),
        utc(2026, 3, 30, 8),
    ]


# -- occurrences: times that don't exist or exist twice ---------------------------


def test_spring_forward_gap_moves_the_start_forward_by_the_gap():
    # New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day.
    found = occurrences(
        rule(days=DAILY, start=time(2, 30)), start_after=utc(2026, 3, 7), until=utc(2026, 3, 10)
    )
    assert [(occ.local_date, occ.start) for occ in found] == [
        (date(2026, 3, 7), utc(2026, 3, 7, 7, 30)),  # 02:30 EST
        (date(2026, 3, 8), utc(2026, 3, 8, 7, 30)),  # 02:30 -> 03:30 EDT
        (date(2026, 3, 9), utc(2026, 3, 9, 6, 30)),  # 02:30 EDT
    ]
    assert found[1].start.astimezone(NY).time() == time(3, 30)
    assert found[1].end == utc(2026, 3, 8, 8)


def test_lord_howe_half_hour_gap():
    # Australia/Lord_Howe, 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11).
    found = occurrences(
        rule(days=DAILY, start=time(2, 15), tz="Australia/Lord_Howe"),
        start_after=utc(2026, 10, 2),
        until=utc(2026, 10, 5),
    )
    zone = ZoneInfo("Australia/Lord_Howe")
    assert [occ.start.astimezone(zone).time() for occ in found] == [
        time(2, 15),
        time(2, 45),  # moved forward by the 30-minute gap
        time(2, 15),
    ]
    assert found[1].start == utc(2026, 10, 3, 15, 45)


def test_start_at_the_gap_edge():
    # 02:00 itself doesn't exist in New York on 2026-03-08; 03:00 does.
    (two,) = occurrences(
        rule(on_date=date(2026, 3, 8), start=time(2)),
        start_after=utc(2026, 3, 1),
        until=utc(2026, 3, 9),
    )
    (three,) = occurrences(
        rule(on_date=date(2026, 3, 8), start=time(3)),
        start_after=utc(2026, 3, 1),
        until=utc(2026, 3, 9),
    )
    assert two.start == three.start == utc(2026, 3, 8, 7)


def test_fall_back_repeat_uses_the_first_and_happens_once():
    # New York, 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    found = occurrences(
        rule(days=DAILY, start=time(1, 30), minutes=60),
        start_after=utc(2026, 10, 31),
        until=utc(2026, 11, 3),
    )
    assert [(occ.local_date, occ.start) for occ in found] == [
        (date(2026, 10, 31), utc(2026, 10, 31, 5, 30)),
        (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),  # the first 01:30, EDT
        (date(2026, 11, 2), utc(2026, 11, 2, 6, 30)),
    ]
    # the end is an hour later in absolute time: the second 01:30, EST
    assert found[1].end == utc(2026, 11, 1, 6, 30)
    assert found[1].end.astimezone(NY).time() == time(1, 30)
    # a window holding only the second 01:30 holds no meeting
    assert (
        occurrences(
            rule(days=DAILY, start=time(1, 30)),
            start_after=utc(2026, 11, 1, 6),
            until=utc(2026, 11, 1, 7),
        )
        == []
    )


def test_chatham_repeat_uses_the_first():
    # Pacific/Chatham, 2026-04-05: 03:45 (+13:45) falls back to 02:45 (+12:45).
    found = occurrences(
        rule(days=DAILY, start=time(3), tz="Pacific/Chatham"),
        start_after=utc(2026, 4, 3),
        until=utc(2026, 4, 6),
    )
    assert [occ.start for occ in found] == [
        utc(2026, 4, 3, 13, 15),  # Sat 4 April, 03:00 at +13:45
        utc(2026, 4, 4, 13, 15),  # Sun 5 April, the first 03:00, still +13:45
        utc(2026, 4, 5, 14, 15),  # Mon 6 April, 03:00 at +12:45
    ]


def test_a_skipped_day_has_no_meeting():
    # Samoa moved across the date line: Thu 2011-12-29 was followed by Sat 2011-12-31.
    found = occurrences(
        rule(days=DAILY, tz="Pacific/Apia"), start_after=utc(2011, 12, 27), until=utc(2012, 1, 2)
    )
    dates = [occ.local_date for occ in found]
    assert date(2011, 12, 30) not in dates
    assert date(2011, 12, 29) in dates and date(2011, 12, 31) in dates
    starts = [occ.start for occ in found]
    assert starts == sorted(set(starts))


def test_local_instant_is_utc():
    assert local_instant(date(2026, 7, 1), time(10), NY) == utc(2026, 7, 1, 14)
    assert local_instant(date(2026, 7, 1), time(10), NY).tzinfo is UTC


# -- occurrences: the window -------------------------------------------------------


def test_window_excludes_start_after_and_includes_until():
    weekly = rule(days=(MON,))
    at = utc(2026, 6, 1, 14)  # Mon 10:00 EDT
    assert occurrences(weekly, start_after=at, until=at + timedelta(days=6)) == []
    assert [
        o.start for o in occurrences(weekly, start_after=at - timedelta(seconds=1), until=at)
    ] == [at]


def test_empty_or_backwards_window():
    weekly = rule(days=(MON,))
    at = utc(2026, 6, 1, 14)
    assert occurrences(weekly, start_after=at, until=at) == []
    assert occurrences(weekly, start_after=at, until=at - timedelta(days=30)) == []


def test_window_must_be_aware():
    with pytest.raises(ValueError):
        occurrences(rule(days=(MON,)), start_after=datetime(2026, 1, 1), until=utc(2026, 2, 1))
    with pytest.raises(ValueError):
        occurrences(rule(days=(MON,)), start_after=utc(2026, 1, 1), until=datetime(2026, 2, 1))


def test_window_in_another_offset_means_the_same_instants():
    weekly = rule(days=(MON, THU), tz="Asia/Kolkata")
    tokyo = ZoneInfo("Asia/Tokyo")
    a = occurrences(weekly, start_after=utc(2026, 5, 1), until=utc(2026, 6, 1))
    b = occurrences(
        weekly,
        start_after=utc(2026, 5, 1).astimezone(tokyo),
        until=utc(2026, 6, 1).astimezone(tokyo),
    )
    assert a == b and len(a) == 8


def test_occurrences_only_on_chosen_weekdays():
    found = occurrences(
        rule(days=(MON, WED, FRI)), start_after=utc(2026, 6, 1), until=utc(2026, 6, 15)
    )
    assert [o.local_date.weekday() for o in found] == [MON, WED, FRI, MON, WED, FRI]


def test_utc_window_edge_near_local_midnight():
    # 23:30 in Kolkata is 18:00 UTC the same day; 00:15 in Kolkata is 18:45 UTC the day before.
    late = occurrences(
        rule(days=(MON,), start=time(23, 30), tz="Asia/Kolkata"),
        start_after=utc(2026, 6, 1),
        until=utc(2026, 6, 2),
    )
    early = occurrences(
        rule(days=(TUE,), start=time(0, 15), tz="Asia/Kolkata"),
        start_after=utc(2026, 6, 1),
        until=utc(2026, 6, 2),
    )
    assert [o.start for o in late] == [utc(2026, 6, 1, 18)]
    assert [(o.local_date, o.start) for o in early] == [(date(2026, 6, 2), utc(2026, 6, 1, 18, 45))]


# -- single dates ------------------------------------------------------------------


def test_single_date_yields_at_most_one():
    once = rule(on_date=date(2026, 12, 1), start=time(14), minutes=60)
    assert occurrences(once, start_after=utc(2026, 1, 1), until=utc(2027, 12, 31)) == [
        Occurrence(date(2026, 12, 1), utc(2026, 12, 1, 19), utc(2026, 12, 1, 20))
    ]
    assert occurrences(once, start_after=utc(2026, 12, 1, 19), until=utc(2027, 1, 1)) == []
    assert occurrences(once, start_after=utc(2026, 1, 1), until=utc(2026, 12, 1, 18, 59)) == []


def test_single_date_on_a_gap_day():
    (occ,) = occurrences(
        rule(on_date=date(2026, 3, 8), start=time(2, 30)),
        start_after=utc(2026, 3, 1),
        until=utc(2026, 4, 1),
    )
    assert occ.start.astimezone(NY).time() == time(3, 30)


# -- next occurrence ---------------------------------------------------------------


def test_next_occurrence():
    weekly = rule(days=(FRI,))
    assert next_occurrence(weekly, after=utc(2026, 6, 1)).start == utc(2026, 6, 5, 14)
    assert next_occurrence(weekly, after=utc(2026, 6, 5, 14)).start == utc(2026, 6, 12, 14)
    far = rule(on_date=date(2027, 5, 1))
    assert next_occurrence(far, after=utc(2026, 6, 1)).start == utc(2027, 5, 1, 14)
    assert next_occurrence(far, after=utc(2027, 5, 1, 14)) is None


# -- property: local start is the rule's, UTC starts strictly increase ---------------

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight, repeats 00:xx
    "Europe/Berlin",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "UTC",
]
GAP_PRONE = [time(0), time(0, 30), time(1, 30), time(2), time(2, 15), time(2, 30), time(3, 15)]


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    start_after=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    days=st.integers(min_value=0, max_value=400),
    mask=st.integers(min_value=1, max_value=ALL_DAYS),
    start=st.one_of(
        st.sampled_from(GAP_PRONE),
        st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    ),
    minutes=st.integers(min_value=5, max_value=480),
)
def test_occurrences_property(tz, start_after, days, mask, start, minutes):
    the_rule = MeetingRule(
        weekdays=mask, on_date=None, start=start, duration_minutes=minutes, tz=tz
    )
    start_after = start_after.replace(tzinfo=UTC)
    until = start_after + timedelta(days=days, hours=1)
    found = occurrences(the_rule, start_after=start_after, until=until)
    gaps, repeats = check_occurrences(the_rule, start_after, until, found)
    if gaps:
        event("a start in a gap")
    if repeats:
        event("a start in a repeat")


@pytest.mark.parametrize("tz", ZONES)
def test_every_gap_prone_start_every_day_2026_to_2028(tz):
    """The same invariants, deterministically, through every change of 2026-2028."""
    start_after, until = utc(2026, 1, 1), utc(2029, 1, 1)
    gaps = repeats = 0
    for start in GAP_PRONE:
        the_rule = MeetingRule(
            weekdays=ALL_DAYS, on_date=None, start=start, duration_minutes=60, tz=tz
        )
        found = occurrences(the_rule, start_after=start_after, until=until)
        assert len(found) == (until - start_after).days
        more_gaps, more_repeats = check_occurrences(the_rule, start_after, until, found)
        gaps, repeats = gaps + more_gaps, repeats + more_repeats
    if tz in ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham"):
        assert gaps and repeats  # the interesting cases were really exercised
    if tz in ("UTC", "Asia/Kolkata", "Asia/Kathmandu"):
        assert gaps == repeats == 0


def check_occurrences(
    the_rule: MeetingRule, start_after: datetime, until: datetime, found: list[Occurrence]
) -> tuple[int, int]:
    """Assert what occurrences() promises; return how many starts fell in a gap or a repeat."""
    zone = ZoneInfo(the_rule.tz)
    gaps = repeats = 0
    starts = [occ.start for occ in found]
    assert all(a < b for a, b in itertools.pairwise(starts))
    for occ in found:
        assert start_after < occ.start <= until
        assert occ.start.tzinfo is UTC
        assert occ.end - occ.start == timedelta(minutes=the_rule.duration_minutes)
        assert the_rule.weekdays & (1 << occ.local_date.weekday())
        wall = datetime.combine(occ.local_date, the_rule.start)
        local = occ.start.astimezone(zone).replace(tzinfo=None)
        first = wall.replace(tzinfo=zone, fold=0)
        second = wall.replace(tzinfo=zone, fold=1)
        exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        if exists:
            assert local == wall  # the rule's local start, whatever the offset
            assert occ.start <= second.astimezone(UTC)  # the first of a repeat
            repeats += occ.start < second.astimezone(UTC)
        else:  # a gap: forward by its length
            gap = second.utcoffset() - first.utcoffset()
            assert gap > timedelta(0)
            assert local == wall + gap
            assert local.date() == occ.local_date
            gaps += 1

    # nothing missed: every chosen local day well inside the window has its meeting
    dates = [occ.local_date for occ in found]
    assert len(dates) == len(set(dates))
    day = start_after.astimezone(zone).date() + timedelta(days=2)
    while day <= until.astimezone(zone).date() - timedelta(days=2):
        if the_rule.weekdays & (1 << day.weekday()):
            assert day in dates
        day += timedelta(days=1)
    return gaps, repeats


# -- check-in times ----------------------------------------------------------------

OCC = Occurrence(date(2026, 6, 1), utc(2026, 6, 1, 14), utc(2026, 6, 1, 14, 30))


def test_checkin_times_arithmetic():
    assert checkin_times(OCC, pre_minutes=15, post_minutes=5) == CheckinTimes(
        pre_due=utc(2026, 6, 1, 13, 45),
        pre_expires=utc(2026, 6, 1, 14),
        post_due=utc(2026, 6, 1, 14, 35),
        post_expires=utc(2026, 6, 2, 14, 35),
        late_limit=utc(2026, 6, 2, 2, 35),
    )


def test_checkin_times_zero_offsets():
    times = checkin_times(OCC, pre_minutes=0, post_minutes=0)
    assert times.pre_due == times.pre_expires == OCC.start
    assert times.post_due == OCC.end


def test_checkin_times_are_absolute_across_dst():
    (occ,) = occurrences(
        rule(on_date=date(2026, 11, 1), start=time(1, 30), minutes=60),
        start_after=utc(2026, 10, 1),
        until=utc(2026, 12, 1),
    )
    times = checkin_times(occ, pre_minutes=15, post_minutes=5)
    assert times.pre_due == utc(2026, 11, 1, 5, 15)
    assert times.post_due == utc(2026, 11, 1, 6, 35)  # 01:35 EST, 65 real minutes later


def test_checkin_times_refuse_negative_offsets():
    with pytest.raises(ValueError):
        checkin_times(OCC, pre_minutes=-1, post_minutes=5)
    with pytest.raises(ValueError):
        checkin_times(OCC, pre_minutes=15, post_minutes=-5)


# -- still useful? -------------------------------------------------------------------

_TIMES = checkin_times(OCC, pre_minutes=15, post_minutes=5)
_S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("kind", "due", "expires", "now", "useful"),
    [
        # pre: until the meeting starts
        ("pre", _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_due - _S, True),
        ("pre", _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_due, True),
        ("pre", _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_expires - _S, True),
        ("pre", _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_expires, False),
        ("pre", _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_expires + _S, False),
        # post: sent late only for 12 h after it was due
        ("post", _TIMES.post_due, _TIMES.post_expires, _TIMES.post_due, True),
        ("post", _TIMES.post_due, _TIMES.post_expires, _TIMES.late_limit - _S, True),
        ("post", _TIMES.post_due, _TIMES.post_expires, _TIMES.late_limit, False),
        ("post", _TIMES.post_due, _TIMES.post_expires, _TIMES.post_expires - _S, False),
        (
            "post",
            _TIMES.post_due,
            _TIMES.post_due + timedelta(hours=1),
            _TIMES.post_due + timedelta(hours=1),
            False,
        ),
        # reminder: until the post check-in expires
        (
            "reminder",
            _TIMES.post_due + timedelta(hours=2),
            _TIMES.post_expires,
            _TIMES.post_expires - _S,
            True,
        ),
        (
            "reminder",
            _TIMES.post_due + timedelta(hours=2),
            _TIMES.post_expires,
            _TIMES.post_expires,
            False,
        ),
        (CheckinKind.PRE, _TIMES.pre_due, _TIMES.pre_expires, _TIMES.pre_due, True),
        (CheckinKind.POST, _TIMES.post_due, _TIMES.post_expires, _TIMES.post_due, True),
    ],
)
def test_still_useful(kind, due, expires, now, useful):
    assert still_useful(kind, due=due, expires=expires, now=now) is useful


def test_still_useful_refuses_unknown_kind_and_naive_times():
    with pytest.raises(ValueError):
        still_useful("nag", due=OCC.start, expires=OCC.end, now=OCC.start)
    with pytest.raises(ValueError):
        still_useful("pre", due=OCC.start, expires=OCC.end, now=datetime(2026, 6, 1))


# -- the one reminder ----------------------------------------------------------------

NINE, FIVE = time(9), time(17)


def remind(sent: datetime, *, tz: ZoneInfo = NY, minutes: int = 120, until: datetime | None = None):
    return reminder_time(
        sent,
        reminder_minutes=minutes,
        tz=tz,
        work_start=NINE,
        work_end=FIVE,
        answer_until=until or sent + timedelta(hours=24),
    )


def test_reminder_inside_working_hours():
    assert remind(utc(2026, 6, 1, 14, 35)) == utc(2026, 6, 1, 16, 35)  # 10:35 -> 12:35 EDT


def test_reminder_at_work_start_stays():
    assert remind(utc(2026, 6, 1, 11)) == utc(2026, 6, 1, 13)  # 07:00 + 2 h = 09:00 EDT


def test_reminder_before_work_start_moves_to_that_days_start():
    assert remind(utc(2026, 6, 1, 9)) == utc(2026, 6, 1, 13)  # 07:00 EDT -> 09:00


def test_reminder_after_work_end_moves_to_next_days_start():
    assert remind(utc(2026, 6, 1, 20)) == utc(2026, 6, 2, 13)  # 18:00 EDT -> 09:00 next day


def test_reminder_at_work_end_is_outside():
    assert remind(utc(2026, 6, 1, 19)) == utc(2026, 6, 2, 13)  # 17:00 EDT exactly


def test_reminder_just_before_work_end_is_inside():
    assert remind(utc(2026, 6, 1, 18, 59)) == utc(2026, 6, 1, 20, 59)


def test_reminder_after_midnight_moves_to_that_days_start():
    assert remind(utc(2026, 6, 2, 2)) == utc(2026, 6, 2, 13)  # 00:00 EDT -> 09:00


def test_reminder_weekends_are_not_skipped():
    # Fri 5 June 2026, 18:00 EDT -> Sat 6 June 09:00
    assert remind(utc(2026, 6, 5, 20)) == utc(2026, 6, 6, 13)


def test_reminder_in_her_zone():
    kolkata = ZoneInfo("Asia/Kolkata")
    # sent 16:00 IST, +2 h = 18:00 IST, after 17:00 -> next day 09:00 IST = 03:30 UTC
    assert remind(utc(2026, 6, 1, 10, 30), tz=kolkata) == utc(2026, 6, 2, 3, 30)


def test_reminder_next_day_across_spring_forward():
    # Sat 7 March 2026 18:00 EST -> Sun 8 March 09:00 EDT = 13:00 UTC
    assert remind(utc(2026, 3, 7, 21)) == utc(2026, 3, 8, 13)


def test_no_reminder_when_it_cannot_be_answered():
    sent = utc(2026, 6, 1, 20)  # 16:00 EDT; +2 h = 18:00 -> next day 09:00 EDT (13:00 UTC)
    assert remind(sent, until=utc(2026, 6, 2, 13)) is None  # not before answer_until
    assert remind(sent, until=utc(2026, 6, 2, 13) + _S) == utc(2026, 6, 2, 13)
    assert remind(utc(2026, 6, 1, 14), until=utc(2026, 6, 1, 15)) is None


def test_reminder_is_utc():
    assert remind(utc(2026, 6, 1, 14, 35)).tzinfo is UTC


def test_reminder_refuses_nonsense():
    with pytest.raises(ValueError):
        reminder_time(
            utc(2026, 6, 1),
            reminder_minutes=120,
            tz=NY,
            work_start=FIVE,
            work_end=NINE,
            answer_until=utc(2026, 6, 2),
        )
    with pytest.raises(ValueError):
        remind(utc(2026, 6, 1), minutes=-1)
    with pytest.raises(ValueError):
        remind(datetime(2026, 6, 1), until=utc(2026, 6, 2))
