"""Her calendar feed: the meetings in a private ICS link (PRODUCT §3 journey 10).

``parse_feed`` turns the bytes of a Google, Outlook, Exchange or other iCalendar feed
into the timed occurrences of a window, each keyed by (UID, RECURRENCE-ID) so that a
moved occurrence keeps its identity. ``series_of`` makes the picker's lines, one per
series or one-off meeting; ``diff`` says what changed between two syncs. Feeds are
compared by their parsed occurrences, never by bytes (Google and Exchange stamp every
event with the export time).

icalendar does the parsing and recurring-ical-events the expansion (RRULE, EXDATE,
RDATE, moved occurrences, ``RANGE=THISANDFUTURE``, Google's ``X-WR-TIMEZONE``). What
this module adds:

* **One feed's zones never reach another's.** icalendar keeps every VTIMEZONE it reads
  in one process-wide table keyed by TZID, and the first definition wins, while
  Office 365 names different zones "Customized Time Zone" in different people's
  feeds. Each feed is therefore parsed and expanded under one lock, with that table
  emptied before and after (``_own_zones``); every instant leaves as UTC. What is
  shared across feeds is keyed by a VTIMEZONE's whole text instead (``_FeedZones``),
  so an unchanged feed does not rebuild its zones at every sync.
* **Floating times** (no zone) are in the feed's ``X-WR-TIMEZONE``, else in hers. A
  TZID the feed neither defines nor is a known IANA or Windows name is read the same
  way, as if floating (the choice other libraries make for Office 365's undefined
  "Customized Time Zone").
* **What is not a meeting is skipped**: all-day events, cancelled ones, ones she
  declined, zero-length and overlong ones (see ``_meeting``).
* **A bad piece costs only itself**: an event whose times or rules cannot be read is
  repaired when the fix is certain (spaces in an RRULE) and skipped otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone import tzp
from icalendar.timezone.tzid import tzids_from_tzinfo
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from icalendar.timezone.zoneinfo import ZONEINFO

from bot.domain.schedule import (
    ALL_DAYS,
    MONTH_NAMES,
    WEEKDAY_NAMES,
    WORKING_DAYS,
    describe_duration,
    mask_to_weekdays,
    weekdays_to_mask,
    zone,
)

# Longer than a working day is a block (travel, "focus", a conference), not a meeting
# one speaks up in; a check-in after it would arrive long after anyone remembers it.
MAX_MEETING = timedelta(hours=12)

NO_TITLE = "(No title)"

_T = TypeVar("_T")

# Outlook's "availability only" publishing replaces every title with her free/busy
# status, in her Outlook's language. English, plus the two Polish ones seen in a real
# Office 365 feed (ical_office_356_custom_timezone.ics) and the common German, French
# and Spanish words. A feed is "titles hidden" only when *every* event is one of these
# or untitled, so a real meeting called "Busy" among others is never a problem.
_AVAILABILITY_TITLES = frozenset(
    word.casefold()
    for word in (
        "Busy",
        "Free",
        "Tentative",
        "Away",
        "Working elsewhere",
        "Out of office",
        "Zajęty",
        "Wstępna akceptacja",
        "Gebucht",
        "Beschäftigt",
        "Frei",
        "Mit Vorbehalt",
        "Abwesend",
        "Occupé",
        "Provisoire",
        "Absent",
        "Ocupado",
        "Provisional",
        "Fuera de la oficina",
    )
)
_CANCELLED_PREFIXES = ("canceled:", "cancelled:")

# The properties an occurrence's times come from: one that icalendar could not read
# makes the event unusable (a missing EXDATE would bring back a deleted occurrence).
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")


# -- errors ------------------------------------------------------------------------


class CalendarError(ValueError):
    """A feed the app can't use; ``why`` is the code the UI turns into a field error."""

    why = "calendar"


class NotACalendar(CalendarError):
    """Not iCalendar at all (an HTML login page, an error text, nothing)."""

    why = "not_a_calendar"


