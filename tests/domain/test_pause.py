"""`/voice pause [duration]`: what she types, when the pause ends, and how it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pause import MAX_PAUSE_DAYS, DurationError, describe_until, parse_pause

NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
# Tue 1 Dec 2026, 10:00 in New York (EST, UTC-5): no daylight-saving change for 90 days.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parse(text: str, *, now: datetime = NOW, tz: ZoneInfo = NY) -> datetime | None:
    return parse_pause(text, now=now, tz=tz)


# -- good inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   \t\n ", "\u00a0"])
def test_nothing_is_an_open_ended_pause(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("3d", utc(2026, 12, 4, 15)),
        ("3D", utc(2026, 12, 4, 15)),
        ("  3d  ", utc(2026, 12, 4, 15)),
        ("3 d", utc(2026, 12, 4, 15)),
        ("3 days", utc(2026, 12, 4, 15)),
        ("3   DAYS", utc(2026, 12, 4, 15)),
        ("1 day", utc(2026, 12, 2, 15)),
        ("1d", utc(2026, 12, 2, 15)),
        ("a day", utc(2026, 12, 2, 15)),
        ("10 days", utc(2026, 12, 11, 15)),
        ("2w", utc(2026, 12, 15, 15)),
        ("2W", utc(2026, 12, 15, 15)),
        ("2 weeks", utc(2026, 12, 15, 15)),
        ("2 wks", utc(2026, 12, 15, 15)),
        ("for 2 weeks", utc(2026, 12, 15, 15)),
        ("1 week", utc(2026, 12, 8, 15)),
        ("1w", utc(2026, 12, 8, 15)),
        ("a week", utc(2026, 12, 8, 15)),
        ("A Week", utc(2026, 12, 8, 15)),
        ("one week", utc(2026, 12, 8, 15)),
        ("07d", utc(2026, 12, 8, 15)),
        ("12w", utc(2027, 2, 23, 15)),
        ("90d", utc(2027, 3, 1, 15)),
        # a date: through the end of that local day (next local midnight, EST = 05:00 UTC)
        ("until 2026-12-24", utc(2026, 12, 25, 5)),
        ("2026-12-24", utc(2026, 12, 25, 5)),
        ("UNTIL 2026-12-24", utc(2026, 12, 25, 5)),
        ("  until   2026-12-24 ", utc(2026, 12, 25, 5)),
        ("until 2026-12-1", utc(2026, 12, 2, 5)),  # today: until tonight
        ("until 2027-03-01", utc(2027, 3, 2, 5)),  # 90 days after today
    ],
)
def test_good_inputs(text, ends):
    got = parse(text)
    assert got == ends
    assert got.tzinfo is UTC


def test_a_date_ends_at_her_local_midnight():
    assert parse("until 2026-12-24", tz=KOLKATA) == utc(2026, 12, 24, 18, 30)


def test_weeks_across_spring_forward_keep_the_local_clock_time():
    # Sun 1 March 2026, 10:00 EST; New York springs forward on 8 March.
    now = utc(2026, 3, 1, 15)
    one_week = parse("1w", now=now)
    assert one_week == utc(2026, 3, 8, 14)  # 10:00 EDT, only 167 real hours later
    assert one_week.astimezone(NY).hour == 10
    assert parse("until 2026-03-08", now=now) == utc(2026, 3, 9, 4)  # midnight EDT


def test_days_across_fall_back_keep_the_local_clock_time():
    now = utc(2026, 10, 30, 14)  # Fri 10:00 EDT; falls back on 1 November
    assert parse("3d", now=now) == utc(2026, 11, 2, 15)  # Mon 10:00 EST


def test_today_just_before_midnight_is_still_in_the_future():
    just_before = utc(2026, 12, 2, 4, 59)  # 23:59 EST on 1 December
    assert parse("until 2026-12-01", now=just_before) == utc(2026, 12, 2, 5)


def test_midnight_that_does_not_exist():
    # Chile springs forward at midnight: Sun 6 Sep 2026 starts at 01:00 (-03).
    santiago = ZoneInfo("America/Santiago")
    ends = parse("until 2026-09-05", now=utc(2026, 9, 1, 12), tz=santiago)
    assert ends == utc(2026, 9, 6, 4)
    assert describe_until(ends, santiago) == "until Sat 5 Sep"


# -- bad inputs ----------------------------------------------------------------------


def error(text: str, *, now: datetime = NOW, tz: ZoneInfo = NY) -> str:
    with pytest.raises(DurationError) as caught:
        parse(text, now=now, tz=tz)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 200, message
    assert "`/voice pause " in message  # says what would work
    return message


@pytest.mark.parametrize(
    "text",
    [
        "2x",
        "-3d",
        "+3d",
        "12h",
        "3 hours",
        "1.5w",
        "1e3d",
        "3",
        "d",
        "week",
        "weeks",
        "3 d d",
        "2 weeks please",
        "until",
        "until yesterday",
        "until tomorrow",
        "until 24 dec",
        "2026/12/24",
        "12-24-2026",
        "until 2026-12-24 12:00",
        "three days",
        "３d",  # fullwidth digit
        "٣d",  # Arabic-Indic digit
        "🙂",
        "3d\x00",
        "ⅲd",
        "<!channel>",
        "`rm -rf`",
        "x" * 10_000,
        "3d" * 5_000,
    ],
)
def test_not_understood(text):
    message = error(text)
    assert message.startswith("I didn't understand `")
    assert "/voice pause 2w" in message and "/voice pause 3d" in message
    assert "/voice pause until 2026-12-15" in message  # an example that is valid today


@pytest.mark.parametrize("text", ["0d", "0 days", "0w", "00d"])
def test_zero(text):
    assert "at least 1 day" in error(text)


@pytest.mark.parametrize(
    "text", ["91d", "200d", "13w", "100 weeks", "999999d", "until 2027-03-02", "2030-01-01"]
)
def test_too_long(text):
    message = error(text)
    assert f"{MAX_PAUSE_DAYS} days at most" in message


@pytest.mark.parametrize("text", ["until 2026-11-30", "2020-01-01", "until 2026-12-01"])
def test_dates_that_have_passed(text):
    after_midnight = utc(2026, 12, 2, 5)  # 00:00 EST on 2 December
    now = after_midnight if text.endswith("12-01") else NOW
    assert "has already passed" in error(text, now=now)


@pytest.mark.parametrize(
    "text", ["until 2026-02-30", "2026-13-01", "until 2027-02-29", "2026-00-10"]
)
def test_dates_not_on_the_calendar(text):
    assert "isn't a date on the calendar" in error(text)


def test_bad_input_is_quoted_short_and_safe():
    long = error("x" * 10_000)
    assert len(long) < 200 and "…" in long
    assert "&lt;!channel&gt;" in error("<!channel>")
    ticks = error("`rm -rf`")
    assert ticks.count("`") == error("2x").count("`")  # her backticks can't break the quote
    assert "\x00" not in error("3d\x00")


def test_now_must_be_aware():
    with pytest.raises(ValueError):
        parse_pause("3d", now=datetime(2026, 12, 1), tz=NY)


ZONES = ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.from_regex(r"\s*(until )?20[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}\s*", fullmatch=True),
        st.from_regex(r"\s*[0-9]{1,4} ?(d|w|days|weeks)\s*", fullmatch=True),
    ),
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    tz=st.sampled_from(ZONES),
)
def test_any_text_gives_a_future_end_within_90_days_or_a_friendly_error(text, now, tz):
    now = now.replace(tzinfo=UTC)
    try:
        ends = parse_pause(text, now=now, tz=ZoneInfo(tz))
    except DurationError as exc:
        assert "`/voice pause " in str(exc) and "\n" not in str(exc)
        return
    if ends is None:
        assert not text.strip()
        return
    assert ends.tzinfo is UTC
    assert now < ends
    # at most 90 of her local days ahead (a date counts through its end)
    zone = ZoneInfo(tz)
    assert (ends.astimezone(zone).date() - now.astimezone(zone).date()).days <= MAX_PAUSE_DAYS + 1
    assert ends - now <= timedelta(days=MAX_PAUSE_DAYS + 1, hours=1)


# -- describing ----------------------------------------------------------------------


def test_describe_open_ended():
    assert describe_until(None, NY) == "until you resume"
    assert describe_until(datetime(9999, 1, 1, tzinfo=UTC), NY) == "until you resume"


def test_describe_a_date_names_the_last_day():
    assert describe_until(parse("until 2026-12-24"), NY) == "until Thu 24 Dec"
    assert describe_until(parse("until 2026-12-24", tz=KOLKATA), KOLKATA) == "until Thu 24 Dec"


def test_describe_a_duration_names_the_time():
    assert describe_until(parse("1w"), NY) == "until Tue 8 Dec at 10:00"
    assert describe_until(parse("3d"), KOLKATA) == "until Fri 4 Dec at 20:30"


def test_describe_in_her_zone():
    ends = utc(2026, 12, 25, 5)  # midnight in New York, not in Kolkata
    assert describe_until(ends, NY) == "until Thu 24 Dec"
    assert describe_until(ends, KOLKATA) == "until Fri 25 Dec at 10:30"
