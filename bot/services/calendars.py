"""Her calendar (PRODUCT §3 journey 10): connect its private ICS link, tick the series
to practise in, and keep their check-ins following what the calendar says.

The link is a password. It is kept only sealed with SECRET_KEY (``SecretBox``), opened
just before a fetch, and never logged, raised or exported: logs name the feed's id and
its host. Of her calendar, only the ticked series' titles (as meeting names) and their
occurrences' times are stored.

Syncing works like sending check-ins: the database says which calendars are due
(``next_sync_at``: every 20 minutes, and about 20 minutes before each pre-meeting
check-in), each process claims due ones with a lease, fetches and parses them outside
any transaction, then writes what changed, if anything, while still holding the lease.
A fetch or a parse that fails changes nothing but the feed's failure record: her
check-ins stay as they were.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from bot.clock import Clock
from bot.domain.calendar import (
    NO_TITLE,
    NotACalendar,
    Occurrence,
    Series,
    TitlesHidden,
    feed_digest,
    parse_feed,
    series_of,
)
from bot.domain.schedule import weekdays_to_mask, zone
from bot.ical.client import FeedClient, FeedError, normalize_url
from bot.models import (
    CALENDAR_KEY_MAX,
    CALENDAR_SERIES_MAX,
    CalendarFeed,
    Coachee,
    Meeting,
    MeetingSource,
)
from bot.services.coaching import onboarded_coachee
from bot.services.planner import follow_occurrences
from bot.storage import calendars, checkins, coachees, meetings, workspaces
from bot.storage.calendars import SYNC_EVERY
from bot.storage.crypto import SecretBox, SecretUnreadable
from bot.storage.db import Database

log = logging.getLogger(__name__)

HORIZON_DAYS = 14
WINDOW = timedelta(days=HORIZON_DAYS)
# A sync is due about this long before each pre-meeting check-in of a calendar meeting.
PRE_SYNC_LEAD = timedelta(minutes=20)
# A calendar failing this long gets her one DM (per run of failures).
FAILING_NOTICE_AFTER = timedelta(hours=24)
# What connect or reopen read is kept in memory this long for choose (the next modal
# step); after that, or in another process, choose fetches the link again.
CHOICE_KEPT = timedelta(minutes=10)
# A conditional fetch (ETag / Last-Modified) may answer "not modified", and a feed
# may come back with the same digest, for weeks, while the 14-day window moves on: the
# feed is read in full at least this often (a meeting enters the window at most this
# late, still about 13 days ahead of it).
FULL_READ_EVERY = timedelta(hours=6)
# Series she may practise in from her calendar (typed meetings have their own cap).
MAX_CALENDAR_MEETINGS = 20
# Feeds fetched at once by one sync_due call (fetching waits on the network; parsing
# is serialised by bot.domain.calendar anyway).
SYNC_THREADS = 8
# Meeting.name's column width.
_NAME_MAX = 150

_T = TypeVar("_T")

# Google Calendar splits a series edited "this and following events" into the old
# series (ended by UNTIL) and a new one whose UID is the old one with "_R<start>"
# added before the "@": the new series is the same meeting, so it stays practised.
_GOOGLE_SPLIT = re.compile(r"_R\d{8}T\d{6}Z?(?=@|_R|$)")

_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CalendarUnavailable(Exception):
    """SECRET_KEY is not set: the admin must set it."""


class CalendarProblem(Exception):
    """Her calendar can't be used right now; ``why`` says why, as a code.

    A FeedError code (bot.ical.client.WHY_CODES), or not_a_calendar, titles_hidden,
    no_meetings, not_connected. Never the link.
    """

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why

    def __repr__(self) -> str:
        return f"CalendarProblem({self.why!r})"


@dataclass(frozen=True)
class CalendarChoice:
    host: str  # the link's host only, to show her which calendar
    series: list[Series]  # the series and one-off meetings of the next 14 days
    chosen: frozenset[str]  # series keys she ticked before (reopening shows them)


@dataclass(frozen=True)
class FailingNotice:
    team_id: str
    user_id: str
    why: str  # the last failure's code, as CalendarProblem.why
    host: str


@dataclass(frozen=True)
class _Read:
    """One parse of her calendar, kept in memory for choose."""

    sealed: str  # which link it was read from (the stored, sealed token)
    occurrences: list[Occurrence]
    at: datetime


def lineage(series: str) -> str:
    """The series a (Google-split) series continues: its UID without "_R<start>"."""
    return _GOOGLE_SPLIT.sub("", series)


class CalendarService:
    def __init__(
        self, db: Database, clock: Clock, *, client: FeedClient, box: SecretBox | None
    ) -> None:
        self._db = db
        self._clock = clock
        self._client = client
        self._box = box
        self._reads: dict[tuple[str, str], _Read] = {}
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """False without SECRET_KEY: links can't be stored."""
        return self._box is not None

    # -- the picker ----------------------------------------------------------------

    def connect(self, *, team_id: str, user_id: str, url: str, email: str | None) -> CalendarChoice:
        """Fetch her link now and show the next 14 days' series; on success store the
        link sealed (replacing an old one; the series she ticked keep following it).

        Raises CalendarProblem, CalendarUnavailable or NotStarted.
        """
        box = self._require_box()
        with self._db.session() as session:
            tz = _tz(onboarded_coachee(session, team_id=team_id, user_id=user_id).tz)
        link = normalize_url(url) if isinstance(url, str) else url
        now = self._clock.now()
        found = self._read(link, tz=tz, email=email, now=now)
        series = series_of(found, tz=tz)
        if not series:
            raise CalendarProblem("no_meetings")
        host = (urlsplit(link).hostname or "").lower()[:255]
        sealed = box.seal(link)
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            feed = calendars.save_feed(
                session,
                team_id=team_id,
                coachee_id=coachee.id,
                url_sealed=sealed,
                host=host,
                now=now,
            )
            ticked = calendars.calendar_meetings(session, coachee_id=coachee.id)
            self._follow(session, coachee, ticked, found, now=now)
            self._sync_before_next_checkin(session, feed, now=now)
            series += _absent(ticked, series)
            chosen = _chosen(ticked, series)
        self._remember(team_id, user_id, _Read(sealed, found, now))
        log.info("calendar %s connected (%s)", feed.id, host)
        return CalendarChoice(host, series, chosen)

    def reopen(self, *, team_id: str, user_id: str, email: str | None) -> CalendarChoice | None:
        """Her connected calendar's next 14 days again, with what she ticked; None when
        no calendar is connected. Raises CalendarProblem, CalendarUnavailable, NotStarted."""
        box = self._require_box()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            feed = calendars.get_feed(session, coachee_id=coachee.id)
            if feed is None:
                return None
            tz, sealed, host = _tz(coachee.tz), feed.url_sealed, feed.host
            ticked = calendars.calendar_meetings(session, coachee_id=coachee.id)
        now = self._clock.now()
        found = self._read(_open(box, sealed), tz=tz, email=email, now=now)
        series = series_of(found, tz=tz)
        if not series:
            raise CalendarProblem("no_meetings")
        self._remember(team_id, user_id, _Read(sealed, found, now))
        series += _absent(ticked, series)
        return CalendarChoice(host, series, _chosen(ticked, series))

    def choose(self, *, team_id: str, user_id: str, series_keys: set[str]) -> list[str]:
        """The ticked series become her practice meetings, with their check-ins; the
        unticked ones she could see stop (pending check-ins cancelled, history kept).
        Returns the titles now practised, in the picker's order.

        Uses what connect or reopen read moments ago; fetches again if that is gone
        (another process, or more than CHOICE_KEPT ago). Raises CalendarProblem
        (not_connected, or what the new fetch ran into), CalendarUnavailable, NotStarted.
        """
        box = self._require_box()
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            feed = calendars.get_feed(session, coachee_id=coachee.id)
            if feed is None:
                raise CalendarProblem("not_connected")
            tz, sealed = _tz(coachee.tz), feed.url_sealed
        read = self._recall(team_id, user_id, sealed=sealed, now=now)
        fetched_again = read is None
        if fetched_again:
            # Without her email, so meetings she declined are in; the sync that
            # follows at once (which asks for it) takes them out.
            found = self._read(_open(box, sealed), tz=tz, email=None, now=now)
            read = _Read(sealed, found, now)
            self._remember(team_id, user_id, read)
        series = series_of(read.occurrences, tz=tz)
        groups: dict[str, list[Series]] = {}
        for line in series:
            groups.setdefault(lineage(line.key), []).append(line)
        ticked = [
            name for name, lines in groups.items() if any(s.key in series_keys for s in lines)
        ][:MAX_CALENDAR_MEETINGS]
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            feed = calendars.get_feed(session, coachee_id=coachee.id)
            if feed is None or not _same_link(box, feed.url_sealed, sealed):
                raise CalendarProblem("not_connected")  # disconnected or replaced meanwhile
            existing: dict[str, Meeting] = {}
            for meeting in calendars.calendar_meetings(
                session, coachee_id=coachee.id, include_inactive=True
            ):
                known = existing.get(lineage(meeting.calendar_series))
                if known is None or (meeting.active and not known.active):
                    existing[lineage(meeting.calendar_series)] = meeting
            practised: list[Meeting] = []
            for name, lines in groups.items():
                meeting = existing.get(name)
                if name in ticked:
                    key = next(s.key for s in lines if s.key in series_keys)
                    mine = [o for o in read.occurrences if lineage(o.series) == name]
                    practised.append(self._tick(session, coachee, meeting, key, mine, now=now))
                elif meeting is not None and meeting.active:
                    _untick(session, coachee, meeting, now=now)
            for name, meeting in existing.items():
                # Ticked, with no meeting in the window: shown apart, so she can untick it.
                absent = name not in groups and meeting.active
                if absent and meeting.calendar_series not in series_keys:
                    _untick(session, coachee, meeting, now=now)
            session.flush()
            active = calendars.calendar_meetings(session, coachee_id=coachee.id)
            self._follow(session, coachee, active, read.occurrences, now=now)
            # What choose stored came from the picker's read: the next sync reads in full.
            calendars.forget_read(session, feed_id=feed.id)
            self._sync_before_next_checkin(session, feed, now=now)
            if fetched_again:
                calendars.bring_forward(session, feed_id=feed.id, to=now)
            names = [meeting.name for meeting in practised]
        with self._lock:  # used: a whole calendar's meetings need not stay in memory
            if self._reads.get((team_id, user_id)) is read:
                del self._reads[(team_id, user_id)]
        return names

    def disconnect(self, *, team_id: str, user_id: str) -> bool:
        """Delete her link and her calendar meetings' future: pending check-ins are
        cancelled, a meeting with history is kept inactive (her attempts point at it),
        one without is removed. False if no calendar was connected."""
        now = self._clock.now()
        with self._db.session() as session:
            coachee = coachees.get_coachee(
                session, team_id=team_id, slack_user_id=user_id, lock=True
            )
            if coachee is None:
                return False
            had = calendars.delete_feed(session, coachee_id=coachee.id)
            for meeting in calendars.calendar_meetings(
                session, coachee_id=coachee.id, include_inactive=True
            ):
                _untick(session, coachee, meeting, now=now)
                if not meetings.has_history(session, meeting_id=meeting.id):
                    meetings.delete_unused(session, meeting=meeting)
        with self._lock:
            self._reads.pop((team_id, user_id), None)
        return had

    # -- the sync job ------------------------------------------------------------------

    def sync_due(
        self, *, owner: str, email_of: Callable[[str, str], str | None], limit: int = 20
    ) -> int:
        """Sync the calendars that are due (claimed with a lease as ``owner``); returns
        how many syncs were recorded, failed fetches included."""
        if self._box is None:
            return 0
        with self._db.session() as session:
            ids = calendars.claim_due_feeds(
                session, now=self._clock.now(), owner=owner, limit=limit
            )
        if not ids:
            return 0
        if len(ids) == 1:
            return int(self._sync_guarded(ids[0], owner, email_of))
        with ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(ids))) as pool:
            done = pool.map(lambda feed_id: self._sync_guarded(feed_id, owner, email_of), ids)
            return sum(done)

    def failing_for_a_day(self) -> list[FailingNotice]:
        """Calendars failing for 24 hours whose owner has not been told: each is
        returned once per run of failures (marked as told here, before the DM)."""
        now = self._clock.now()
        notices = []
        with self._db.session() as session:
            for feed in calendars.feeds_failing_since(
                session, before=now - FAILING_NOTICE_AFTER, limit=100
            ):
                coachee = session.get(Coachee, feed.coachee_id)
                if coachee is None or _paused(coachee, now) or _uninstalled(session, feed):
                    continue  # told when she is back, if it still fails
                if calendars.mark_failure_noticed(session, feed_id=feed.id, now=now):
                    notices.append(
                        FailingNotice(
                            team_id=feed.team_id,
                            user_id=coachee.slack_user_id,
                            why=feed.last_error or "unreachable",
                            host=feed.host,
                        )
                    )
        return notices

    # -- inside ------------------------------------------------------------------------

    def _require_box(self) -> SecretBox:
        if self._box is None:
            raise CalendarUnavailable()
        return self._box

    def _read(self, url: str, *, tz: str, email: str | None, now: datetime) -> list[Occurrence]:
        """Fetch and parse her calendar for the picker (titles needed)."""
        try:
            fetched = self._client.fetch(url)
        except FeedError as failure:
            why = failure.why
        else:
            try:
                return _parse(fetched.body or b"", tz=tz, email=email, now=now)
            except NotACalendar:
                why = "not_a_calendar"
            except TitlesHidden:
                why = "titles_hidden"
        raise CalendarProblem(why)

    def _remember(self, team_id: str, user_id: str, read: _Read) -> None:
        with self._lock:
            self._reads.pop((team_id, user_id), None)
            self._reads[(team_id, user_id)] = read  # the oldest first: those expire first
            while self._reads:
                oldest = next(iter(self._reads))
                if read.at - self._reads[oldest].at <= CHOICE_KEPT:
                    break
                del self._reads[oldest]

    def _recall(self, team_id: str, user_id: str, *, sealed: str, now: datetime) -> _Read | None:
        with self._lock:
            read = self._reads.get((team_id, user_id))
        if read is None or now - read.at > CHOICE_KEPT:
            return None
        return read if _same_link(self._box, read.sealed, sealed) else None

    def _tick(
        self,
        session,
        coachee: Coachee,
        meeting: Meeting | None,
        key: str,
        occurrences: list[Occurrence],
        *,
        now: datetime,
    ) -> Meeting:
        if meeting is None:
            meeting = Meeting(
                team_id=coachee.team_id,
                coachee_id=coachee.id,
                source=MeetingSource.CALENDAR,
                calendar_series=key,
                created_at=now,
                updated_at=now,
            )
            _describe(meeting, occurrences, tz=_tz(coachee.tz), now=now)
            session.add(meeting)
        elif not meeting.active:
            meeting.active = True
            meeting.updated_at = now
        return meeting

    def _follow(
        self,
        session,
        coachee: Coachee,
        meetings: list[Meeting],
        found: list[Occurrence],
        *,
        now: datetime,
        rename: bool = True,
    ) -> int:
        """Store what changed in her ticked series' occurrences and make their check-ins
        follow; returns how many meetings changed. Nothing is written for a meeting
        whose occurrences are as stored."""
        exact = {m.calendar_series: m for m in meetings}
        by_lineage: dict[str, Meeting] = {}
        for meeting in sorted(meetings, key=lambda m: m.id):
            by_lineage.setdefault(lineage(meeting.calendar_series), meeting)
        mine: dict[int, list[Occurrence]] = {meeting.id: [] for meeting in meetings}
        for occurrence in found:
            meeting = exact.get(occurrence.series) or by_lineage.get(lineage(occurrence.series))
            if meeting is not None and len(occurrence.key) <= CALENDAR_KEY_MAX:
                mine[meeting.id].append(occurrence)
        window = (now, now + WINDOW)
        changed = 0
        for meeting in meetings:
            stored = {
                row.key: row
                for row in calendars.occurrences_between(
                    session, meeting_id=meeting.id, start=_EPOCH, end=_FOREVER
                )
            }
            # Forget occurrences that are over, with a statement only when there are some
            # (most syncs of an unchanged calendar find none).
            if any(row.end < now for row in stored.values()):
                calendars.prune_occurrences(session, meeting_id=meeting.id, ended_before=now)
                stored = {key: row for key, row in stored.items() if row.end >= now}
            wanted = {o.key: o for o in mine[meeting.id]}
            moved = [
                (stored[key].start, o.start)
                for key, o in wanted.items()
                if key in stored and stored[key].start != o.start
            ]
            differs = any(
                key not in stored or (stored[key].start, stored[key].end) != (o.start, o.end)
                for key, o in wanted.items()
            ) or any(
                key not in wanted and window[0] <= row.start < window[1]
                for key, row in stored.items()
            )
            if differs:
                calendars.replace_occurrences(
                    session,
                    meeting_id=meeting.id,
                    occurrences=[(key, o.start, o.end) for key, o in wanted.items()],
                    window=window,
                )
                follow_occurrences(session, coachee, meeting, now=now, moved=moved)
                changed += 1
            if wanted:
                _describe(
                    meeting, list(wanted.values()), tz=_tz(coachee.tz), now=now, rename=rename
                )
        return changed

    def _sync_before_next_checkin(self, session, feed: CalendarFeed, *, now: datetime) -> None:
        due = _next_sync(session, feed.coachee_id, now=now)
        calendars.bring_forward(session, feed_id=feed.id, to=due)

    def _sync_guarded(
        self, feed_id: int, owner: str, email_of: Callable[[str, str], str | None]
    ) -> bool:
        try:
            return self._sync(feed_id, owner, email_of)
        except Exception as failure:
            # Only the kind: a message could quote her calendar.
            log.error("calendar %s: sync broke (%s)", feed_id, type(failure).__name__)
            try:
                with self._db.session() as session:
                    calendars.release_feed(
                        session,
                        feed_id=feed_id,
                        owner=owner,
                        next_sync_at=self._clock.now() + SYNC_EVERY,
                    )
            except Exception as again:
                log.error("calendar %s: lease not released (%s)", feed_id, type(again).__name__)
            return False

    def _sync(self, feed_id: int, owner: str, email_of: Callable[[str, str], str | None]) -> bool:
        now = self._clock.now()
        with self._db.session() as session:
            feed = calendars.feed_by_id(session, feed_id=feed_id)
            if feed is None or feed.lease_owner != owner:
                return False
            coachee = session.get(Coachee, feed.coachee_id)
            ticked = calendars.calendar_meetings(session, coachee_id=feed.coachee_id)
            if coachee is None or not ticked or _uninstalled(session, feed):
                # Nothing to follow (yet): no fetch at all.
                calendars.release_feed(
                    session, feed_id=feed_id, owner=owner, next_sync_at=now + SYNC_EVERY
                )
                return False
            sealed, etag, last_modified = feed.url_sealed, feed.etag, feed.last_modified
            read_lately = feed.read_at is not None and now - feed.read_at < FULL_READ_EVERY
            read_digest = feed.read_digest if read_lately else None
            team_id, user_id, tz = coachee.team_id, coachee.slack_user_id, _tz(coachee.tz)
        try:
            url = self._box.open(sealed)
        except SecretUnreadable:
            # SECRET_KEY lost the key that sealed it: only connecting again helps her.
            return self._failed(feed_id, owner, "not_connected")
        if not read_lately:
            etag = last_modified = None
        try:
            fetched = self._client.fetch(url, etag=etag, last_modified=last_modified)
        except FeedError as failure:
            return self._failed(feed_id, owner, failure.why)
        found: list[Occurrence] | None = None  # None: the meetings are as stored
        rename = True
        digest = None
        if fetched.status == "ok":
            body = fetched.body or b""
            email = _email(email_of, team_id, user_id)
            digest = feed_digest(body, default_tz=tz, her_email=email)
        if digest is not None and digest != read_digest:
            try:
                found = _parse(body, tz=tz, email=email, now=now)
            except TitlesHidden as hidden:
                # Published without titles now: the times are still right.
                found, rename = hidden.occurrences, False
            except NotACalendar:
                return self._failed(feed_id, owner, "not_a_calendar")
            if not found and b"BEGIN:VEVENT" not in body.upper():
                # A calendar with no event at all, past ones included, is a publishing
                # change or a broken server, not her meetings all cancelled.
                return self._failed(feed_id, owner, "no_meetings")
        now = self._clock.now()
        with self._db.session() as session:
            # Her row first, then the feed's, the order connect and choose lock them in.
            coachee = coachees.get_coachee(
                session, team_id=team_id, slack_user_id=user_id, lock=True
            )
            if coachee is None:
                return False
            if not calendars.renew_feed_lease(session, feed_id=feed_id, owner=owner, now=now):
                return False  # replaced, disconnected or taken over meanwhile
            if self._box.needs_rotation(sealed):  # sealed under an older SECRET_KEY key
                calendars.reseal_feed(session, feed_id=feed_id, url_sealed=self._box.rotate(sealed))
            if found is not None:
                ticked = calendars.calendar_meetings(session, coachee_id=coachee.id)
                self._follow(session, coachee, ticked, found, now=now, rename=rename)
            calendars.record_sync(
                session,
                feed_id=feed_id,
                owner=owner,
                now=now,
                ok=True,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                read_digest=digest if found is not None else None,
                next_sync_at=_next_sync(session, coachee.id, now=now),
            )
        return True

    def _failed(self, feed_id: int, owner: str, why: str) -> bool:
        now = self._clock.now()
        with self._db.session() as session:
            recorded = calendars.record_sync(
                session,
                feed_id=feed_id,
                owner=owner,
                now=now,
                ok=False,
                error=why,
                next_sync_at=now + SYNC_EVERY,
            )
        log.info("calendar %s: sync failed (%s)", feed_id, why)
        return recorded