class TitlesHidden(CalendarError):
    """Published at "availability only": every event is "Busy", "Free"… or untitled.

    ``occurrences`` are what the feed holds all the same (their times are right).
    """

    why = "titles_hidden"

    def __init__(self, message: str, *, occurrences: list[Occurrence]) -> None:
        super().__init__(message)
        self.occurrences = occurrences


# -- values ------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    uid: str
    recurrence_id: datetime | None  # aware UTC; None for a one-off meeting
    key: str  # (UID, RECURRENCE-ID) as one string: the occurrence's identity across syncs
    series: str  # the UID: what she ticks
    title: str
    start: datetime  # aware UTC
    end: datetime  # aware UTC
    tz: str  # IANA zone the event is written in, for showing its local times
    recurring: bool

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


@dataclass(frozen=True)
class Series:
    key: str  # the series' UID (a one-off meeting's own UID)
    title: str
    line: str  # "Weekly team sync · Mon 09:00 · 30 min"


@dataclass(frozen=True)
class Changes:
    added: list[Occurrence] = field(default_factory=list)
    removed: list[Occurrence] = field(default_factory=list)
    moved: list[tuple[Occurrence, Occurrence]] = field(default_factory=list)  # (before, after)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved)


def occurrence_key(uid: str, recurrence_id: datetime | None) -> str:
    """An occurrence's identity: its UID, then its RECURRENCE-ID if it has one.

    "abc@google.com" for a one-off, "abc@google.com 20260302T080000Z" (UTC) for one of a
    series. A moved occurrence keeps its RECURRENCE-ID, and so its key.
    """
    if recurrence_id is None:
        return uid
    return f"{uid} {recurrence_id.astimezone(UTC):%Y%m%dT%H%M%SZ}"


# -- parsing -----------------------------------------------------------------------


class _FeedZones(ZONEINFO):
    """icalendar's zoneinfo provider, building each distinct VTIMEZONE once.

    A zone built from a VTIMEZONE is slow to use the first time (Outlook's rules start
    in 1601 and are replayed from there), and a feed brings the same ones at every
    sync. Here a zone is remembered by its definition's exact text, which can only
    ever describe that one zone: unlike icalendar's table by TZID, safe to share.
    """

    _LIMIT = 2048

    def __init__(self) -> None:
        self._by_text: dict[bytes, tzinfo] = {}
        self._ids: set[int] = set()  # ids of the zones in _by_text (kept alive by it)
        self._names: dict[tuple[int, int], str | None] = {}

    def create_timezone(self, tz: icalendar.Timezone) -> tzinfo:
        try:
            text = tz.to_ical()
        except Exception:
            return super().create_timezone(tz)
        built = self._by_text.get(text)
        if built is None:
            if len(self._by_text) >= self._LIMIT:
                self._by_text.clear()
                self._ids.clear()
                self._names.clear()
            built = self._by_text[text] = super().create_timezone(tz)
            self._ids.add(id(built))
        return built

    def custom_name(self, tz: tzinfo, tzid: str, year: int) -> str | None:
        """``_custom_zone_name``, remembered for the zones built here."""
        if id(tz) not in self._ids:
            return _custom_zone_name(tz, tzid, year)
        key = (id(tz), year)
        if key not in self._names:
            self._names[key] = _custom_zone_name(tz, tzid, year)
        return self._names[key]


_ZONES = _FeedZones()
_ZONES_LOCK = threading.Lock()


def _forget_feed_zones() -> None:
    # Choosing the provider gives icalendar a fresh, empty TZID table (TZP._use).
    tzp.use(_ZONES)


@contextmanager
def _own_zones() -> Iterator[None]:
    """While held, icalendar knows only the VTIMEZONEs of the feed being read.

    Everything that can look a TZID up (parsing, and expansion, which localises
    lazily) runs inside; what leaves is UTC plus a zone name. Nothing else in the app
    may parse iCalendar outside ``parse_feed``, or it could see a feed's zones.
    """
    with _ZONES_LOCK:
        _forget_feed_zones()
        try:
            yield
        finally:
            _forget_feed_zones()


