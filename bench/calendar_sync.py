"""Calendar sync at scale: 2,000 connected calendars synced by one process.

    python bench/calendar_sync.py [--calendars 2000] [--syncs-while-sending 500]
                                  [--database sqlite|postgresql|both] [--postgres URL]
                                  [--latency 0.1]

Issue 13 asks for 2,000 calendars, the default (a run takes about 8 minutes per
database on 2 shared vCPUs).

The feeds are the real calendars of ../shared/calendars (read from there at run time,
never copied into the project), one per person in turn, so their sizes are the
corpus's, up to the 677-event Google feed. Into each copy three weekly series are
written (Team sync Mon+Wed 10:00 UTC, Standup weekdays 11:00, 1:1 Thu 14:00), so every
feed has meetings in the 14 days after the benchmark's clock (Monday 2 March 2026,
07:00 UTC); the corpus events stay and are parsed like everything else. A separate
process serves the feeds on 127.0.0.1 (plain HTTP, no validators, so every sync reads
and parses the whole feed), written to a temporary directory.

The app runs in a process of its own (so its memory holds no benchmark scaffolding):
a CalendarService with an injected clock, the guarded
FeedClient (loopback allowed, as in tests), a SecretBox with a generated key. Each
person is onboarded, connects her link and ticks 1–3 of the series through the
service (connect, choose). Then, every calendar made due each time and ``sync_due``
called until all are synced:

* full round: the first sync of every calendar: wall time, CPU, peak RSS (VmHWM of
  the app's process, reset after everyone connected; the connect phase's peak is
  reported apart: the picker keeps each read for 10 minutes, for choose);
* unchanged round: the same feeds with a new DTSTAMP only: CPU per sync, and the rows
  written (a statement counter on the engine: INSERT/UPDATE/DELETE other than the
  calendar_feed row's own bookkeeping of the lease and sync time must be 0);
* changed round: one occurrence of Team sync moved (Wed 4 March 10:00 → 12:00) in every
  feed: CPU per sync, and the pending check-ins of that occurrence moved (pre and post
  at 12:00, none left at 10:00, none twice);
* while check-ins are sent: the clock at Monday 09:46, when every person's pre-meeting
  check-in for Team sync at 10:00 is due, the Dispatcher (bot/services/dispatch.py,
  SlackCheckinSender, the fake Slack answering after ``--latency``) sends them while a
  second changed round (the same occurrence to 13:00) syncs the calendars of the first
  ``--syncs-while-sending`` people (those whose DMs go first), each sync rewriting
  that very meeting's occurrences and check-ins. Lost: a check-in due at the start
  that was never delivered; doubled: two DMs for one (person, occurrence, kind).

Floors, in the same run: the same feeds fetched by another process with the same
FeedClient and the same 8 threads as ``sync_due``, and expanded with
recurring-ical-events alone (``of(Calendar.from_ical(data)).between(start, end)``),
nothing stored (after one warm-up pass over each corpus file), run before and after
the app's rounds, the faster run counting; for memory, the bare
Bolt app (bench/bare_bolt.py) after 40 requests, and the app process's own RSS once
its stack is loaded and connected, before any sync (reported beside the peak). CPU
here is this process's: on PostgreSQL the server's own CPU is not counted (on SQLite
the database is in-process).

Goals: full round ≤ 1.5× the floor's time, unchanged ≤ 1.2× the floor's CPU per
calendar (and nothing written), changed ≤ 2×, peak RSS ≤ 3× the bare Bolt app, 0 lost,
0 doubled. Prints a summary, then one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "calendars"
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday
HORIZON = timedelta(days=14)
SYNC_STEP = timedelta(minutes=20)  # the clock moves this much between rounds
DISPATCH_AT = datetime(2026, 3, 2, 9, 46, tzinfo=UTC)  # Team sync's pre check-ins due
MOVED_FROM = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
MOVED_TO = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
MOVED_AGAIN = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
TZ = "Europe/Berlin"
OWNER = "bench-calendar-sync"
MB = 1024 * 1024
TEAM = "T0TEAM"  # tests.conftest.TEAM_ID, the fake Slack's workspace

GOAL_FULL_TIME = 1.5
GOAL_UNCHANGED_CPU = 1.2
GOAL_CHANGED_CPU = 2.0
GOAL_RSS = 3.0

# The series written into every feed: (uid prefix, title, DTSTART, minutes, RRULE).
SERIES = [
    ("sync", "Team sync", "20260105T100000Z", 30, "FREQ=WEEKLY;BYDAY=MO,WE"),
    ("standup", "Standup", "20260105T110000Z", 15, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("one-on-one", "1:1", "20260108T140000Z", 45, "FREQ=WEEKLY;BYDAY=TH"),
]


def uid(prefix: str, n: int) -> str:
    return f"{prefix}-{n}@bench.voice.example"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


# -- the feeds ---------------------------------------------------------------------------


def corpus() -> list[tuple[str, bytes]]:
    files = sorted(CORPUS.glob("*.ics"))
    if not files:
        raise SystemExit(f"no calendars in {CORPUS}")
    return [(f.name, f.read_bytes()) for f in files]


def feed_bytes(base: bytes, n: int, *, stamp: str, moved_to: datetime | None) -> bytes:
    """A corpus calendar with the benchmark's three series (and a moved occurrence)."""
    events = []
    for prefix, title, start, minutes, rrule in SERIES:
        events.append(
            [
                "BEGIN:VEVENT",
                f"UID:{uid(prefix, n)}",
                f"DTSTAMP:{stamp}",
                f"SUMMARY:{title}",
                f"DTSTART:{start}",
                f"DURATION:PT{minutes}M",
                f"RRULE:{rrule}",
                "END:VEVENT",
            ]
        )
    if moved_to is not None:
        events.append(
            [
                "BEGIN:VEVENT",
                f"UID:{uid('sync', n)}",
                f"DTSTAMP:{stamp}",
                "SUMMARY:Team sync",
                f"RECURRENCE-ID:{_stamp(MOVED_FROM)}",
                f"DTSTART:{_stamp(moved_to)}",
                "DURATION:PT30M",
                "SEQUENCE:1",
                "END:VEVENT",
            ]
        )
    newline = b"\r\n" if b"\r\n" in base else b"\n"
    block = newline.join(line.encode() for event in events for line in event) + newline
    at = base.upper().rfind(b"END:VCALENDAR")
    if at < 0:
        return base + newline + block
    head = base[:at]
    if not head.endswith(b"\n"):
        head += newline
    return head + block + base[at:]


