"""A big, realistic database for benchmarks, seeded fast.

    python bench/seed.py DATABASE_URL [--users 100000] [--checkins 1000000] [--attempts N]

The database must be migrated (bench.harness.fresh_database gives one). ``seed`` adds:

* workspaces: TEAM_ID (four people in five) and three smaller ones;
* ``users`` onboarded coachees in eight time zones, onboarded up to two years ago,
  each with one or two weekly meetings. 55 % are active: their meetings are planned
  to the planner's horizon (8 days), with those PENDING pre and post check-ins (none
  due yet: one already due was sent, as a running app would have); 10 % paused with
  no end date; 35 % removed their meetings;
* exactly ``checkins`` past check-ins (pre, post, some reminders) spread over those
  two years, left as the app leaves them: sent, answered or expired;
* exactly ``attempts`` attempts: one for each answered post check-in, the rest
  logged by hand (``/voice log``), as the unique ``attempt.checkin_id`` requires;
* HEAVY_USER: two years of history, three meetings (five a week), two holidays
  (pauses); FRESH_USER: onboarded yesterday, one meeting, no history.

PostgreSQL is loaded with COPY, SQLite with executemany in one transaction (no journal);
ids are assigned here, so foreign keys are filled in without a round trip.

For a dispatch load, ``seed_due_now`` adds check-ins due now and registers their
people in the fake Slack; ``register_due_users`` registers the people of the
seeded check-ins that fall due while a benchmark runs (a DM to someone the fake
does not know fails as "user_not_found", and the app would pause her).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bot.content import load_ladder  # noqa: E402
from bot.domain.ladder import Ladder  # noqa: E402
from bot.domain.schedule import POST_ANSWER_WINDOW, POST_LATE_LIMIT  # noqa: E402
from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting, Workspace  # noqa: E402
from bot.services.planner import HORIZON, OPEN_ENDED  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from tests.conftest import TEAM_ID  # noqa: E402

HEAVY_USER = "U0HEAVY"  # two years of history, five meetings a week
FRESH_USER = "U0FRESH"  # onboarded yesterday, no history
OTHER_TEAMS = ("T0BENCH2", "T0BENCH3", "T0BENCH4")
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
MEETING_NAMES = (
    "Team stand-up",
    "1:1 with my manager",
    "Sprint planning",
    "Design review",
    "Weekly sync",
    "All-hands",
    "Customer call",
    "Retro",
)
GOALS = (
    "Speak up in meetings",
    "Share my ideas before someone else does",
    "Ask questions without rehearsing them first",
    "Disagree kindly when I see a problem",
)
PLACEMENTS = ("rarely", "when_asked", "sometimes", "often_lead")
OUTCOMES = (("did_it", 0.40), ("partly", 0.70), ("not_this_time", 0.90), ("did_not_happen", 1.0))
FELTS = (("too_easy", 0.2), ("about_right", 0.8), ("too_hard", 1.0))
CHUNK_USERS = 10_000
FOREVER = int(OPEN_ENDED.timestamp())  # paused with no end date
DAY = 86400
WEEK = 7 * DAY

TABLES = {  # the columns seeded, in the order the generator fills them
    "workspace": "team_id name installed_at uninstalled_at",
    "coachee": (
        "id team_id slack_user_id tz goal self_placement start_confidence start_step "
        "current_step current_challenge_id evidence_after_attempt_id offer_move offer_step "
        "share_wins share_channel_id pre_checkin_minutes post_checkin_minutes "
        "reminder_minutes working_hours_start working_hours_end paused_until onboarded_at "
        "created_at updated_at"
    ),
    "pause": "id team_id coachee_id starts_at ends_at",
    "meeting": (
        "id team_id coachee_id name weekdays on_date start_time duration_minutes tz active "
        "planned_until created_at updated_at"
    ),
    "checkin": (
        "id team_id coachee_id meeting_id kind occurrence_start due_at send_until expires_at "
        "status lease_owner lease_until send_attempts channel_id message_ts sent_at "
        "answered_at challenge_id confidence last_error created_at"
    ),
    "attempt": (
        "id team_id coachee_id checkin_id meeting_id source meeting_name step challenge_id "
        "outcome felt confidence_before confidence_after reflection occurred_at recorded_at"
    ),
}
TABLES = {table: tuple(columns.split()) for table, columns in TABLES.items()}


@dataclass(frozen=True)
class SeedReport:
    dialect: str
    seconds: float
    users: int  # coachees, HEAVY_USER and FRESH_USER included
    meetings: int
    past_checkins: int  # sent, answered or expired
    pending_checkins: int  # planned over the next 8 days
    attempts: int
    scheduled_attempts: int  # from answered post check-ins; the rest were logged
    heavy_attempts: int
    heavy_checkins: int


# -- writing ----------------------------------------------------------------------------------


class _Sqlite:
    """executemany in one transaction, with the safety off while loading."""

    dialect = "sqlite"

    def __init__(self, url: str):
        self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        for pragma in (
            "journal_mode=OFF",  # nothing to roll back to: a failed seed is thrown away
            "synchronous=OFF",
            "cache_size=-1000000",  # 1 GB of page cache while loading
            "temp_store=MEMORY",
            "foreign_keys=ON",  # cheap here, and it checks the generator
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")

    def max_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]

    def exists(self, table: str, column: str, value: str) -> bool:
        query = f"SELECT 1 FROM {table} WHERE {column} = ?"
        return self.conn.execute(query, (value,)).fetchone() is not None

    def has_column(self, table: str, column: str) -> bool:
        return any(row[1] == column for row in self.conn.execute(f"PRAGMA table_info({table})"))

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        # The app runs in WAL mode (bot.storage.engine); leave the file as it expects.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class _Postgres:
    """COPY in one transaction, then VACUUM ANALYZE, as autovacuum would soon do."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(_plain_postgres_url(url))
        self.conn.execute("SET synchronous_commit = off")

    def max_id(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]

    def exists(self, table: str, column: str, value: str) -> bool:
        query = f"SELECT 1 FROM {table} WHERE {column} = %s"
        return self.conn.execute(query, (value,)).fetchone() is not None

    def has_column(self, table: str, column: str) -> bool:
        query = (
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s"
        )
        return self.conn.execute(query, (table, column)).fetchone() is not None

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        with self.conn.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)

    def finish(self) -> None:
        for table in ("coachee", "pause", "meeting", "checkin", "attempt"):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        self.conn.commit()
        self.conn.autocommit = True
        for table in ("workspace", "coachee", "pause", "meeting", "checkin", "attempt"):
            self.conn.execute(f"VACUUM (ANALYZE) {table}")
        self.conn.close()