def parse_feed(
    data: bytes,
    *,
    start: datetime,
    end: datetime,
    default_tz: str,
    her_email: str | None = None,
) -> list[Occurrence]:
    """Every timed meeting that starts in [start, end), in order of start.

    ``default_tz`` (her Slack zone) is where floating times are, unless the feed says
    ``X-WR-TIMEZONE``. ``her_email``, when known, drops the events she declined.
    Raises NotACalendar, or TitlesHidden when every event near the window (``_near``)
    is untitled or a free/busy word; an empty list means no meetings.
    """
    for name, value in (("start", start), ("end", end)):
        if value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    her_zone = zone(default_tz)
    with _own_zones():
        calendar = _read(_near(data, start=start, end=end))
        events = _usable_events(calendar)
        feed_zone = _feed_zone(calendar)
        events = _in_zones(events, feed_zone=feed_zone, her_zone=her_zone)
        events = [event for event in events if not _backwards(event)]
        zones = _ZoneNames(fallback=(feed_zone or her_zone).key)
        occurrences = _meetings(
            _expand(events, start=start, end=end),
            events,
            feed_zone=feed_zone or her_zone,
            zones=zones,
            her_email=her_email,
            start=start,
            end=end,
        )
    if events and all(_title_hidden(event) for event in events):
        raise TitlesHidden(
            "the calendar is published without titles (availability only)",
            occurrences=occurrences,
        )
    return occurrences


# Google and Exchange stamp every event with the time of each export.
_DTSTAMP = re.compile(rb"^DTSTAMP[;:][^\r\n]*\r?\n", re.M | re.I)


def feed_digest(data: bytes, *, default_tz: str, her_email: str | None = None) -> str:
    """A digest of everything ``parse_feed``'s meetings depend on but the window: the
    feed without its DTSTAMP lines, her zone and her email. Equal digests mean equal
    meetings, so a sync need not parse a feed that only was exported again."""
    digest = hashlib.sha256(_DTSTAMP.sub(b"", data))
    email = (her_email or "").strip().casefold()
    digest.update(f"\0{default_tz}\0{email}".encode())
    return digest.hexdigest()