# -- helpers -----------------------------------------------------------------------------


def _open(box: SecretBox, sealed: str) -> str:
    try:
        return box.open(sealed)
    except SecretUnreadable:
        raise CalendarProblem("not_connected") from None


def _same_link(box: SecretBox, sealed: str, other: str) -> bool:
    """Whether two sealed tokens hold the same link (a sync may have re-sealed it)."""
    if sealed == other:
        return True
    try:
        return box.open(sealed) == box.open(other)
    except SecretUnreadable:
        return False


def _tz(name: str | None) -> str:
    try:
        zone(name or "UTC")
    except ValueError:
        return "UTC"
    return name or "UTC"


def _parse(body: bytes, *, tz: str, email: str | None, now: datetime) -> list[Occurrence]:
    found = parse_feed(body, start=now, end=now + WINDOW, default_tz=tz, her_email=email)
    return [o for o in found if len(o.series) <= CALENDAR_SERIES_MAX]


def _absent(ticked: list[Meeting], series: list[Series]) -> list[Series]:
    """Lines for the series she practises that have no meeting in the window (a monthly
    one, a break): still hers, shown so that she can untick them."""
    shown = {lineage(line.key) for line in series}
    return [
        Series(
            meeting.calendar_series,
            meeting.name or NO_TITLE,
            f"{meeting.name or NO_TITLE} · no meeting in the next {HORIZON_DAYS} days",
        )
        for meeting in sorted(ticked, key=lambda m: m.id)
        if meeting.active
        and meeting.on_date is None  # a one-off gone from the window is over
        and lineage(meeting.calendar_series) not in shown
    ]