def dm_channel(slack_user_id: str) -> str:
    """Her DM channel with the app, as the fake Slack names it (FakeSlack.dm_channel)."""
    return f"D{slack_user_id}"


def _plain_postgres_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class _Format:
    """Column values as each database stores them (UTC instants, whole seconds)."""

    def __init__(self, dialect: str):
        suffix = ".000000" if dialect == "sqlite" else "+00"  # SQLAlchemy's SQLite format
        self._clock = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(DAY)
        ]
        self._days: dict[int, str] = {}
        self.time_suffix = ".000000" if dialect == "sqlite" else ""

    def ts(self, epoch: int | None) -> str | None:
        if epoch is None:
            return None
        day, second = divmod(epoch, DAY)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(719163 + day).isoformat()
        return f"{text} {self._clock[second]}"

    def time_of_day(self, minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}:00{self.time_suffix}"


# -- generating -------------------------------------------------------------------------------


@dataclass
class _User:
    id: int
    team: str
    slack_id: str
    tz: str
    onboarded: int  # epoch seconds
    start_step: int
    current_step: int
    start_confidence: int
    engaged: float  # how likely she answers a check-in


@dataclass
class _MeetingSpec:
    id: int
    name: str
    weekdays: tuple[int, ...]
    start_minute: int  # local minutes after midnight
    duration: int
    active: bool