# A VEVENT block, and the properties that say when it can happen (after unfolding).
_VEVENT = re.compile(rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?$\n?", re.M | re.S | re.I)
_FOLD = re.compile(rb"\r?\n[ \t]")
_WHEN = re.compile(
    rb"^(UID|DTSTART|RRULE|RDATE|EXRULE|RECURRENCE-ID)([;:][^\r\n]*)\r?$", re.M | re.I
)
_DAY = re.compile(rb"(\d{4})(\d{2})(\d{2})")
_UNTIL = re.compile(rb"UNTIL=(\d{8})", re.I)
# More than any zone can shift a date (UTC-12 to UTC+14), and then some.
_DATE_SLACK = timedelta(days=2)


def _near(data: bytes, *, start: datetime, end: datetime) -> bytes:
    """The feed without the events that cannot have a meeting in [start, end).

    A feed of years (Google's of 677 events) is mostly meetings long past; parsing
    each into icalendar's objects is most of a sync's work and memory. Read from the
    text alone, a UID none of whose events comes near the window is left out, and so
    is an edit of one occurrence that moves it neither from nor into the window.
    Whatever the text leaves in doubt stays (no UID, a date that can't be read, a
    COUNT or RDATE, ``RANGE=THISANDFUTURE``), so the meetings found are exactly the
    whole feed's.
    """
    low = (start - _DATE_SLACK).date()
    high = (end + _DATE_SLACK).date()
    blocks: list[tuple[int, int, bytes, bool]] = []  # (from, to, uid, a far edit)
    near: set[bytes] = set()  # the UIDs with an event that may reach the window
    for block in _VEVENT.finditer(data):
        props: dict[bytes, bytes] = {}
        for match in _WHEN.finditer(_FOLD.sub(b"", block.group())):
            props.setdefault(match.group(1).upper(), match.group(2))
        uid = props.get(b"UID", b"").lstrip(b";:").strip()
        starts = _day(props.get(b"DTSTART"))
        far_edit = False
        if b"RRULE" in props or b"RDATE" in props or b"EXRULE" in props:
            until_at = _UNTIL.search(props.get(b"RRULE", b""))
            until = _day(until_at.group(1) if until_at else None)
            is_near = (
                b"RDATE" in props
                or b"RRULE" not in props
                or ((until is None or until >= low) and (starts is None or starts <= high))
            )
        elif b"RECURRENCE-ID" in props:
            moved_from = props[b"RECURRENCE-ID"]
            far_edit = not (
                b"RANGE=" in moved_from.upper()
                or _within(_day(moved_from), low, high)
                or _within(starts, low, high)
            )
            is_near = not far_edit
        else:
            is_near = _within(starts, low, high)
        if is_near or not uid:
            near.add(uid)
        blocks.append((block.start(), block.end(), uid, far_edit))
    left_out = [(a, b) for a, b, uid, far_edit in blocks if far_edit or uid not in near]
    if not left_out:
        return data
    kept, at = [], 0
    for begin, stop in left_out:
        kept.append(data[at:begin])
        at = stop
    kept.append(data[at:])
    return b"".join(kept)


def _day(value: bytes | None) -> date | None:
    """The date a property's value starts with (after any parameters), if readable."""
    if value is None:
        return None
    found = _DAY.match(value.rsplit(b":", 1)[-1].strip())
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _within(day: date | None, low: date, high: date) -> bool:
    return day is None or low <= day <= high


def _read(data: bytes) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises several kinds for non-iCalendar
        calendar = _salvage(data)
        if calendar is None:
            raise NotACalendar("this is not an iCalendar (.ics) feed") from exc
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise NotACalendar("this is not an iCalendar (.ics) feed")
    return calendar


def _salvage(data: bytes) -> icalendar.Calendar | None:
    """What can be read of a calendar icalendar rejects as a whole, or None.

    icalendar fails the whole feed on one bad piece (a zone offset of +2500, a VALARM
    TRIGGER of "soon", a stray line). Here each component of the calendar is read on
    its own, zones first so that events find theirs, and what can't be read is left
    out: an event in a dropped zone reads as floating, like any TZID the feed doesn't
    define. A feed cut off before END:VCALENDAR is not salvaged: reading it as "no
    more meetings" would cancel them.
    """
    properties: list[list[str]] = []  # the calendar's own lines, each with its folds
    blocks: list[list[str]] = []  # its components, each with everything inside
    stack: list[str] = []
    last: list[str] | None = None
    for line in data.decode("utf-8-sig", "replace").splitlines():
        if line[:1] in (" ", "\t"):  # a folded continuation of the line before
            if last is not None:
                last.append(line)
            continue
        head = line.rstrip().upper()
        if head.startswith("BEGIN:") and (stack or head == "BEGIN:VCALENDAR"):
            if len(stack) == 1:
                blocks.append([])
            stack.append(head[len("BEGIN:") :])
        elif head.startswith("END:") and head[len("END:") :] in stack:
            while stack[-1] != head[len("END:") :]:
                stack.pop()  # a component left open: its block won't parse, alone
            stack.pop()
            if not stack:
                break
        elif len(stack) == 1:
            properties.append([line])
            last = properties[-1]
            continue
        if len(stack) > 1 or (len(stack) == 1 and head.startswith("END:")):
            blocks[-1].append(line)
            last = blocks[-1]
        else:
            last = None
    else:
        return None  # never closed (or never opened): cut off, or not a calendar
    calendar = _parse_alone(["BEGIN:VCALENDAR", *_readable(properties), "END:VCALENDAR"])
    if calendar is None:
        return None
    zones_first = sorted(blocks, key=lambda b: not b[0].upper().startswith("BEGIN:VTIMEZONE"))
    for block in zones_first:
        component = _parse_alone(block) or _parse_alone(_flat(block))
        if component is not None:
            calendar.add_component(component)
    return calendar


def _flat(block: list[str]) -> list[str]:
    """A component without what is nested in it (a VALARM we don't need, broken)."""
    own = "END:" + block[0].rstrip().upper()[len("BEGIN:") :]
    kept = [block[0]]
    nested: list[str] = []
    for line in block[1:]:
        head = line.rstrip().upper()
        if head == own:
            kept.append(line)
            break
        if head.startswith("BEGIN:"):
            nested.append(head[len("BEGIN:") :])
        elif head.startswith("END:"):
            if head[len("END:") :] in nested:
                del nested[nested.index(head[len("END:") :]) :]
        elif not nested:
            kept.append(line)
    return kept


def _readable(properties: list[list[str]]) -> list[str]:
    lines = []
    for prop in properties:
        if _parse_alone(["BEGIN:VCALENDAR", *prop, "END:VCALENDAR"]) is not None:
            lines.extend(prop)
    return lines


def _parse_alone(lines: list[str]) -> icalendar.Component | None:
    try:
        return icalendar.Calendar.from_ical("\r\n".join(lines))
    except Exception:
        return None


def _usable_events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    """The feed's VEVENTs, minus those whose times can't be read (repaired if sure)."""
    usable = []
    for event in calendar.walk("VEVENT"):
        broken = {name for name, _ in event.errors if name in _TIME_PROPERTIES}
        if any(name == "SEQUENCE" for name, _ in event.errors):
            event.pop("SEQUENCE")  # only orders a series' edits; unreadable, it breaks them
        if "RRULE" in broken and _repair_rrule(event):
            broken.discard("RRULE")
        start = event.get("DTSTART")
        if broken or not isinstance(getattr(start, "dt", None), date):
            continue
        if not str(event.get("UID", "")).strip():
            event["UID"] = _stand_in_uid(event)
        usable.append(event)
    return usable


def _repair_rrule(event: icalendar.Event) -> bool:
    # Exchange (CDO) writes "BYDAY=MO, TU, WE" (icalendar issue 165); without the spaces
    # it is the rule everyone else reads.
    rules = event.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules]
    repaired = []
    for rule in rules:
        raw = str(rule) if isinstance(rule, icalendar.vBroken) else None  # the text as written
        if raw is None:
            repaired.append(rule)
            continue
        try:
            repaired.append(icalendar.vRecur.from_ical("".join(raw.split())))
        except (ValueError, TypeError):
            return False
    event.pop("RRULE")
    for rule in repaired:
        event.add("RRULE", rule)
    return True


