"""When her practice meetings happen, and when their check-ins are due (PRODUCT §3
journeys 2–4).

A meeting is kept as she would say it: a local wall-clock start ("10:00"), the
weekdays or the single date, a duration, and an IANA time zone. Every instant
this module hands out is an aware UTC datetime, computed from that local time
through ``zoneinfo``, so daylight-saving changes never move a meeting's local
start (PRODUCT §4 Runtime): a 10:00 meeting in New York is 15:00 UTC in winter
and 14:00 UTC in summer.

Local times that do not exist or exist twice are handled on purpose, always
the same way (``local_instant``):

* **Gap** (spring forward; 02:30 on 2026-03-08 in America/New_York, where the
  clocks jump from 02:00 to 03:00): the time is read with ``fold=0``, i.e. with
  the UTC offset in force *before* the jump, and then normalised. The effect is
  that the start moves **forward by the length of the gap**: 02:30 becomes
  03:30 local (07:30 UTC); in Australia/Lord_Howe, whose gap is 30 minutes,
  02:15 becomes 02:45. If moving forward would carry it into the next local day
  (the whole day was skipped, as in Pacific/Apia on 2011-12-30), there is no
  meeting that day.
* **Repeat** (fall back; 01:30 on 2026-11-01 in New York, which happens once in
  EDT and again an hour later in EST): the *first* one is used (``fold=0``,
  05:30 UTC). The meeting happens once, not twice.

The timing rules of check-ins (``checkin_times``, ``still_useful``,
``reminder_time``) are the "no nagging" and "sent late only while it is still
useful" rules of PRODUCT §5.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

ALL_DAYS = 0b1111111
WORKING_DAYS = 0b0011111  # Mon..Fri

MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 480

# A post-meeting check-in can be answered for 24 h, then lapses quietly.
POST_ANSWER_WINDOW = timedelta(hours=24)
# A post-meeting check-in missed while the app was down is sent late only this long.
POST_LATE_LIMIT = timedelta(hours=12)

# How far around the window the day loop looks: a start moves by at most one
# gap, and gaps are shorter than a day.
_PAD = timedelta(days=2)


class CheckinKind(StrEnum):
    PRE = "pre"
    POST = "post"
    REMINDER = "reminder"


# -- weekdays -----------------------------------------------------------------


def weekdays_to_mask(days: Iterable[int]) -> int:
    """Weekdays (Monday=0 … Sunday=6) as a bit mask: bit n set = weekday n."""
    mask = 0
    for day in days:
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise ValueError(f"a weekday is 0 (Monday) to 6 (Sunday), not {day!r}")
        mask |= 1 << day
    return mask


def mask_to_weekdays(mask: int) -> list[int]:
    """The weekdays in a bit mask, Monday=0 first."""
    if not 0 <= mask <= ALL_DAYS:
        raise ValueError(f"a weekday mask is 0 to {ALL_DAYS}, not {mask!r}")
    return [day for day in range(7) if mask & (1 << day)]


# -- words --------------------------------------------------------------------


def describe_duration(minutes: int) -> str:
    """30 -> "30 min", 60 -> "1 h", 90 -> "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest} min"


def describe_date(day: date) -> str:
    """ "Tue 1 Dec 2026" (no locale involved)."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def describe_when(
    *, weekdays: int, on_date: date | None, start: time, duration_minutes: int
) -> str:
    """One line for a meeting's schedule, in its own local time.

    "Mon, Wed, Fri at 10:00 (30 min)", "Every weekday at 09:30 (15 min)",
    "Every day at 08:00 (1 h)", "Tue 1 Dec 2026 at 14:00 (1 h 30 min)".
    A single date wins over weekdays; a rule with neither is a ValueError.
    """
    at = f"at {start:%H:%M} ({describe_duration(duration_minutes)})"
    if on_date is not None:
        return f"{describe_date(on_date)} {at}"
    if weekdays == ALL_DAYS:
        return f"Every day {at}"
    if weekdays == WORKING_DAYS:
        return f"Every weekday {at}"
    days = mask_to_weekdays(weekdays)
    if not days:
        raise ValueError("a meeting needs weekdays or a single date")
    return f"{', '.join(WEEKDAY_NAMES[d] for d in days)} {at}"


# -- meetings -----------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    """The IANA zone of that name; ValueError if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local day.

    Gap (the time does not exist): read with the offset before the jump, so the
    result is the wall time moved forward by the gap. Repeat (it exists twice):
    the first one. Both are what ``fold=0`` means to zoneinfo (PEP 495).
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class MeetingRule:
    weekdays: int  # bit mask; 0 when on_date is set
    on_date: date | None
    start: time  # local wall-clock start
    duration_minutes: int  # 5..480
    tz: str  # IANA name

    def __post_init__(self) -> None:
        if self.on_date is not None:
            if self.weekdays:
                raise ValueError("a single-date meeting has no weekdays (weekdays must be 0)")
        elif not 0 < self.weekdays <= ALL_DAYS:
            raise ValueError(f"weekdays must be a mask from 1 to {ALL_DAYS}, not {self.weekdays}")
        if self.start.tzinfo is not None:
            raise ValueError("start is a local wall-clock time, without tzinfo")
        if not MIN_DURATION_MINUTES <= self.duration_minutes <= MAX_DURATION_MINUTES:
            raise ValueError(
                f"duration must be {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes,"
                f" not {self.duration_minutes}"
            )
        zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def falls_on(self, day: date) -> bool:
        if self.on_date is not None:
            return day == self.on_date
        return bool(self.weekdays & (1 << day.weekday()))