class _Generator:
    def __init__(self, writer, ladder: Ladder, now: datetime, rng: random.Random):
        self.w = writer
        self.f = _Format(writer.dialect)
        self.ladder = ladder
        self.rng = rng
        self.now = int(now.timestamp())
        self.today = now.date()
        self.this_monday = self.today - timedelta(days=self.today.weekday())
        self.zones = {name: ZoneInfo(name) for name in ZONES}
        self.ids = {t: writer.max_id(t) for t in ("coachee", "pause", "meeting", "checkin")}
        self.ids["attempt"] = writer.max_id("attempt")
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self.columns = dict(TABLES)
        # Her DM channel, remembered after a first check-in (migration 0002), if the
        # schema has it: check-ins then go out in one Slack call.
        self.dm_column = writer.has_column("coachee", "dm_channel_id")
        if self.dm_column:
            self.columns["coachee"] += ("dm_channel_id",)
        self.counts = dict.fromkeys(
            ("users", "meetings", "past", "pending", "attempts", "scheduled"), 0
        )

    # -- ids and flushing

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def flush(self) -> None:
        for table in ("coachee", "pause", "meeting", "checkin", "attempt"):
            if self.rows[table]:
                self.w.write(table, self.columns[table], self.rows[table])
                self.rows[table] = []

    # -- people

    def coachee(
        self, user: _User, *, paused_until: int | None, goal: str, messaged: bool = True
    ) -> None:
        f = self.f
        challenge = self.rng.choice(self.ladder.step(user.current_step).challenges).id
        dm = (dm_channel(user.slack_id) if messaged else None,) if self.dm_column else ()
        self.rows["coachee"].append(
            (
                user.id,
                user.team,
                user.slack_id,
                user.tz,
                goal,
                self.rng.choice(PLACEMENTS),
                user.start_confidence,
                user.start_step,
                user.current_step,
                challenge,
                None,
                None,
                None,
                self.rng.random() < 0.3,
                None,
                15,
                5,
                120,
                f.time_of_day(9 * 60),
                f.time_of_day(18 * 60),
                f.ts(paused_until),
                f.ts(user.onboarded),
                f.ts(user.onboarded - 120),
                f.ts(user.onboarded),
                *dm,
            )
        )
        self.counts["users"] += 1

    def meeting(self, user: _User, spec: _MeetingSpec, *, planned_until: int | None) -> None:
        f = self.f
        mask = sum(1 << d for d in spec.weekdays)
        self.rows["meeting"].append(
            (
                spec.id,
                user.team,
                user.id,
                spec.name,
                mask,
                None,
                f.time_of_day(spec.start_minute),
                spec.duration,
                user.tz,
                spec.active,
                f.ts(planned_until),
                f.ts(user.onboarded + 300),
                f.ts(user.onboarded + 300),
            )
        )
        self.counts["meetings"] += 1

    def pause(self, user: _User, starts: int, ends: int | None) -> None:
        row = (self.next_id("pause"), user.team, user.id, self.f.ts(starts), self.f.ts(ends))
        self.rows["pause"].append(row)

    # -- time

    def local_epoch(self, tz: str, day: date, minute: int) -> int:
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60)
        return int(local.replace(tzinfo=self.zones[tz]).timestamp())

    def past_starts(
        self, user: _User, meetings: list[_MeetingSpec], count: int, skip: set[date] = frozenset()
    ) -> list[tuple[int, _MeetingSpec]]:
        """Up to ``count`` distinct past occurrences (start epoch, meeting), oldest first,
        between her onboarding and a week ago."""
        weeks = max(1, (self.now - user.onboarded) // WEEK - 1)
        slots = [(m, d) for m in meetings for d in m.weekdays]
        total = weeks * len(slots)
        chosen = range(total) if count >= total else self.rng.sample(range(total), count)
        starts = []
        for s in chosen:
            week, (meeting, weekday) = 1 + s // len(slots), slots[s % len(slots)]
            day = self.this_monday - timedelta(days=7 * week - weekday)
            if day in skip:
                continue
            starts.append((self.local_epoch(user.tz, day, meeting.start_minute), meeting))
        starts.sort(key=lambda pair: pair[0])
        return starts

    def future_starts(self, user: _User, meeting: _MeetingSpec) -> list[int]:
        """The occurrences the planner has made check-ins for: now .. now + 8 days."""
        horizon = self.now + int(HORIZON.total_seconds())
        starts = []
        for offset in range(-1, HORIZON.days + 2):
            day = self.today + timedelta(days=offset)
            if day.weekday() in meeting.weekdays:
                start = self.local_epoch(user.tz, day, meeting.start_minute)
                if self.now < start <= horizon:
                    starts.append(start)
        return starts

    # -- check-ins and attempts

    def checkin(
        self,
        user: _User,
        meeting: _MeetingSpec,
        kind: str,
        start: int,
        due: int,
        send_until: int,
        expires: int,
        status: str,
        *,
        sent: int | None = None,
        answered: int | None = None,
        challenge: str | None = None,
        confidence: int | None = None,
    ) -> int:
        f = self.f
        checkin_id = self.next_id("checkin")
        self.rows["checkin"].append(
            (
                checkin_id,
                user.team,
                user.id,
                meeting.id,
                kind,
                f.ts(start),
                f.ts(due),
                f.ts(send_until),
                f.ts(expires),
                status,
                None,
                None,
                0 if sent is None else 1,
                None if sent is None else dm_channel(user.slack_id),
                None if sent is None else f"{sent}.{checkin_id % 1_000_000:06d}",
                f.ts(sent),
                f.ts(answered),
                challenge,
                confidence,
                None,
                f.ts(due - 8 * DAY),
            )
        )
        if status == CheckinStatus.PENDING:
            self.counts["pending"] += 1
        else:
            self.counts["past"] += 1
        return checkin_id

    def pending(self, user: _User, meeting: _MeetingSpec) -> None:
        """The planned check-ins of her coming meetings. A pre check-in already due
        went out (a running app sends within a second): nothing is due at seeding
        time but what the benchmark adds."""
        for start in self.future_starts(user, meeting):
            end = start + meeting.duration * 60
            pre_due, post_due = start - 15 * 60, end + 5 * 60
            late = post_due + int(POST_LATE_LIMIT.total_seconds())
            window = post_due + int(POST_ANSWER_WINDOW.total_seconds())
            challenge = self.rng.choice(self.ladder.step(user.current_step).challenges).id
            if pre_due <= self.now:
                sent = pre_due + self.rng.randrange(1, 3)
                self.checkin(
                    user, meeting, "pre", start, pre_due, start, start, "sent",
                    sent=min(sent, self.now), challenge=challenge,
                )  # fmt: skip
            else:
                self.checkin(user, meeting, "pre", start, pre_due, start, start, "pending")
            self.checkin(user, meeting, "post", start, post_due, late, window, "pending")

    def step_at(self, user: _User, instant: int) -> int:
        span = max(1, self.now - user.onboarded)
        frac = min(1.0, max(0.0, (instant - user.onboarded) / span))
        return user.start_step + round(frac * (user.current_step - user.start_step))

    def confidence_at(self, user: _User, instant: int) -> int:
        span = max(1, self.now - user.onboarded)
        trend = 25 * (instant - user.onboarded) / span
        return max(0, min(100, round(user.start_confidence + trend + self.rng.gauss(0, 12))))

    def history(self, user: _User, starts: list[tuple[int, _MeetingSpec]], quota: int) -> list:
        """Check-ins of past occurrences, ``quota`` rows at most; returns the attempts
        of answered post check-ins (unnumbered, as tuples waiting for an id)."""
        rng, attempts = self.rng, []
        for start, meeting in starts:
            if quota <= 0:
                break
            step = self.step_at(user, start)
            challenge = rng.choice(self.ladder.step(step).challenges).id
            end = start + meeting.duration * 60
            pre_due, post_due = start - 15 * 60, end + 5 * 60
            late = post_due + int(POST_LATE_LIMIT.total_seconds())
            window = post_due + int(POST_ANSWER_WINDOW.total_seconds())
            confidence = None
            if quota >= 2:  # the last row of her quota is a post check-in alone
                roll, sent = rng.random(), pre_due + rng.randrange(1, 20)
                if roll < user.engaged * 0.8:
                    confidence = self.confidence_at(user, start)
                    answered = sent + rng.randrange(30, 14 * 60)
                    self.checkin(
                        user, meeting, "pre", start, pre_due, start, start, "answered",
                        sent=sent, answered=answered, challenge=challenge, confidence=confidence,
                    )  # fmt: skip
                elif roll < 0.9:
                    self.checkin(
                        user, meeting, "pre", start, pre_due, start, start, "sent",
                        sent=sent, challenge=challenge,
                    )  # fmt: skip
                else:  # the app was down, or she was paused then
                    self.checkin(user, meeting, "pre", start, pre_due, start, start, "expired")
                quota -= 1
            roll, sent = rng.random(), post_due + rng.randrange(1, 20)
            reminded = quota >= 2 and rng.random() < 0.3
            reminder_due = sent + 120 * 60
            if roll < user.engaged:
                answered = sent + rng.randrange(60, (240 if reminded else 110) * 60)
                post_id = self.checkin(
                    user, meeting, "post", start, post_due, late, window, "answered",
                    sent=sent, answered=answered, challenge=challenge,
                )  # fmt: skip
                attempts.append(
                    self.attempt_fields(
                        user, step, challenge, start, answered, confidence, post_id, meeting
                    )
                )
                if reminded and answered > reminder_due:
                    self.checkin(
                        user, meeting, "reminder", start, reminder_due, window, window, "sent",
                        sent=reminder_due + 3, challenge=challenge,
                    )  # fmt: skip
                    quota -= 1
            elif roll < 0.93:
                self.checkin(
                    user, meeting, "post", start, post_due, late, window, "sent",
                    sent=sent, challenge=challenge,
                )  # fmt: skip
                if reminded:
                    self.checkin(
                        user, meeting, "reminder", start, reminder_due, window, window, "sent",
                        sent=reminder_due + 3, challenge=challenge,
                    )  # fmt: skip
                    quota -= 1
            else:
                self.checkin(user, meeting, "post", start, post_due, late, window, "expired")
            quota -= 1
        return attempts

    def attempt_fields(
        self,
        user: _User,
        step: int,
        challenge: str,
        occurred: int,
        recorded: int,
        confidence_before: int | None,
        checkin_id: int | None,
        meeting: _MeetingSpec | None,
    ) -> tuple:
        rng, roll = self.rng, self.rng.random()
        outcome = next(name for name, upto in OUTCOMES if roll < upto)
        felt = after = reflection = None
        if outcome != "did_not_happen" and rng.random() < 0.8:
            roll = rng.random()
            felt = next(name for name, upto in FELTS if roll < upto)
            after = self.confidence_at(user, occurred)
            if rng.random() < 0.2:
                reflection = "Said it in the first ten minutes; easier than I thought."
        return (
            occurred,
            user.team,
            user.id,
            checkin_id,
            None if meeting is None else meeting.id,
            "logged" if checkin_id is None else "scheduled",
            meeting.name if meeting else rng.choice((None, "Customer call", "Workshop")),
            step,
            challenge,
            outcome,
            felt,
            confidence_before,
            after,
            reflection,
            recorded,
        )

    def logged(self, user: _User, count: int) -> list[tuple]:
        rng, attempts = self.rng, []
        for _ in range(count):
            occurred = rng.randrange(user.onboarded + 3600, self.now - 3600)
            step = self.step_at(user, occurred)
            challenge = rng.choice(self.ladder.step(step).challenges).id
            recorded = occurred + rng.randrange(600, 4 * 3600)
            attempts.append(
                self.attempt_fields(user, step, challenge, occurred, recorded, None, None, None)
            )
        return attempts

    def attempts(self, fields: list[tuple]) -> None:
        """Store her attempts in the order they happened (ids rise with time)."""
        f = self.f
        fields.sort(key=lambda a: a[0])
        for a in fields:
            self.rows["attempt"].append(
                (self.next_id("attempt"), *a[1:-1], f.ts(a[0]), f.ts(a[-1]))
            )
            self.counts["attempts"] += 1
            self.counts["scheduled"] += a[3] is not None


def _random_meetings(g: _Generator, count: int, active: bool) -> list[_MeetingSpec]:
    rng = g.rng
    names = rng.sample(MEETING_NAMES, count)
    return [
        _MeetingSpec(
            id=g.next_id("meeting"),
            name=name,
            weekdays=tuple(sorted(rng.sample(range(5), rng.choice((1, 1, 2, 3))))),
            start_minute=rng.randrange(8 * 2, 18 * 2) * 30,
            duration=rng.choice((15, 30, 30, 45, 60)),
            active=active,
        )
        for name in names
    ]


def _crowd(g: _Generator, users: int, checkins: int, attempts: int) -> None:
    """Everyone but the heavy and the fresh user, CHUNK_USERS at a time."""
    rng, top = g.rng, g.ladder.top
    horizon = g.now + int(HORIZON.total_seconds())
    rows_so_far = attempts_so_far = 0
    for n in range(users):
        # Cumulative targets: the totals come out exact whatever the dice say.
        quota = (n + 1) * checkins // users - rows_so_far
        attempt_target = (n + 1) * attempts // users
        weeks_needed = quota // 2 + 2
        days_ago = rng.randrange(min(730, max(14, 7 * weeks_needed)), 731)
        start_step = rng.randrange(1, min(5, top) + 1)
        user = _User(
            id=g.next_id("coachee"),
            team=TEAM_ID if n % 5 else OTHER_TEAMS[n // 5 % 3],
            slack_id=f"UB{n:07d}",
            tz=rng.choice(ZONES),
            onboarded=g.now - days_ago * DAY - rng.randrange(DAY),
            start_step=start_step,
            current_step=min(top, start_step + rng.randrange(0, 3)),
            start_confidence=rng.randrange(10, 70),
            engaged=rng.uniform(0.5, 0.9),
        )
        kind = rng.random()  # active, paused for good, or gone quiet
        active, paused = kind < 0.55, 0.55 <= kind < 0.65
        meetings = _random_meetings(g, 2 if n % 3 == 0 else 1, active or paused)
        g.coachee(user, paused_until=FOREVER if paused else None, goal=rng.choice(GOALS))
        if paused:
            g.pause(user, g.now - rng.randrange(2, 60) * DAY, None)
        for meeting in meetings:
            planned = horizon if meeting.active else user.onboarded + 30 * DAY
            g.meeting(user, meeting, planned_until=min(planned, horizon))
        before = g.counts["past"]
        fields = g.history(user, g.past_starts(user, meetings, (quota + 1) // 2), quota)
        rows_so_far += g.counts["past"] - before
        fields += g.logged(user, max(0, attempt_target - attempts_so_far - len(fields)))
        attempts_so_far += len(fields)
        g.attempts(fields)
        if active:
            for meeting in meetings:
                g.pending(user, meeting)
        if (n + 1) % CHUNK_USERS == 0:
            g.flush()
    g.flush()


def _heavy(g: _Generator) -> tuple[int, int]:
    """Two years, five meetings a week, two holidays; returns (check-ins, attempts)."""
    user = _User(
        id=g.next_id("coachee"),
        team=TEAM_ID,
        slack_id=HEAVY_USER,
        tz="Europe/Berlin",
        onboarded=g.now - 730 * DAY,
        start_step=2,
        current_step=min(6, g.ladder.top),
        start_confidence=30,
        engaged=0.9,
    )
    meetings = [
        _MeetingSpec(g.next_id("meeting"), "Team stand-up", (0, 2, 4), 9 * 60 + 30, 15, True),
        _MeetingSpec(g.next_id("meeting"), "1:1 with Sam", (1,), 14 * 60, 30, True),
        _MeetingSpec(g.next_id("meeting"), "Product review", (3,), 16 * 60, 60, True),
    ]
    g.coachee(user, paused_until=None, goal="Share my ideas in product reviews")
    horizon = g.now + int(HORIZON.total_seconds())
    for meeting in meetings:
        g.meeting(user, meeting, planned_until=horizon)
    holidays: set[date] = set()
    for weeks_ago in (60, 20):  # two weeks off, each year
        first = g.this_monday - timedelta(weeks=weeks_ago)
        g.pause(user, g.local_epoch(user.tz, first, 0), g.local_epoch(user.tz, first, 0) + 14 * DAY)
        holidays.update(first + timedelta(days=d) for d in range(14))
    before = g.counts["past"]
    starts = g.past_starts(user, meetings, 10**6, skip=holidays)
    fields = g.history(user, starts, 10**6)
    fields += g.logged(user, 24)  # about once a month, by hand
    checkins = g.counts["past"] - before
    g.attempts(fields)
    for meeting in meetings:
        g.pending(user, meeting)
    g.flush()
    return checkins, len(fields)


def _fresh(g: _Generator) -> None:
    user = _User(
        id=g.next_id("coachee"),
        team=TEAM_ID,
        slack_id=FRESH_USER,
        tz="America/New_York",
        onboarded=g.now - DAY,
        start_step=2,
        current_step=2,
        start_confidence=40,
        engaged=0.8,
    )
    meeting = _MeetingSpec(g.next_id("meeting"), "Team stand-up", (0, 1, 2, 3, 4), 600, 15, True)
    g.coachee(user, paused_until=None, goal="Speak up in stand-ups", messaged=False)
    g.meeting(user, meeting, planned_until=g.now + int(HORIZON.total_seconds()))
    g.pending(user, meeting)
    g.flush()


def seed(
    database_url: str,
    *,
    users: int = 100_000,
    checkins: int = 1_000_000,
    attempts: int | None = None,
    now: datetime | None = None,
    random_seed: int = 7,
) -> SeedReport:
    """Fill a migrated database (see the module docstring); ``attempts`` defaults to
    ``checkins``. The heavy user's history comes on top of the totals."""
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    writer = _Postgres(database_url) if "postgresql" in database_url else _Sqlite(database_url)
    g = _Generator(writer, load_ladder(), now, random.Random(random_seed))
    installed = g.f.ts(g.now - 800 * DAY)
    workspaces = [
        (team, name, installed, None)
        for team, name in [(TEAM_ID, "Voice Coach Bench"), *((t, t) for t in OTHER_TEAMS)]
        if not writer.exists("workspace", "team_id", team)
    ]
    writer.write("workspace", TABLES["workspace"], workspaces)
    _crowd(g, users, checkins, checkins if attempts is None else attempts)
    heavy_checkins, heavy_attempts = _heavy(g)
    _fresh(g)
    writer.finish()
    return SeedReport(
        dialect=writer.dialect,
        seconds=time.perf_counter() - started,
        users=g.counts["users"],
        meetings=g.counts["meetings"],
        past_checkins=g.counts["past"],
        pending_checkins=g.counts["pending"],
        attempts=g.counts["attempts"],
        scheduled_attempts=g.counts["scheduled"],
        heavy_attempts=heavy_attempts,
        heavy_checkins=heavy_checkins,
    )


# -- due now ----------------------------------------------------------------------------------


def seed_due_now(database_url: str, fake, count: int, *, team_id: str | None = None) -> list[int]:
    """``count`` pre check-ins due a minute ago (meeting in 14 minutes), one for each of
    ``count`` people, and those people registered in ``fake`` (a FakeSlack, or None).

    People are taken from the seeded ones of ``team_id`` (default: the fake's team)
    who are onboarded, not paused, have an active meeting and nothing due yet; new
    people (with a weekday meeting) make up any shortfall. One transaction; returns
    the new check-in ids, in order.
    """
    team = team_id or (fake.team_id if fake is not None else TEAM_ID)
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    # On SQLite take the write lock first, as the app does (bot.storage.db): it may be writing.
    bind = engine.execution_options(sqlite_begin="IMMEDIATE")
    try:
        with Session(bind) as session:
            if session.get(Workspace, team) is None:
                session.add(Workspace(team_id=team, name="Voice Coach Bench", installed_at=now))
            due_already = (
                sa.select(Checkin.id)
                .where(
                    Checkin.coachee_id == Coachee.id,
                    Checkin.status == CheckinStatus.PENDING,
                    Checkin.due_at <= now + timedelta(minutes=10),
                )
                .exists()
            )
            people = session.execute(
                sa.select(Coachee.slack_user_id, Coachee.tz, Coachee.id, sa.func.min(Meeting.id))
                .join(Meeting, Meeting.coachee_id == Coachee.id)
                .where(
                    Coachee.team_id == team,
                    Coachee.onboarded_at.is_not(None),
                    sa.or_(Coachee.paused_until.is_(None), Coachee.paused_until <= now),
                    Meeting.active,
                    ~due_already,
                )
                .group_by(Coachee.id, Coachee.slack_user_id, Coachee.tz)
                .order_by(Coachee.id)
                .limit(count)
            ).all()
            people = [tuple(p) for p in people] + _new_people(session, team, count - len(people))
            if fake is not None:  # before the rows exist: the app may claim them at once
                for user, tz, _, _ in people:
                    fake.add_user(user, tz=tz)
            rows = [
                dict(
                    team_id=team,
                    coachee_id=coachee_id,
                    meeting_id=meeting_id,
                    kind=CheckinKind.PRE,
                    occurrence_start=now + timedelta(minutes=14),
                    due_at=now - timedelta(minutes=1),
                    send_until=now + timedelta(hours=1),
                    expires_at=now + timedelta(hours=1),
                    status=CheckinStatus.PENDING,
                    send_attempts=0,
                    created_at=now,
                )
                for _, _, coachee_id, meeting_id in people
            ]
            ids = []
            if rows:
                insert = sa.insert(Checkin).returning(Checkin.id, sort_by_parameter_order=True)
                ids = list(session.execute(insert, rows).scalars())
            session.commit()
    finally:
        engine.dispose()
    return ids


def _new_people(session: Session, team: str, count: int) -> list[tuple]:
    if count <= 0:
        return []
    now = datetime.now(UTC)
    ladder = load_ladder()
    coachees = [
        Coachee(
            team_id=team,
            slack_user_id=f"UD{uuid.uuid4().hex[:12].upper()}",
            tz="Europe/Berlin",
            goal="Speak up in stand-ups",
            self_placement="when_asked",
            start_confidence=40,
            start_step=3,
            current_step=3,
            current_challenge_id=ladder.first_challenge(3).id,
            onboarded_at=now - timedelta(days=3),
            created_at=now - timedelta(days=3),
            updated_at=now - timedelta(days=3),
        )
        for _ in range(count)
    ]
    session.add_all(coachees)
    session.flush()
    meetings = [
        Meeting(
            team_id=team,
            coachee_id=c.id,
            name="Team stand-up",
            weekdays=0b0011111,
            start_time=clock_time(10, 0),
            duration_minutes=15,
            tz=c.tz,
            # Far ahead, so the planner job leaves these meetings alone.
            planned_until=now + timedelta(days=365),
            created_at=now,
            updated_at=now,
        )
        for c in coachees
    ]
    session.add_all(meetings)
    session.flush()
    return [(c.slack_user_id, c.tz, c.id, m.id) for c, m in zip(coachees, meetings, strict=True)]


def register_due_users(database_url: str, fake, *, within: timedelta) -> int:
    """Register in ``fake`` everyone with a pending check-in due before now + ``within``
    (so that the app can DM them); returns how many."""
    until = datetime.now(UTC) + within
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            people = c.execute(
                sa.select(Coachee.slack_user_id, Coachee.tz).where(
                    Coachee.id.in_(
                        sa.select(Checkin.coachee_id).where(
                            Checkin.status == CheckinStatus.PENDING, Checkin.due_at <= until
                        )
                    )
                )
            ).all()
    finally:
        engine.dispose()
    for user, tz in people:
        fake.add_user(user, tz=tz)
    return len(people)


def _sizes(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            return {
                t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("coachee", "meeting", "checkin", "attempt")
            }
    finally:
        engine.dispose()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url", help="a migrated database (sqlite:///… or postgresql://…)")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    url = args.database_url
    if url.startswith("postgres"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    report = seed(url, users=args.users, checkins=args.checkins, attempts=args.attempts)
    print(report)
    print(_sizes(url))


if __name__ == "__main__":
    main()