def _feed_zone(calendar: icalendar.Calendar) -> ZoneInfo | None:
    """The feed's X-WR-TIMEZONE as a zone (a Windows name mapped), or None."""
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    for candidate in (name, WINDOWS_TO_OLSON.get(name)):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return None


class _ZoneWalker(x_wr_timezone.CalendarWalker):
    """Places floating times in a zone; with Google's X-WR-TIMEZONE, UTC times too.

    x-wr-timezone's own walker takes a time for floating when its zone has no name,
    which is every zone Outlook defines (its VTIMEZONEs carry no TZNAME): here
    floating means no zone at all.
    """

    def __init__(self, tz: ZoneInfo, *, utc_too: bool) -> None:
        self.tz = tz
        self.utc_too = utc_too

    def walk_value_datetime(self, dt: datetime) -> datetime:
        if dt.tzinfo is None:
            return dt.replace(tzinfo=self.tz)
        if self.utc_too and dt.utcoffset() == timedelta(0) and dt.tzname() == "UTC":
            return dt.astimezone(self.tz)
        return dt


def _in_zones(
    events: list[icalendar.Event], *, feed_zone: ZoneInfo | None, her_zone: ZoneInfo
) -> list[icalendar.Event]:
    """The events with every floating time placed in the feed's zone, else hers."""
    # Google writes a series in UTC and means X-WR-TIMEZONE, so its UTC times move
    # into that zone too (as recurring_ical_events.of does).
    walker = _ZoneWalker(feed_zone or her_zone, utc_too=feed_zone is not None)
    placed = []
    for event in events:
        try:
            placed.append(walker.walk_event(event))
        except Exception:
            continue  # a value the walker can't place: this event only is lost
    return placed