def write_feeds(folder: Path, sources: list[tuple[str, bytes]], count: int, **kw) -> None:
    for n in range(count):
        data = feed_bytes(sources[n % len(sources)][1], n, **kw)
        (folder / f"{n}.tmp").write_bytes(data)
        os.replace(folder / f"{n}.tmp", folder / f"{n}.ics")


# -- the feed server (its own process, so its CPU is not the app's) ------------------------


def serve(folder: str) -> None:
    root = Path(folder)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            try:
                body = (root / name).read_bytes() if name.endswith(".ics") else None
            except OSError:
                body = None
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    httpd = Server(("127.0.0.1", 0), Handler)
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder)], stdout=subprocess.PIPE, text=True
    )
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}"


def feed_url(base: str, n: int) -> str:
    # A secret-looking path, as Google's links have.
    return f"{base}/calendar/ical/p{n}%40bench/private-{n:06x}c0ffee/{n}.ics"


# -- the floor (its own process) -------------------------------------------------------------


def floor_worker() -> None:
    """Reads {"urls", "warm", "threads", "start", "end"} on stdin; fetch + expand, timed."""
    import icalendar
    import recurring_ical_events

    from bot.ical.client import FeedClient

    job = json.loads(sys.stdin.read())
    start = datetime.fromisoformat(job["start"])
    end = datetime.fromisoformat(job["end"])
    client = FeedClient(allow_loopback=True)
    failed = 0

    def one(url: str) -> int:
        nonlocal failed
        data = client.fetch(url).body or b""
        try:
            return len(
                recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(start, end)
            )
        except Exception:  # a few corpus feeds break the library alone; the app salvages them
            failed += 1
            return 0

    with ThreadPoolExecutor(job["threads"]) as pool:
        list(pool.map(one, job["warm"]))
        failed = 0
        cpu, wall = time.process_time(), time.perf_counter()
        found = sum(pool.map(one, job["urls"]))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    client.close()
    print(json.dumps({"seconds": wall, "cpu_seconds": cpu, "occurrences": found, "failed": failed}))