@dataclass(frozen=True)
class Occurrence:
    local_date: date  # the local day it is scheduled for
    start: datetime  # aware UTC
    end: datetime  # aware UTC (start + duration, in absolute time)


def _require_aware(name: str, value: datetime) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def occurrences(rule: MeetingRule, *, start_after: datetime, until: datetime) -> list[Occurrence]:
    """Every occurrence whose start is in (start_after, until], in order.

    Each start is the rule's local wall-clock time on a matching local day in
    the rule's zone, converted to UTC (see the module docstring: a start in a
    spring-forward gap moves forward by the gap, a start in a fall-back repeat
    is the first one, and a skipped day has no meeting). The end is the start
    plus the duration in absolute time, so a meeting across a change lasts as
    long as it says. A single-date rule yields at most one occurrence. UTC
    starts are strictly increasing.
    """
    _require_aware("start_after", start_after)
    _require_aware("until", until)
    if until <= start_after:
        return []
    tz = rule.zone
    duration = timedelta(minutes=rule.duration_minutes)
    first = (start_after - _PAD).astimezone(tz).date()
    last = (until + _PAD).astimezone(tz).date()
    if rule.on_date is not None:
        days: Iterable[date] = [rule.on_date] if first <= rule.on_date <= last else []
    else:
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    found: list[Occurrence] = []
    for day in days:
        if not rule.falls_on(day):
            continue
        start = local_instant(day, rule.start, tz)
        if start.astimezone(tz).date() != day:
            continue  # the day was skipped altogether
        if found and start <= found[-1].start:
            continue  # defensive: never twice, never out of order
        if start_after < start <= until:
            found.append(Occurrence(local_date=day, start=start, end=start + duration))
    return found


def next_occurrence(rule: MeetingRule, *, after: datetime) -> Occurrence | None:
    """The first occurrence starting after ``after``, or None (a past single date)."""
    if rule.on_date is not None:
        until = local_instant(rule.on_date + timedelta(days=2), time(0), rule.zone)
        found = occurrences(rule, start_after=after, until=until)
    else:
        found = occurrences(rule, start_after=after, until=after + timedelta(days=9))
    return found[0] if found else None


# -- check-ins ----------------------------------------------------------------


@dataclass(frozen=True)
class CheckinTimes:
    pre_due: datetime  # start - pre_minutes
    pre_expires: datetime  # = meeting start: pre-meeting check-ins expire when it starts
    post_due: datetime  # end + post_minutes
    post_expires: datetime  # post_due + 24 h: it can be answered for 24 h, then lapses quietly
    late_limit: datetime  # post_due + 12 h: missed while the app was down, sent late until here


def checkin_times(occurrence: Occurrence, *, pre_minutes: int, post_minutes: int) -> CheckinTimes:
    """When the check-ins of one occurrence are due and when they stop being useful.

    All arithmetic is in absolute (UTC) time: "15 minutes before" is 15 real
    minutes, even across a daylight-saving change.
    """
    if pre_minutes < 0 or post_minutes < 0:
        raise ValueError("check-in offsets are minutes before/after, not negative")
    post_due = occurrence.end + timedelta(minutes=post_minutes)
    return CheckinTimes(
        pre_due=occurrence.start - timedelta(minutes=pre_minutes),
        pre_expires=occurrence.start,
        post_due=post_due,
        post_expires=post_due + POST_ANSWER_WINDOW,
        late_limit=post_due + POST_LATE_LIMIT,
    )


def still_useful(kind: str, *, due: datetime, expires: datetime, now: datetime) -> bool:
    """Whether a check-in is still worth sending at ``now`` (it may be late).

    * "pre": before the meeting starts (``expires``); afterwards it would be noise.
    * "post": within 12 h of when it was due (and, to be safe, before it expires).
    * "reminder": before the post check-in it reminds of expires.

    All bounds are exclusive: at the boundary instant it is no longer useful.
    """
    for name, value in (("due", due), ("expires", expires), ("now", now)):
        _require_aware(name, value)
    match kind:
        case CheckinKind.PRE | CheckinKind.REMINDER:
            return now < expires
        case CheckinKind.POST:
            return now < min(due + POST_LATE_LIMIT, expires)
    raise ValueError(f"unknown check-in kind {kind!r}")


def reminder_time(
    post_sent: datetime,
    *,
    reminder_minutes: int,
    tz: ZoneInfo,
    work_start: time,
    work_end: time,
    answer_until: datetime,
) -> datetime | None:
    """When to send the one gentle reminder of an unanswered post check-in, or None.

    ``reminder_minutes`` after it was sent (in absolute time), moved into her
    working hours [work_start, work_end) in her local time: before work_start
    it moves to that day's work_start; at or after work_end, to the next day's
    work_start. Weekends are not skipped (it keeps the rule simple and the
    answer window is only 24 h anyway). A work_start in a spring-forward gap
    moves forward like a meeting start. None when the result is not before
    ``answer_until``: no reminder for something that can no longer be answered.
    """
    _require_aware("post_sent", post_sent)
    _require_aware("answer_until", answer_until)
    if reminder_minutes < 0:
        raise ValueError("reminder_minutes must not be negative")
    if not work_start.replace(tzinfo=None) < work_end.replace(tzinfo=None):
        raise ValueError("working hours must start before they end")
    work_start, work_end = work_start.replace(tzinfo=None), work_end.replace(tzinfo=None)
    at = (post_sent + timedelta(minutes=reminder_minutes)).astimezone(tz)
    wall = at.time()
    if wall < work_start:
        at = local_instant(at.date(), work_start, tz)
    elif wall >= work_end:
        at = local_instant(at.date() + timedelta(days=1), work_start, tz)
    at = at.astimezone(UTC)
    return at if at < answer_until else None