def _backwards(event: icalendar.Event) -> bool:
    # recurring-ical-events swaps an end written before the start; such an event is a
    # mistake, not a meeting to plan check-ins around.
    begins, ends, length = (event.get(name) for name in ("DTSTART", "DTEND", "DURATION"))
    if length is not None and isinstance(length.dt, timedelta):
        return length.dt < timedelta(0)
    if ends is None or not all(isinstance(v.dt, datetime) for v in (begins, ends)):
        return False
    try:
        return ends.dt < begins.dt
    except TypeError:  # one floating, one not: left to the library to pair up
        return False


def _expand(
    events: list[icalendar.Event], *, start: datetime, end: datetime
) -> list[icalendar.Event]:
    """The occurrences recurring-ical-events finds overlapping [start, end)."""
    try:
        return _between(events, start, end)
    except Exception:
        pass  # one series broke the whole query: expand series by series instead
    by_uid: dict[str, list[icalendar.Event]] = {}
    for event in events:
        by_uid.setdefault(str(event["UID"]), []).append(event)
    found: list[icalendar.Event] = []
    for series in by_uid.values():
        try:
            found.extend(_between(series, start, end))
        except Exception:
            continue  # this series only is lost
    return found


def _between(events: list[icalendar.Event], start: datetime, end: datetime) -> list:
    calendar = icalendar.Calendar()
    for event in events:
        calendar.add_component(event)
    query = recurring_ical_events.CalendarQuery(calendar, skip_bad_series=True)
    return query.between(start, end)


def _meetings(
    found: list[icalendar.Event],
    events: list[icalendar.Event],
    *,
    feed_zone: ZoneInfo,
    zones: _ZoneNames,
    her_email: str | None,
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    recurring = {
        _uid(event)
        for event in events
        if any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    shifts = _this_and_future_shifts(events)
    email = her_email.strip().casefold() if her_email else None
    by_key: dict[str, Occurrence] = {}
    for component in found:
        try:
            occurrence = _meeting(
                component,
                feed_zone=feed_zone,
                recurring=recurring,
                shifts=shifts,
                zones=zones,
                email=email,
            )
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError):
            continue  # one occurrence with values no calendar app would write
        if occurrence is None or not start <= occurrence.start < end:
            continue
        by_key.setdefault(occurrence.key, occurrence)  # a feed listing one twice
    return sorted(by_key.values(), key=lambda o: (o.start, o.key))


def _meeting(
    component: icalendar.Event,
    *,
    feed_zone: ZoneInfo,
    recurring: set[str],
    shifts: dict[tuple[str, datetime], timedelta],
    zones: _ZoneNames,
    email: str | None,
) -> Occurrence | None:
    """The occurrence as a meeting, or None when it is not one she could practise in."""
    begins = component["DTSTART"].dt
    if not isinstance(begins, datetime):
        return None  # all-day: a holiday, a birthday, "home office"
    if str(component.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    title = " ".join(str(component.get("SUMMARY", "")).split())
    if title.casefold().startswith(_CANCELLED_PREFIXES):
        return None  # Outlook keeps a cancelled meeting CONFIRMED with this title
    if email and _declined_by(component, email):
        return None
    if "DTEND" in component:
        ends = component["DTEND"].dt
    elif "DURATION" in component:
        ends = begins + component["DURATION"].dt
    else:
        ends = begins
    if not isinstance(ends, datetime):
        return None
    # Never naive past this point: astimezone would read it in the server's zone.
    begins, ends = (_as_instant(moment, feed_zone) for moment in (begins, ends))
    first, last = begins.astimezone(UTC), ends.astimezone(UTC)
    if not timedelta(0) < last - first <= MAX_MEETING:
        return None  # a reminder or a mistake; or a block, not a meeting
    uid = _uid(component)
    recurrence_id = None
    if uid in recurring:
        recurrence_id = _recurrence_id(component, begins, uid, shifts)
    return Occurrence(
        uid=uid,
        recurrence_id=recurrence_id,
        key=occurrence_key(uid, recurrence_id),
        series=uid,
        title=title or NO_TITLE,
        start=first,
        end=last,
        tz=zones.name(begins.tzinfo, at=first),
        recurring=uid in recurring,
    )


def _uid(event: icalendar.Event) -> str:
    return str(event.get("UID", "")).strip()


def _stand_in_uid(event: icalendar.Event) -> str:
    # RFC 5545 requires a UID; a feed without one gets a stable stand-in from what
    # the event says, so that the same event has the same key at every sync.
    start = event["DTSTART"].to_ical().decode()
    seed = f"{event.get('SUMMARY', '')}|{start}"
    return "no-uid-" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def _recurrence_id(
    component: icalendar.Event,
    begins: datetime,
    uid: str,
    shifts: dict[tuple[str, datetime], timedelta],
) -> datetime:
    prop = component.get("RECURRENCE-ID")
    if prop is None:
        return begins.astimezone(UTC)
    written = _as_instant(prop.dt, begins.tzinfo)
    shift = shifts.get((uid, written.astimezone(UTC)))
    if shift is not None and _this_and_future(prop):
        # recurring-ical-events stamps every occurrence a THISANDFUTURE edit moved with
        # the edit's RECURRENCE-ID; an occurrence's own id is its start before the move.
        return (begins - shift).astimezone(UTC)
    return written.astimezone(UTC)


def _this_and_future(prop: object) -> bool:
    params = getattr(prop, "params", {})
    return str(params.get("RANGE", "")).upper() == "THISANDFUTURE"


def _this_and_future_shifts(
    events: Iterable[icalendar.Event],
) -> dict[tuple[str, datetime], timedelta]:
    """(UID, RECURRENCE-ID in UTC) -> how far a THISANDFUTURE edit moved its occurrences."""
    shifts = {}
    for event in events:
        prop = event.get("RECURRENCE-ID")
        begins = event["DTSTART"].dt
        if prop is None or not _this_and_future(prop) or not isinstance(begins, datetime):
            continue
        written = _as_instant(prop.dt, begins.tzinfo)
        # The same arithmetic as the library's (aware minus aware), so it inverts exactly.
        shifts[(_uid(event), written.astimezone(UTC))] = begins - written
    return shifts


def _as_instant(value: date, tz: tzinfo | None) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz or UTC)
    return datetime.combine(value, time(), tzinfo=tz or UTC)


def _declined_by(component: icalendar.Event, email: str) -> bool:
    attendees = component.get("ATTENDEE", [])
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee).strip()
        if address.casefold().startswith("mailto:"):
            address = address[len("mailto:") :]
        if address.strip().casefold() != email:
            continue
        params = getattr(attendee, "params", {})
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            return True
    return False