def _chosen(ticked: list[Meeting], series: list[Series]) -> frozenset[str]:
    practised = {lineage(m.calendar_series) for m in ticked if m.active}
    return frozenset(line.key for line in series if lineage(line.key) in practised)


def _email(email_of: Callable[[str, str], str | None], team_id: str, user_id: str) -> str | None:
    try:
        return email_of(team_id, user_id) or None
    except Exception:  # the edge should return None; her calendar syncs all the same
        return None


def _next_sync(session, coachee_id: int, *, now: datetime) -> datetime:
    """In SYNC_EVERY, or about PRE_SYNC_LEAD before her next pre-meeting check-in."""
    due = now + SYNC_EVERY
    pre = calendars.next_pre_checkin_due(session, coachee_id=coachee_id, after=now + PRE_SYNC_LEAD)
    if pre is not None:
        due = min(due, pre - PRE_SYNC_LEAD)
    return due


def _paused(coachee: Coachee, now: datetime) -> bool:
    return coachee.paused_until is not None and coachee.paused_until > now


def _uninstalled(session, feed: CalendarFeed) -> bool:
    workspace = workspaces.get_workspace(session, team_id=feed.team_id)
    return workspace is not None and workspace.uninstalled_at is not None


def _describe(
    meeting: Meeting,
    occurrences: list[Occurrence],
    *,
    tz: str,
    now: datetime,
    rename: bool = True,
) -> None:
    """The meeting's name, time and days as her calendar has them (in her zone), set
    only where they differ, so an unchanged calendar writes nothing."""
    ordered = sorted(occurrences, key=lambda o: (o.start, o.key))
    local = [o.start.astimezone(zone(tz)) for o in ordered]
    at = _most_common((moment.hour, moment.minute) for moment in local)
    values: dict = {
        "tz": tz,
        "start_time": time(*at),
        "duration_minutes": max(1, _most_common(o.minutes for o in ordered)),
    }
    if any(o.recurring for o in ordered):
        values |= {"weekdays": weekdays_to_mask(m.weekday() for m in local), "on_date": None}
    else:
        values |= {"weekdays": 0, "on_date": local[0].date()}
    if rename or meeting.name is None:
        title = _most_common(o.title for o in ordered)
        values["name"] = title if len(title) <= _NAME_MAX else title[: _NAME_MAX - 1] + "…"
    changes = {k: v for k, v in values.items() if getattr(meeting, k, None) != v}
    for name, value in changes.items():
        setattr(meeting, name, value)
    if changes and meeting.id is not None:
        meeting.updated_at = now


def _most_common(values: Iterable[_T]) -> _T:
    return Counter(values).most_common(1)[0][0]


def _untick(session, coachee: Coachee, meeting: Meeting, *, now: datetime) -> None:
    """She no longer practises in this series: its pending check-ins of occurrences
    still to come are cancelled and its stored times forgotten; what was sent stays."""
    if meeting.active:
        meeting.active = False
        meeting.updated_at = now
    checkins.cancel_pending(
        session, coachee_id=coachee.id, meeting_id=meeting.id, occurring_after=now
    )
    calendars.replace_occurrences(session, meeting_id=meeting.id, occurrences=[])