def run_floor(urls: list[str], warm: list[str], threads: int) -> dict:
    job = {
        "urls": urls,
        "warm": warm,
        "threads": threads,
        "start": NOW.isoformat(),
        "end": (NOW + HORIZON).isoformat(),
    }
    out = subprocess.run(
        [sys.executable, __file__, "--floor-worker"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the app, in this process -------------------------------------------------------------


def reset_peak_rss() -> bool:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def own_memory(field: str = "VmHWM") -> int:
    """Bytes of this process's VmRSS (now) or VmHWM (peak), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


class Clock:
    def __init__(self, now: datetime):
        self.instant = now

    def now(self) -> datetime:
        return self.instant


_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


class Writes:
    """Rows inserted, updated or deleted, and the statements that could have, by table."""

    def __init__(self, engine) -> None:
        import sqlalchemy as sa

        self.rows: Counter = Counter()
        self.statements: Counter = Counter()
        self._lock = threading.Lock()
        sa.event.listen(engine, "after_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        match = _WRITE.match(statement)
        if match:
            key = (match.group(1).split()[0].upper(), match.group(2).lower())
            with self._lock:
                self.statements[key] += 1
                self.rows[key] += max(cursor.rowcount, 0)

    def take(self) -> tuple[Counter, Counter]:
        with self._lock:
            taken = self.rows, self.statements
            self.rows, self.statements = Counter(), Counter()
        return taken


def setup_people(db, service, clock, base_url: str, count: int, threads: int) -> None:
    from bot.models import Coachee

    with db.session() as session:
        for n in range(count):
            session.add(
                Coachee(
                    team_id=TEAM,
                    slack_user_id=f"UC{n:07d}",
                    tz=TZ,
                    start_step=3,
                    current_step=3,
                    current_challenge_id="answer-any-thoughts",
                    onboarded_at=NOW - timedelta(days=30),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

    def connect(n: int) -> None:
        user = f"UC{n:07d}"
        choice = service.connect(team_id=TEAM, user_id=user, url=feed_url(base_url, n), email=None)
        ticked = {uid(prefix, n) for prefix, *_ in SERIES[: 1 + n % 3]}
        missing = ticked - {s.key for s in choice.series}
        if missing:
            raise SystemExit(f"feed {n}: the picker did not offer {sorted(missing)}")
        service.choose(team_id=TEAM, user_id=user, series_keys=ticked)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(connect, range(count)))


def make_all_due(db, now: datetime) -> None:
    import sqlalchemy as sa

    from bot.models import CalendarFeed

    with db.session() as session:
        session.execute(sa.update(CalendarFeed).values(next_sync_at=now))


def sync_round(db, service, clock: Clock, count: int, writes: Writes) -> dict:
    """Every calendar due; sync_due until none is left; time, CPU, writes, failures."""
    import sqlalchemy as sa

    from bot.models import CalendarFeed

    clock.instant += SYNC_STEP
    make_all_due(db, clock.now())
    writes.take()
    cpu, wall = time.process_time(), time.perf_counter()
    synced = calls = 0
    while True:
        done = service.sync_due(owner=OWNER, email_of=lambda team, user: None)
        calls += 1
        if not done:
            break
        synced += done
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    counted, statements = writes.take()
    with db.session() as session:
        stale = session.execute(
            sa.select(sa.func.count())
            .select_from(CalendarFeed)
            .where(
                sa.or_(
                    CalendarFeed.last_synced_at.is_(None),
                    CalendarFeed.last_synced_at < clock.now(),
                )
            )
        ).scalar_one()
        failing = session.execute(
            sa.select(CalendarFeed.last_error, sa.func.count())
            .where(CalendarFeed.failing_since.is_not(None))
            .group_by(CalendarFeed.last_error)
        ).all()
    data_writes = {
        f"{verb} {table}": n for (verb, table), n in counted.items() if table != "calendar_feed"
    }
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_sync": round(1000 * cpu / count, 2),
        "synced": synced,
        "sync_due_calls": calls,
        "not_synced": stale,
        "failing": {str(why): n for why, n in failing},
        "data_writes": sum(data_writes.values()),
        "data_writes_by_table": data_writes,
        # A DELETE of what ended meanwhile runs per meeting, finding nothing to delete.
        "data_write_statements": sum(
            n for (_, table), n in statements.items() if table != "calendar_feed"
        ),
        "feed_bookkeeping_writes": sum(
            n for (_, table), n in counted.items() if table == "calendar_feed"
        ),
    }


def moved_checkins(
    db, count: int, *, old: datetime, new: datetime, people: set[int] | None = None
) -> dict:
    """Team sync's pending check-ins around the moved occurrence (of ``people`` only)."""
    import sqlalchemy as sa

    from bot.models import Checkin, CheckinStatus

    pending = Checkin.status == CheckinStatus.PENDING
    with db.session() as session:
        rows = session.execute(
            sa.select(Checkin.coachee_id, Checkin.kind, Checkin.occurrence_start).where(
                pending, Checkin.occurrence_start.in_([old, new])
            )
        ).all()
    if people is not None:
        rows = [row for row in rows if row[0] in people]
    at_new = Counter((c, str(k)) for c, k, start in rows if _utc(start) == new)
    at_old = sum(1 for _, _, start in rows if _utc(start) == old)
    moved = {c for c, _ in at_new}
    return {
        "people_with_moved_checkins": len(moved),
        "pending_at_new_time": sum(at_new.values()),
        "left_at_old_time": at_old,
        "twice_at_new_time": sum(n - 1 for n in at_new.values() if n > 1),
        "ok": len(moved) == count and at_old == 0 and all(n == 1 for n in at_new.values()),
    }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sync_while_sending(
    db, url: str, service, clock: Clock, count: int, syncs: int, latency: float, feeds
) -> dict:
    """The Dispatcher sends the check-ins due at 09:46 while every calendar syncs a move."""
    import sqlalchemy as sa
    from slack_sdk import WebClient

    from bot.content import load_ladder
    from bot.models import CalendarFeed, Checkin, CheckinStatus, Coachee
    from bot.playground.fakeslack.web_api import FakeSlack
    from bot.services.coaching import CoachingService
    from bot.services.dispatch import Dispatcher
    from bot.slack.checkin_sender import SlackCheckinSender
    from bot.storage.db import Database
    from bot.storage.engine import make_engine
    from tests.conftest import APP_TOKEN, BOT_TOKEN, TEAM_ID
    from tests.scenarios.test_dispatch_processes import checkin_id_of

    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    fake.latency = latency
    send_db = Database(make_engine(url))
    try:
        with db.session() as session:
            people = session.execute(sa.select(Coachee.id, Coachee.slack_user_id)).all()
            for _, user in people:
                fake.add_user(user, tz=TZ)
            session.execute(
                sa.update(Coachee).values(dm_channel_id=sa.literal("D") + Coachee.slack_user_id)
            )
        clock.instant = DISPATCH_AT
        with db.session() as session:
            due = session.execute(
                sa.select(
                    Checkin.id, Checkin.coachee_id, Checkin.kind, Checkin.occurrence_start
                ).where(Checkin.status == CheckinStatus.PENDING, Checkin.due_at <= clock.now())
            ).all()
        expected = {(c, str(k), _utc(s)) for _, c, k, s in due}
        write_feeds(
            feeds["folder"],
            feeds["sources"],
            count,
            stamp=_stamp(clock.now()),
            moved_to=MOVED_AGAIN,
        )
        # The first ``syncs`` calendars (the people whose check-ins go out first) sync
        # now; the others not before the benchmark ends.
        with db.session() as session:
            first = (
                session.execute(
                    sa.select(CalendarFeed.id, CalendarFeed.coachee_id)
                    .order_by(CalendarFeed.id)
                    .limit(syncs)
                )
            ).all()
            session.execute(sa.update(CalendarFeed).values(next_sync_at=clock.now() + HORIZON))
            session.execute(
                sa.update(CalendarFeed)
                .where(CalendarFeed.id.in_([feed_id for feed_id, _ in first]))
                .values(next_sync_at=clock.now())
            )
        syncing_people = {coachee_id for _, coachee_id in first}
        fake.reset_calls()
        dispatcher = Dispatcher(
            send_db,
            clock,
            CoachingService(send_db, clock, load_ladder()),
            SlackCheckinSender(WebClient(token=BOT_TOKEN, base_url=fake.base_url)),
            owner="bench-dispatch",
        )
        syncing = threading.Event()
        syncing.set()
        sent = synced = 0
        all_sent_at: list[tuple[float, int]] = []  # (when, syncs done by then)

        def send() -> None:
            nonlocal sent
            while True:
                still = syncing.is_set()
                sent += dispatcher.tick()
                if sent >= len(expected) and not all_sent_at:
                    all_sent_at.append((time.perf_counter() - started, synced))
                if not still:
                    return
                time.sleep(0.05)

        sender = threading.Thread(target=send)
        started = time.perf_counter()
        sender.start()
        try:
            while done := service.sync_due(owner=OWNER, email_of=lambda team, user: None):
                synced += done
        finally:
            syncing.clear()
            sender.join()
        dispatcher.tick()  # anything left due
        seconds = time.perf_counter() - started
        dispatcher.close()
        time.sleep(0.5)
        posts = [c for c in list(fake.calls) if c.method == "chat.postMessage" and c.status == 200]
        ids = []
        for call in posts:
            with contextlib.suppress(AssertionError):
                ids.append(checkin_id_of(call.args))
        with db.session() as session:
            rows = (
                session.execute(
                    sa.select(
                        Checkin.id, Checkin.coachee_id, Checkin.kind, Checkin.occurrence_start
                    ).where(Checkin.id.in_(ids))
                ).all()
                if ids
                else []
            )
        key_of = {i: (c, str(k), _utc(s)) for i, c, k, s in rows}
        delivered = Counter(key_of.get(i) for i in ids)
        moved = moved_checkins(
            db, len(syncing_people), old=MOVED_TO, new=MOVED_AGAIN, people=syncing_people
        )
    finally:
        fake.stop()
        send_db.engine.dispose()
    return {
        "due_at_start": len(expected),
        "delivered": len(posts),
        "not_pre_meeting_posts": len(posts) - len(ids),
        "synced_meanwhile": synced,
        "all_sent_after_seconds": round(all_sent_at[0][0], 2) if all_sent_at else None,
        "synced_before_all_sent": all_sent_at[0][1] if all_sent_at else None,
        "seconds": round(seconds, 2),
        "lost": len(expected - set(delivered)),
        "doubled": sum(n - 1 for n in delivered.values() if n > 1),
        "refused_by_slack": len(fake.refusals),
        "moved": moved,
    }


def bare_bolt_rss() -> float:
    from bench.data_scale import measure_bare_rss
    from bot.playground.fakeslack.web_api import FakeSlack
    from tests.conftest import APP_TOKEN, BOT_TOKEN, TEAM_ID

    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    try:
        return measure_bare_rss(fake, "sqlite://")["peak_mb"]
    finally:
        fake.stop()


def app_worker() -> None:
    """The measured process: reads {"url", "base_url", "folder", "count", "latency"} on
    stdin, prints its results as JSON last. It starts as ``python -m bot`` does (malloc
    arenas limited) and imports what the app's sync imports and no test or benchmark
    helper until its peak RSS is read."""
    from bot.memory import limit_malloc_arenas

    limit_malloc_arenas()
    from cryptography.fernet import Fernet

    from bot.ical.client import FeedClient
    from bot.services.calendars import SYNC_THREADS, CalendarService
    from bot.storage.crypto import SecretBox
    from bot.storage.db import Database
    from bot.storage.engine import make_engine

    job = json.loads(sys.stdin.read())
    count, folder, base_url = job["count"], Path(job["folder"]), job["base_url"]
    sources = corpus()
    feeds = {"folder": folder, "sources": sources}
    db = Database(make_engine(job["url"]))
    db.answers()  # the database driver loaded and connected
    # The floor under everything the sync does: the stack it runs on, loaded.
    result: dict = {"imports_rss_mb": round(own_memory("VmRSS") / MB, 1)}
    writes = Writes(db.engine)
    clock = Clock(NOW)
    client = FeedClient(allow_loopback=True)
    service = CalendarService(
        db, clock, client=client, box=SecretBox([Fernet.generate_key().decode()])
    )
    started = time.perf_counter()
    setup_people(db, service, clock, base_url, count, SYNC_THREADS)
    result["setup_seconds"] = round(time.perf_counter() - started, 1)
    print(f"  {count} people connected and ticked in {result['setup_seconds']} s", flush=True)
    # The picker's phase (2,000 people connecting at once, each read kept for choose)
    # is not a sync round: its peak is reported apart.
    result["setup_peak_rss_mb"] = round(own_memory() / MB, 1)
    result["peak_rss_reset"] = reset_peak_rss()

    result["full"] = sync_round(db, service, clock, count, writes)
    result["full"]["peak_rss_mb"] = round(own_memory() / MB, 1)
    print(f"  full round: {result['full']['seconds']} s", flush=True)

    write_feeds(folder, sources, count, stamp=_stamp(clock.now()), moved_to=None)
    result["unchanged"] = sync_round(db, service, clock, count, writes)
    print(f"  unchanged round: {result['unchanged']['seconds']} s", flush=True)

    write_feeds(folder, sources, count, stamp=_stamp(clock.now()), moved_to=MOVED_TO)
    result["changed"] = sync_round(db, service, clock, count, writes)
    result["changed"]["checkins"] = moved_checkins(db, count, old=MOVED_FROM, new=MOVED_TO)
    print(f"  changed round: {result['changed']['seconds']} s", flush=True)
    # Before the fake Slack and the dispatcher's imports join this process.
    result["peak_rss_mb"] = round(own_memory() / MB, 1)

    result["while_sending"] = sync_while_sending(
        db, job["url"], service, clock, count, job["syncs_while_sending"], job["latency"], feeds
    )
    print(f"  sync while sending: {result['while_sending']['seconds']} s", flush=True)
    client.close()
    db.engine.dispose()
    print(json.dumps(result, default=str), flush=True)


def run(kind: str, args, workdir: Path, sources: list[tuple[str, bytes]]) -> dict:
    from bench import harness
    from bot.services.calendars import SYNC_THREADS

    count = args.calendars
    folder = Path(tempfile.mkdtemp(prefix="feeds-", dir=workdir))
    write_feeds(folder, sources, count, stamp=_stamp(NOW), moved_to=None)
    server, base_url = start_server(folder)
    print(f"{kind}:", flush=True)
    urls = [feed_url(base_url, n) for n in range(count)]
    try:
        # The floor before and after the app's rounds; the faster of the two counts
        # (the machine is shared: this keeps a busy minute from flattering the app).
        floors = [run_floor(urls, urls[: len(sources)], SYNC_THREADS)]
        print(f"  floor: {floors[0]['seconds']:.2f} s", flush=True)
        with harness.fresh_database(kind, workdir, postgres=args.postgres) as url:
            job = {
                "url": url,
                "base_url": base_url,
                "folder": str(folder),
                "count": count,
                "latency": args.latency,
                "syncs_while_sending": min(count, args.syncs_while_sending),
            }
            worker = subprocess.Popen(
                [sys.executable, __file__, "--app-worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            worker.stdin.write(json.dumps(job))
            worker.stdin.close()
            lines = []
            for line in worker.stdout:
                lines.append(line)
                if line.startswith("  "):
                    print(line, end="", flush=True)
            if worker.wait() != 0:
                raise SystemExit(f"the app process failed ({worker.returncode})")
            result = {"database": kind, "calendars": count, **json.loads(lines[-1])}
        # The floor reads the feeds as the unchanged round did (moves aside, the same).
        write_feeds(folder, sources, count, stamp=_stamp(NOW + SYNC_STEP), moved_to=None)
        floors.append(run_floor(urls, urls[: len(sources)], SYNC_THREADS))
        print(f"  floor again: {floors[1]['seconds']:.2f} s", flush=True)
        result["floor"] = {
            "seconds": min(f["seconds"] for f in floors),
            "cpu_seconds": min(f["cpu_seconds"] for f in floors),
            "occurrences": floors[0]["occurrences"],
            "failed": floors[0]["failed"],
            "runs_seconds": [round(f["seconds"], 2) for f in floors],
            "runs_cpu_seconds": [round(f["cpu_seconds"], 2) for f in floors],
        }
    finally:
        server.terminate()
        server.wait(10)
    return result


def summarise(r: dict, bare_mb: float) -> dict:
    floor = r["floor"]
    floor_cpu_ms = 1000 * floor["cpu_seconds"] / r["calendars"]
    r["floor"] = {
        "seconds": round(floor["seconds"], 2),
        "cpu_ms_per_calendar": round(floor_cpu_ms, 2),
        "occurrences": floor["occurrences"],
        "feeds_the_library_alone_failed": floor["failed"],
        "runs_seconds": floor["runs_seconds"],
        "runs_cpu_ms_per_calendar": [
            round(1000 * cpu / r["calendars"], 2) for cpu in floor["runs_cpu_seconds"]
        ],
    }
    r["ratios"] = {
        "full_time": round(r["full"]["seconds"] / floor["seconds"], 2),
        "full_cpu": round(r["full"]["cpu_ms_per_sync"] / floor_cpu_ms, 2),
        "unchanged_cpu": round(r["unchanged"]["cpu_ms_per_sync"] / floor_cpu_ms, 2),
        "changed_cpu": round(r["changed"]["cpu_ms_per_sync"] / floor_cpu_ms, 2),
        "rss": round(r["peak_rss_mb"] / bare_mb, 2),
        # What the stack alone (SQLAlchemy, SQLModel, the driver, icalendar, httpx,
        # cryptography) takes before the first sync, next to the same bare Bolt app.
        "imports_rss": round(r["imports_rss_mb"] / bare_mb, 2),
    }
    s = r["while_sending"]
    r["goals_met"] = {
        "full_le_1.5x_floor_time": r["ratios"]["full_time"] <= GOAL_FULL_TIME,
        "unchanged_le_1.2x_floor_cpu": r["ratios"]["unchanged_cpu"] <= GOAL_UNCHANGED_CPU,
        "unchanged_writes_nothing": r["unchanged"]["data_writes"] == 0,
        "changed_le_2x_floor_cpu": r["ratios"]["changed_cpu"] <= GOAL_CHANGED_CPU,
        "changed_checkins_moved": r["changed"]["checkins"]["ok"] and s["moved"]["ok"],
        "rss_le_3x_bare_bolt": r["ratios"]["rss"] <= GOAL_RSS,
        "lost_0": s["lost"] == 0 and s["due_at_start"] > 0,
        "doubled_0": s["doubled"] == 0,
        "all_synced": all(r[k]["not_synced"] == 0 for k in ("full", "unchanged", "changed")),
    }
    return r


def report(r: dict, bare_mb: float) -> None:
    f, u, c, s, fl = r["full"], r["unchanged"], r["changed"], r["while_sending"], r["floor"]
    ok = {True: "met", False: "NOT met"}
    g = r["goals_met"]
    print(f"{r['database']}, {r['calendars']} calendars:")
    print(
        f"  floor (FeedClient + recurring-ical-events, 8 threads; the faster of "
        f"{fl['runs_seconds']} s and CPU {fl['runs_cpu_ms_per_calendar']} ms): "
        f"{fl['seconds']:.2f} s, CPU {fl['cpu_ms_per_calendar']:.2f} ms/calendar "
        f"({fl['feeds_the_library_alone_failed']} feeds the library alone could not expand)"
    )
    print(
        f"  full round:      {f['seconds']:.2f} s ({r['ratios']['full_time']}× floor time: "
        f"{ok[g['full_le_1.5x_floor_time']]}), CPU {f['cpu_ms_per_sync']:.2f} ms/sync "
        f"({r['ratios']['full_cpu']}×), synced {f['synced']}, failing {f['failing']}"
    )
    print(
        f"  unchanged round: {u['seconds']:.2f} s, CPU {u['cpu_ms_per_sync']:.2f} ms/sync "
        f"({r['ratios']['unchanged_cpu']}× floor CPU: {ok[g['unchanged_le_1.2x_floor_cpu']]}), "
        f"data rows written {u['data_writes']} ({ok[g['unchanged_writes_nothing']]}), "
        f"feed bookkeeping {u['feed_bookkeeping_writes']}"
    )
    print(
        f"  changed round:   {c['seconds']:.2f} s, CPU {c['cpu_ms_per_sync']:.2f} ms/sync "
        f"({r['ratios']['changed_cpu']}× floor CPU: {ok[g['changed_le_2x_floor_cpu']]}), "
        f"writes {c['data_writes_by_table']}; check-ins moved: {c['checkins']}"
    )
    print(
        f"  peak RSS of the sync rounds {r['peak_rss_mb']} MB ({r['ratios']['rss']}× bare Bolt "
        f"{bare_mb} MB: {ok[g['rss_le_3x_bare_bolt']]}); of which the app's stack, loaded "
        f"before any sync, {r['imports_rss_mb']} MB ({r['ratios']['imports_rss']}×) and the "
        f"syncs {round(r['peak_rss_mb'] - r['imports_rss_mb'], 1)} MB; full round alone "
        f"{f['peak_rss_mb']} MB; connecting everyone {r['setup_peak_rss_mb']} MB "
        f"(in {r['setup_seconds']} s)"
    )
    print(
        f"  sync while sending: {s['due_at_start']} due, {s['delivered']} delivered, "
        f"lost {s['lost']} ({ok[g['lost_0']]}), doubled {s['doubled']} ({ok[g['doubled_0']]}), "
        f"refused {s['refused_by_slack']}; {s['synced_meanwhile']} calendars synced in "
        f"{s['seconds']} s, {s['synced_before_all_sent']} of them before the last DM went "
        f"(at {s['all_sent_after_seconds']} s); moved again: {s['moved']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calendars", type=int, default=2000)
    parser.add_argument(
        "--syncs-while-sending",
        type=int,
        default=500,
        help="calendars synced while the check-ins are sent (the first ones sent)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument("--latency", type=float, default=0.1, help="the fake Slack's answer delay")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--floor-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--app-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.floor_worker:
        floor_worker()
        return
    if args.app_worker:
        app_worker()
        return
    import logging

    logging.basicConfig(level=logging.WARNING)
    sources = corpus()
    workdir = Path(tempfile.mkdtemp(prefix="voice-calendar-sync-"))
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [run(kind, args, workdir, sources) for kind in kinds]
    bare_mb = bare_bolt_rss()
    results = [summarise(r, bare_mb) for r in results]
    sizes = sorted(data.upper().count(b"BEGIN:VEVENT") for _, data in sources)
    print(
        f"corpus: {len(sources)} calendars of {sizes[0]}–{sizes[-1]} events, one per person "
        f"in turn, each with 3 series written in; bare Bolt app peak RSS {bare_mb} MB"
    )
    for r in results:
        report(r, bare_mb)
    print(
        json.dumps(
            {
                "benchmark": "calendar_sync",
                "calendars": args.calendars,
                "corpus_files": len(sources),
                "largest_feed_events": sizes[-1],
                "bare_bolt_rss_mb": bare_mb,
                "runs": results,
                "goals_met": {
                    goal: all(r["goals_met"][goal] for r in results)
                    for goal in results[0]["goals_met"]
                },
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