def _title_hidden(event: icalendar.Event) -> bool:
    title = " ".join(str(event.get("SUMMARY", "")).split())
    return not title or title.casefold() in _AVAILABILITY_TITLES


# -- zone names --------------------------------------------------------------------


class _ZoneNames:
    """The IANA name of the zone an event is written in (one feed's worth of memo)."""

    # UTC is no place: a time written in it is shown in the feed's zone (or hers).
    _NOT_A_PLACE = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z", "Etc/Universal"})

    def __init__(self, *, fallback: str) -> None:
        self.fallback = fallback
        self._memo: dict[tuple[int, int], str] = {}

    def name(self, tz: tzinfo | None, *, at: datetime) -> str:
        if tz is None:
            return self.fallback
        memo_key = (id(tz), at.year)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._resolve(tz, at=at)
        return self._memo[memo_key]

    def _resolve(self, tz: tzinfo, *, at: datetime) -> str:
        key = getattr(tz, "key", None)  # a ZoneInfo
        tzid = _clean_tzid(key or next(iter(tzids_from_tzinfo(tz)), ""))
        if tzid in self._NOT_A_PLACE:
            return self.fallback
        for candidate in (tzid, WINDOWS_TO_OLSON.get(tzid)):
            if candidate and _is_iana(candidate):
                return candidate
        return _ZONES.custom_name(tz, tzid, at.year) or self.fallback


def _clean_tzid(tzid: str) -> str:
    return tzid.replace("\\", "").strip().strip('"/').strip()


def _custom_zone_name(tz: tzinfo, tzid: str, year: int) -> str | None:
    """An IANA name for a zone only the feed defines ("Customized Time Zone").

    The zone keeping its offsets all year, the city in its name first ("Kuala
    Lumpur, Singapore"); one without daylight saving is its fixed offset ("UTC+11").
    """
    offsets = _offsets(tz, year)
    matches = _zones_by_offsets(year).get(offsets, [])
    text = tzid.replace("_", " ").casefold()
    for candidate in matches:
        if candidate.rsplit("/", 1)[-1].replace("_", " ").casefold() in text:
            return candidate
    if matches and len(set(offsets)) > 1:
        return matches[0]
    hours, rest = divmod(int((offsets[0] or timedelta(0)).total_seconds()), 3600)
    if len(set(offsets)) == 1 and rest == 0 and hours != 0:
        return f"Etc/GMT{-hours:+d}"  # the Etc/ signs are inverted (POSIX)
    return matches[0] if matches else None


def _is_iana(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _offsets(tz: tzinfo, year: int) -> tuple[timedelta | None, ...]:
    first = datetime(year, 1, 1, 12, tzinfo=UTC)
    return tuple((first + timedelta(weeks=n)).astimezone(tz).utcoffset() for n in range(53))


@functools.cache
def _zones_by_offsets(year: int) -> dict[tuple[timedelta | None, ...], list[str]]:
    # Only the zones Windows names map to: one familiar name per region. IANA data
    # alone, so it is safe to share across feeds.
    zones: dict[tuple[timedelta | None, ...], list[str]] = {}
    for name in sorted(set(WINDOWS_TO_OLSON.values())):
        if _is_iana(name):
            zones.setdefault(_offsets(ZoneInfo(name), year), []).append(name)
    return zones


# -- the picker --------------------------------------------------------------------


def series_of(occurrences: Iterable[Occurrence], *, tz: str) -> list[Series]:
    """One line per series and per one-off meeting, soonest first, in her zone ``tz``.

    "Weekly team sync · Mon 09:00 · 30 min", "Standup · Every weekday 09:30 · 15 min",
    "Review · Tue 3 Mar 14:00 · 45 min" (one-off). A series whose occurrences differ
    shows its most common title, time and length.
    """
    her_zone = zone(tz)
    groups: dict[str, list[Occurrence]] = {}
    for occurrence in sorted(occurrences, key=lambda o: (o.start, o.key)):
        groups.setdefault(occurrence.series, []).append(occurrence)
    lines = []
    for key, group in groups.items():
        title = _most_common(o.title for o in group)
        local = [o.start.astimezone(her_zone) for o in group]
        minutes = _most_common(o.minutes for o in group)
        at = _most_common(f"{moment:%H:%M}" for moment in local)
        if any(o.recurring for o in group):
            when = _describe_days(weekdays_to_mask(moment.weekday() for moment in local))
        else:
            day = local[0]
            when = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
        lines.append(Series(key, title, f"{title} · {when} {at} · {describe_duration(minutes)}"))
    return lines


def _describe_days(mask: int) -> str:
    if mask == ALL_DAYS:
        return "Every day"
    if mask == WORKING_DAYS:
        return "Every weekday"
    return ", ".join(WEEKDAY_NAMES[day] for day in mask_to_weekdays(mask))


def _most_common(values: Iterable[_T]) -> _T:
    # Counter keeps first-seen order among ties, so a tie goes to the soonest.
    return Counter(values).most_common(1)[0][0]


# -- what changed ------------------------------------------------------------------


def diff(old: Iterable[Occurrence], new: Iterable[Occurrence]) -> Changes:
    """What a sync changed, by key: added, removed, and moved (start or end changed).

    A changed title alone is not a change: the check-ins follow times.
    """
    before = {o.key: o for o in old}
    after = {o.key: o for o in new}
    return Changes(
        added=sorted((o for k, o in after.items() if k not in before), key=_when),
        removed=sorted((o for k, o in before.items() if k not in after), key=_when),
        moved=sorted(
            (
                (before[k], o)
                for k, o in after.items()
                if k in before and (before[k].start, before[k].end) != (o.start, o.end)
            ),
            key=lambda pair: _when(pair[1]),
        ),
    )


def _when(occurrence: Occurrence) -> tuple[datetime, str]:
    return occurrence.start, occurrence.key
