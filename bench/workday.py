"""A day in a workspace: 5,000 people in four time zones, their meetings, check-ins and
commands, on a clock run faster than real time, while processes and the database fail.

    python bench/workday.py [--people 5000] [--speed 60] [--processes 3] [--seed 7]
                            [--postgres URL] [--no-postgres-restart]
                            [--zones 4] [--last-start 17]   (fewer: a shorter day, to try it)

The day: one workspace of ``--people`` people in New York, Chicago, Denver and Los
Angeles (35/30/10/25 %), each with 1–3 meetings that day (a weekly weekday meeting;
starts on the quarter hour between 9:00 and 17:00 local, most on the hour or half
hour; 15–60 minutes), onboarded, their check-ins planned as the app plans them (pre:
15 minutes before, post: 5 minutes after the end). The simulated span runs from 10
minutes before the first check-in is due to 10 minutes after the last post check-in
is due: about 12.5 hours of app time, a Tuesday (the latest one past, so that no
instant of the day is in the future of real time).

The app: ``--processes`` real ``python -m bot`` processes (gunicorn, one worker each)
on a fresh PostgreSQL database, all given the same scaled clock (CLOCK_START,
CLOCK_SPEED, CLOCK_ANCHOR: bot.clock.ScaledClock, the same real-time anchor for all).
The fake Slack answers every Web API call after 100 ms, with Slack's limits on: one
message per second per DM (real seconds, so stricter than Slack in app time) and 600
messages per app minute in the workspace (the app's own default budget).

The traffic, signed as Slack signs it and sent from a separate process (so the time
measured is not inflated by the fake Slack, which shares this process), each request
to the next live process in turn (a load balancer: a refused connection is tried on
the next one): each person types 2–4 commands (``/voice help``, ``progress``,
``challenge``) and opens her Home once, at random moments of her working day (9–18
local); she answers 80 % of her pre-meeting check-ins (confidence menu) after a
log-normal delay (median 5 app minutes; not at all if that falls after the meeting
starts) and 85 % of her post-meeting ones (outcome button; median 20, a long tail past
the 2-hour reminder); the rest never.

The faults, at set moments of the busiest hours (all four zones at work): Slack answers
30 chat.postMessage calls with 429 (Retry-After 1), later 30 with 500; one process is
SIGKILLed (gunicorn master and worker at once) and started again; PostgreSQL itself is
restarted once. **This restarts the machine's real cluster** (``pg_ctlcluster 15 main
restart``, as root; a few seconds), which the other engineers' tests on this machine
share: their open connections are cut too. ``--no-postgres-restart`` leaves it alone
(and the goal about it is then not judged).

Reported: p50/p99 ack per request kind (outside the restart windows, and inside them
apart); check-ins on time (pre: sent before the meeting starts; post and reminder:
within 5 app minutes of due), late, lapsed (not sent: the app judged it no longer
useful), lost (due, not lapsed, never delivered) and duplicated (delivered twice), next
to the in-flight bound: a process killed while sending, or whose database went away
between a send and its record, may send each check-in it had on the wire once more when
its lease (60 app seconds) runs out, so at most DEFAULT_CONCURRENCY (8) per killed
process and per process at the database restart; CPU seconds and peak RSS per app
process (summed and maxed over its restarts), and of this process and the load process.
The last line is JSON with goals_met / goals_missed.

Goals: 0 lost; duplicated within the in-flight bound and none away from a fault; ≥ 99.9 %
on time; ack p99 < 100 ms for every kind outside the restart windows; every process
healthy (GET /healthz 200) within 10 s of the database returning.

Choosing the speed (the scheduler's intervals stay in real seconds). The dispatcher
ticks every real second, so a check-in can wait up to ``speed`` app seconds before it
is even claimed; at 60× that is 1 app minute of the 15 a pre-meeting check-in has
before its meeting (15 real s), and of the 5 a post check-in has to be on time (5 real
s), leaving 4 real s to send a burst: ~400 check-ins due at one instant at the peak,
at 3 processes × 8 senders × 100 ms ≈ 240 a second when CPU allows. Leases are app time
too: 60 app s is 1 real s at 60×, still 10 times the 100 ms a send takes, but at 100×
a send held up 0.6 s by a busy CPU would lose its lease (another process could send it
again), and a post check-in would have 3 real s. Below 60× the day outlasts 12 minutes
(20×: 38 minutes). Hence 60× by default: about 12.5 minutes for the day, 14 in all.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import heapq
import itertools
import json
import math
import multiprocessing
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bench import harness  # noqa: E402
from bench.ack_latency import _Capture  # noqa: E402
from bench.dispatch import coachee_row  # noqa: E402
from bot.domain.schedule import Occurrence, checkin_times, weekdays_to_mask  # noqa: E402
from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting  # noqa: E402
from bot.playground.fakeslack.web_api import FakeSlack  # noqa: E402
from bot.services.dispatch import DEFAULT_CONCURRENCY  # noqa: E402
from bot.slack import ids  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID  # noqa: E402
from tests.scenarios.test_dispatch_processes import children_of, kill_hard, sigkill  # noqa: E402
from tests.support.app_runner import AppProcess, start_process  # noqa: E402

ZONES = (
    ("America/New_York", 0.35),
    ("America/Chicago", 0.30),
    ("America/Denver", 0.10),
    ("America/Los_Angeles", 0.25),
)
COMMANDS = ("help", "progress", "challenge")
KINDS = (*COMMANDS, "home", "pre_answer", "post_answer")
ON_TIME_POST = timedelta(minutes=5)
LEAD = timedelta(minutes=10)  # app time before the first due check-in, and after the last
LATENCY = 0.1
GOAL_ON_TIME = 0.999
GOAL_ACK_MS = 100.0
GOAL_HEALTHY_S = 10.0
WINDOW_TAIL = 2.0  # real seconds after the processes are healthy again, still "restart"
# When the faults come, as fractions of the simulated span (all four zones at work from
# about 0.26 to 0.66 of it).
FAULTS = (
    (0.30, "slack_429"),
    (0.38, "slack_500"),
    (0.45, "sigkill"),
    (0.58, "postgres_restart"),
)


# -- the day ---------------------------------------------------------------------------------


def the_day(today: date) -> date:
    """The latest Tuesday before today: every instant of it is past in real time."""
    back = (today.weekday() - 1) % 7 or 7
    return today - timedelta(days=back)


def plan_people(
    count: int, rng: random.Random, *, zones: int = len(ZONES), last_start: int = 17
) -> list[dict]:
    """Who they are and their meetings that day (local start, minutes)."""
    zones, weights = zip(*ZONES[:zones], strict=True)
    minutes = [15, 30, 45, 60]
    people = []
    for n in range(count):
        meetings = []
        for _ in range(rng.choices([1, 2, 3], [0.3, 0.4, 0.3])[0]):
            hour = rng.randrange(9, last_start)
            quarter = rng.choices([0, 30, 15, 45], [0.6, 0.3, 0.05, 0.05])[0]
            meetings.append((clock_time(hour, quarter), rng.choices(minutes, [1, 5, 1, 3])[0]))
        people.append(
            {"user": f"UW{n:06d}", "tz": rng.choices(zones, weights)[0], "meetings": meetings}
        )
    return people


def seed(url: str, fake: FakeSlack, people: list[dict], day: date, now: datetime) -> None:
    """Everyone onboarded, her meetings, and their check-ins of the day as the planner
    makes them (bot.domain.schedule.checkin_times with her default minutes)."""
    for p in people:
        fake.add_user(p["user"], tz=p["tz"])
    engine = make_engine(url)
    try:
        with engine.begin() as c:
            c.execute(
                sa.insert(Coachee),
                [
                    coachee_row(
                        TEAM_ID, p["user"], fake, now=now, tz=p["tz"], onboarded=timedelta(days=10)
                    )
                    for p in people
                ],
            )
            coachee_of = dict(c.execute(sa.select(Coachee.slack_user_id, Coachee.id)).all())
            rows = [
                dict(
                    team_id=TEAM_ID,
                    coachee_id=coachee_of[p["user"]],
                    name=f"Meeting {p['user']}-{k}",
                    weekdays=weekdays_to_mask(range(5)),
                    start_time=start,
                    duration_minutes=duration,
                    tz=p["tz"],
                    active=True,
                    planned_until=now + timedelta(days=8),  # the planner leaves them
                    created_at=now,
                    updated_at=now,
                )
                for p in people
                for k, (start, duration) in enumerate(p["meetings"])
            ]
            c.execute(sa.insert(Meeting), rows)
            meetings = c.execute(
                sa.select(
                    Meeting.id,
                    Meeting.coachee_id,
                    Meeting.start_time,
                    Meeting.duration_minutes,
                    Meeting.tz,
                )
            ).all()
            checkins = []
            for m in meetings:
                start = datetime.combine(day, m.start_time, ZoneInfo(m.tz)).astimezone(UTC)
                end = start + timedelta(minutes=m.duration_minutes)
                times = checkin_times(
                    Occurrence(local_date=day, start=start, end=end), pre_minutes=15, post_minutes=5
                )
                common = dict(
                    team_id=TEAM_ID,
                    coachee_id=m.coachee_id,
                    meeting_id=m.id,
                    occurrence_start=start,
                    status=CheckinStatus.PENDING,
                    send_attempts=0,
                    created_at=now,
                )
                for kind, due, until, expires in (
                    (CheckinKind.PRE, times.pre_due, times.pre_expires, times.pre_expires),
                    (CheckinKind.POST, times.post_due, times.late_limit, times.post_expires),
                ):
                    checkins.append(
                        common | dict(kind=kind, due_at=due, send_until=until, expires_at=expires)
                    )
            c.execute(sa.insert(Checkin), checkins)
    finally:
        engine.dispose()


def span_of(people: list[dict], day: date) -> tuple[datetime, datetime]:
    """From LEAD before the first pre check-in is due to LEAD after the last post one."""
    first, last = [], []
    for p in people:
        for start, duration in p["meetings"]:
            at = datetime.combine(day, start, ZoneInfo(p["tz"])).astimezone(UTC)
            first.append(at - timedelta(minutes=15))
            last.append(at + timedelta(minutes=duration + 5))
    return min(first) - LEAD, max(last) + LEAD


def commands_of(people: list[dict], day: date, rng: random.Random) -> list[tuple]:
    """(app time, user, kind): 2–4 commands and a Home open each, in her working hours."""
    out = []
    for p in people:
        nine = datetime.combine(day, clock_time(9), ZoneInfo(p["tz"])).astimezone(UTC)
        kinds = [rng.choice(COMMANDS) for _ in range(rng.randint(2, 4))] + ["home"]
        for kind in kinds:
            out.append((nine + timedelta(seconds=rng.uniform(0, 9 * 3600)), p["user"], kind))
    return sorted(out)


# -- the load process ------------------------------------------------------------------------


def load_process(inbox, outbox, threads: int) -> None:
    """Runs apart: sends each signed request at its real time to the next live app
    process; reports (kind, started, ms, outcome) of each."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    urls: list[str] = []
    down: dict[str, float] = {}
    turn = itertools.count()
    pool = concurrent.futures.ThreadPoolExecutor(threads)

    def one(kind: str, body: bytes, content_type: str) -> None:
        started = time.time()
        clock = time.perf_counter()
        outcome = "refused"
        for _ in range(len(urls) + 1):
            live = [u for u in urls if down.get(u, 0) < time.time()] or urls
            url = live[next(turn) % len(live)]
            try:
                status = harness.signed_post(url, body, content_type, verifier)
            except urllib.error.URLError as e:
                if isinstance(e.reason, ConnectionRefusedError):
                    down[url] = time.time() + 1.0  # the balancer's health check
                    continue
                outcome = f"error: {e.reason.__class__.__name__}"
                break
            except OSError as e:
                outcome = f"error: {e.__class__.__name__}"
                break
            outcome = "ok" if status == 200 else f"HTTP {status}"
            break
        outbox.put((kind, started, (time.perf_counter() - clock) * 1000, outcome))

    queue: list[tuple] = []
    while True:
        timeout = max(0.0, min(0.05, queue[0][0] - time.time())) if queue else 0.05
        try:
            item = inbox.get(timeout=timeout)
        except Exception:  # queue.Empty
            item = None
        if item == "stop":
            break
        if item is not None and item[0] == "urls":
            urls = item[1]
        elif item is not None:
            heapq.heappush(queue, item)
        while queue and queue[0][0] <= time.time():
            _, _, kind, body, content_type = heapq.heappop(queue)
            pool.submit(one, kind, body, content_type)
    pool.shutdown(wait=True)
    outbox.put("done")


# -- the app processes -----------------------------------------------------------------------


class Slot:
    """One app process and its restarts: CPU and peak RSS over all of them."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir = env, workdir
        self.app: AppProcess | None = None
        self.cpu_before = 0.0
        self.peak = 0
        self.starts = 0

    def start(self) -> None:
        self.app = start_process(self.env, self.workdir)
        self.starts += 1

    def sample(self) -> None:
        if self.app is not None and self.app.process.poll() is None:
            self.peak = max(self.peak, harness.peak_rss(self.app.process.pid))

    def cpu(self) -> float:
        alive = self.app is not None and self.app.process.poll() is None
        return self.cpu_before + (harness.cpu_seconds(self.app.process.pid) if alive else 0.0)

    def kill(self) -> None:
        self.sample()
        self.cpu_before = self.cpu()
        kill_hard(self.app)

    def stop(self) -> None:
        if self.app is None or self.app.process.poll() is not None:
            return
        self.sample()
        self.cpu_before = self.cpu()
        workers = children_of(self.app.process.pid)
        self.app.stop()
        sigkill(workers)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.app.url + "/healthz", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False


# -- the run ---------------------------------------------------------------------------------


class Day:
    def __init__(self, args, workdir: Path):
        self.args = args
        self.rng = random.Random(args.seed)
        self.workdir = workdir
        self.speed = args.speed
        self.day = the_day(datetime.now(UTC).date())
        self.people = plan_people(
            args.people, self.rng, zones=args.zones, last_start=args.last_start
        )
        self.start, self.end = span_of(self.people, self.day)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID)
        self.fake.latency = LATENCY
        self.fake.enforce_channel_rate = True
        self.fake.workspace_limit = (600, 60.0 / self.speed)
        self.capture = _Capture(app_url="http://unused", signing_secret=SIGNING_SECRET, fake=None)
        self.sent: dict[tuple[str, str], list[datetime]] = defaultdict(list)  # (kind, key)
        self.windows: list[tuple[float, float, str]] = []  # real (from, to, what)
        self.events: list[dict] = []
        self.health: dict = {}
        self.failed_calls = Counter()
        self.order = itertools.count()  # ties between requests due at the same instant
        self.meeting_start = {
            f"Meeting {p['user']}-{k}": datetime.combine(self.day, start, ZoneInfo(p["tz"]))
            for p in self.people
            for k, (start, _) in enumerate(p["meetings"])
        }

    # time: real (Unix) <-> app
    def app_time(self, real: float) -> datetime:
        return self.start + timedelta(seconds=(real - self.anchor) * self.speed)

    def real_time(self, instant: datetime) -> float:
        return self.anchor + (instant - self.start).total_seconds() / self.speed

    def run(self) -> dict:
        self.fake.start()
        self.capture.fake = self.fake
        with harness.fresh_database("postgresql", self.workdir, postgres=self.args.postgres) as url:
            self.url = url
            t = time.monotonic()
            seed(url, self.fake, self.people, self.day, self.start)
            self.user_of_channel = {self.fake.dm_channel(p["user"]): p["user"] for p in self.people}
            self.anchor = time.time() + 8  # the processes start meanwhile
            print(
                f"seeded {len(self.people)} people, "
                f"{sum(len(p['meetings']) for p in self.people)} meetings in "
                f"{time.monotonic() - t:.0f} s; the day {self.day} from {self.start:%H:%M} to "
                f"{self.end:%H:%M} UTC ({(self.end - self.start) / timedelta(hours=1):.1f} h) "
                f"at {self.speed:g}× = {self.real_time(self.end) - self.anchor:.0f} s",
                flush=True,
            )
            env = harness.app_env(
                self.fake,
                url,
                CLOCK_START=self.start.isoformat(),
                CLOCK_SPEED=f"{self.speed:g}",
                CLOCK_ANCHOR=f"{self.anchor:.6f}",
            )
            self.slots = [
                Slot({**env, "PORT": str(harness.free_port())}, self.workdir)
                for _ in range(self.args.processes)
            ]
            spawn = multiprocessing.get_context("spawn")
            self.inbox, self.outbox = spawn.Queue(), spawn.Queue()
            loader = spawn.Process(target=load_process, args=(self.inbox, self.outbox, 64))
            loader.start()
            self.results: list[tuple] = []
            try:
                for slot in self.slots:
                    slot.start()
                for slot in self.slots:
                    slot.app.wait_healthy(timeout=60)
                self.inbox.put(("urls", [s.app.url + "/slack/events" for s in self.slots]))
                cpu_before = {"bench": _own_cpu(), "load": harness.cpu_seconds(loader.pid)}
                self.drive()
                cpu = {
                    "bench": _own_cpu() - cpu_before["bench"],
                    "load": harness.cpu_seconds(loader.pid) - cpu_before["load"],
                }
                self.inbox.put("stop")
                while (got := self.outbox.get(timeout=60)) != "done":
                    self.results.append(got)
                peak_load = harness.peak_rss(loader.pid)
            finally:
                for slot in self.slots:
                    slot.stop()
                loader.join(10)
                if loader.is_alive():
                    loader.kill()
                self.fake.stop()
            logs = "".join(s.app.output() for s in self.slots)
            for n, slot in enumerate(self.slots):
                (self.workdir / f"app-{n}.log").write_text(slot.app.output())
            self.write_timings()
            rows = self.checkins()
        return self.report(rows, cpu, peak_load, logs)

    def drive(self) -> None:
        """Until the end of the day: requests at their moments, answers to the check-ins
        the fake delivered, the faults in their own thread."""
        planned = [
            (self.real_time(at), user, kind)
            for at, user, kind in commands_of(self.people, self.day, self.rng)
            if self.start <= at < self.end
        ]
        heapq.heapify(planned)
        chaos = threading.Thread(target=self.faults, daemon=True)
        chaos.start()
        finish = self.real_time(self.end)
        last_report = 0.0
        while time.time() < finish:
            self.watch_slack(planned)
            horizon = time.time() + 0.5
            while planned and planned[0][0] <= horizon:
                at, user, what = heapq.heappop(planned)
                self.request(at, user, what)
            while True:
                try:
                    self.results.append(self.outbox.get_nowait())
                except Exception:
                    break
            if time.time() - last_report > 60:
                last_report = time.time()
                for slot in self.slots:
                    slot.sample()
                print(
                    f"  {self.app_time(time.time()):%H:%M} app time: {len(self.results)} "
                    f"requests answered, {sum(len(v) for v in self.sent.values())} check-ins "
                    f"delivered",
                    flush=True,
                )
            time.sleep(0.1)
        chaos.join(timeout=60)
        time.sleep(2)  # the last sends land
        self.watch_slack([])

    def watch_slack(self, planned: list) -> None:
        """Every check-in the fake delivered since last time; plans her answer."""
        with self.fake._lock:  # taken and forgotten, so that a day of calls is not kept
            new = list(self.fake.calls)
            self.fake.reset_calls()
        for call in new:
            if call.method != "chat.postMessage":
                continue
            if call.status != 200 or not call.response.get("ok"):
                self.failed_calls[call.status] += 1
                continue
            found = what_checkin(call.args)
            if found is None:
                continue
            kind, key = found
            at = self.app_time(time.time() - (time.monotonic() - call.at))
            self.sent[(kind, key)].append(at)
            if len(self.sent[(kind, key)]) == 1 and kind != CheckinKind.REMINDER:
                self.plan_answer(kind, call, at, planned)

    def plan_answer(self, kind: str, call, at: datetime, planned: list) -> None:
        user = self.user_of_channel[call.response["channel"]]
        if kind == CheckinKind.PRE:
            if self.rng.random() > 0.80:
                return
            delay = timedelta(minutes=self.rng.lognormvariate(math.log(5), 0.8))
            name = call.args.get("text", "").rsplit(" starts at ", 1)[0]
            if at + delay >= self.meeting_start[name]:
                return  # she did not get to it before the meeting
        else:
            if self.rng.random() > 0.85:
                return
            delay = timedelta(minutes=self.rng.lognormvariate(math.log(20), 1.0))
        if at + delay >= self.end:
            return
        message = call.response["message"]
        heapq.heappush(planned, (self.real_time(at + delay), user, (f"{kind}_answer", message)))

    def request(self, at: float, user: str, what) -> None:
        c = self.capture
        if what == "home":
            event = {
                "type": "app_home_opened",
                "user": user,
                "channel": self.fake.dm_channel(user),
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
            c.event(event)
            kind = "home"
        elif isinstance(what, str):
            c.command(what, user_id=user)
            kind = what
        else:
            kind, message = what
            channel = self.fake.dm_channel(user)
            if kind == "pre_answer":
                menu = next(b for b in message["blocks"] if b.get("accessory"))
                option = self.rng.choice(menu["accessory"]["options"])
                c.block_action(
                    user_id=user,
                    action_id=ids.CHECKIN_CONFIDENCE,
                    action_type="static_select",
                    block_id=menu["block_id"],
                    selected_option=option,
                    message=message,
                    channel_id=channel,
                )
            else:
                actions = next(b for b in message["blocks"] if b["type"] == "actions")
                buttons = actions["elements"]  # did it, partly, not this time, didn't happen
                button = self.rng.choices(buttons, [6, 2, 1, 1][: len(buttons)])[0]
                c.block_action(
                    user_id=user,
                    action_id=button["action_id"],
                    value=button["value"],
                    block_id=actions["block_id"],
                    message=message,
                    channel_id=channel,
                )
        self.inbox.put((at, next(self.order), kind, *c.captured))

    # -- the faults ---------------------------------------------------------------------------

    def faults(self) -> None:
        span = (self.end - self.start).total_seconds()
        for fraction, what in FAULTS:
            moment = self.real_time(self.start + timedelta(seconds=span * fraction))
            time.sleep(max(0.0, moment - time.time()))
            began = time.time()
            if what == "slack_429":
                self.fake.fail_next("chat.postMessage", times=30, retry_after=1)
            elif what == "slack_500":
                self.fake.fail_next("chat.postMessage", status=500, times=30)
            elif what == "sigkill":
                self.sigkill(self.slots[1 % len(self.slots)])
            elif what == "postgres_restart":
                if self.args.no_postgres_restart:
                    continue
                self.restart_postgres()
            self.events.append(
                {
                    "what": what,
                    "app_time": f"{self.app_time(began):%H:%M:%S}",
                    "real_s": round(time.time() - began, 2),
                }
            )
            print(f"  {self.app_time(began):%H:%M} app time: {what}", flush=True)

    def sigkill(self, slot: Slot) -> None:
        killed = time.time()
        slot.kill()
        slot.start()
        slot.app.wait_healthy(timeout=60)
        self.health["after_sigkill_s"] = round(time.time() - killed, 2)
        self.windows.append((killed, time.time() + WINDOW_TAIL, "sigkill"))

    def restart_postgres(self) -> None:
        began = time.time()
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True, timeout=120)
        back = None
        dsn = harness._normalised(self.url).replace("postgresql+psycopg://", "postgresql://")
        while back is None and time.time() - began < 120:
            try:
                psycopg.connect(dsn, connect_timeout=1).close()
                back = time.time()
            except psycopg.Error:
                time.sleep(0.05)
        healthy: dict[int, float | None] = dict.fromkeys(range(len(self.slots)))
        while None in healthy.values() and time.time() - back < 60:
            for n, slot in enumerate(self.slots):
                if healthy[n] is None and slot.healthy():
                    healthy[n] = round(time.time() - back, 2)
            time.sleep(0.1)
        self.health["postgres_down_s"] = round(back - began, 2)
        self.health["healthy_after_database_s"] = list(healthy.values())
        self.windows.append((began, time.time() + WINDOW_TAIL, "postgres_restart"))

    # -- what happened ------------------------------------------------------------------------

    def checkins(self) -> list:
        engine = make_engine(self.url)
        try:
            with engine.connect() as c:
                return c.execute(
                    sa.select(
                        Checkin.id,
                        Checkin.kind,
                        Checkin.status,
                        Checkin.due_at,
                        Checkin.occurrence_start,
                        Meeting.name,
                    ).join(Meeting, Meeting.id == Checkin.meeting_id)
                ).all()
        finally:
            engine.dispose()

    def report(self, rows: list, cpu: dict, peak_load: int, logs: str) -> dict:
        judged_until = self.end - LEAD + ON_TIME_POST
        counts = Counter()
        first_copies = []
        worst_late = 0.0
        for row in rows:
            if row.status == CheckinStatus.CANCELLED or row.due_at >= judged_until:
                continue
            key = str(row.id) if row.kind != CheckinKind.REMINDER else row.name
            times = sorted(self.sent.get((row.kind, key), []))
            counts[f"due_{row.kind}"] += 1
            counts["due"] += 1
            if times:
                deadline = (
                    row.occurrence_start
                    if row.kind == CheckinKind.PRE
                    else row.due_at + ON_TIME_POST
                )
                if times[0] < deadline:
                    counts["on_time"] += 1
                else:
                    counts["late"] += 1
                    counts[f"late_{row.kind}"] += 1
                    late_by = (times[0] - deadline) / timedelta(minutes=1)
                    worst_late = max(worst_late, late_by)
                if len(times) > 1:
                    counts["duplicated"] += len(times) - 1
                    first_copies.append(self.real_time(times[0]))
            elif row.status == CheckinStatus.EXPIRED:
                counts["lapsed"] += 1
            else:
                counts["lost"] += 1
                counts[f"lost_{row.status}"] += 1
        near_fault = [
            t for t in first_copies if any(start - 2 <= t <= end for start, end, _ in self.windows)
        ]
        kills = sum(1 for e in self.events if e["what"] == "sigkill")
        restarts = sum(1 for e in self.events if e["what"] == "postgres_restart")
        bound = DEFAULT_CONCURRENCY * (kills + restarts * len(self.slots))
        acks = self.acks()
        due = counts["due"] or 1
        healthy = self.health.get("healthy_after_database_s")
        return {
            "people": len(self.people),
            "meetings": sum(len(p["meetings"]) for p in self.people),
            "speed": self.speed,
            "processes": len(self.slots),
            "day": f"{self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC",
            "real_seconds": round((self.end - self.start).total_seconds() / self.speed),
            "checkins": {
                "due": counts["due"],
                "pre": counts["due_pre"],
                "post": counts["due_post"],
                "reminder": counts["due_reminder"],
                "on_time": counts["on_time"],
                "on_time_share": round(counts["on_time"] / due, 5),
                "late": counts["late"],
                "late_by_kind": {k[5:]: v for k, v in counts.items() if k.startswith("late_")},
                "latest_by_app_minutes": round(worst_late, 1),
                "lapsed": counts["lapsed"],
                "lost": counts["lost"],
                "lost_by_status": {k[5:]: v for k, v in counts.items() if k.startswith("lost_")},
                "duplicated": counts["duplicated"],
                "duplicated_away_from_faults": len(first_copies) - len(near_fault),
                "in_flight_bound": bound,
            },
            "acks": acks,
            "faults": self.events,
            "health": self.health,
            "slack_errors_answered": dict(self.failed_calls),
            # 429s from Slack's own limits (not the injected ones): one message a second per
            # DM is in real seconds, so 60 app seconds at 60×.
            "slack_limit_429s": self.fake.rate_limited_answers,
            "refused_by_slack": len(self.fake.refusals),
            "jobs_failed": logs.count("scheduled job failed"),
            "tracebacks": logs.count("Traceback"),
            "cpu_seconds": {
                **{f"app_{n}": round(s.cpu(), 1) for n, s in enumerate(self.slots)},
                "bench_and_fake_slack": round(cpu["bench"], 1),
                "load": round(cpu["load"], 1),
            },
            "peak_rss_mb": {
                **{f"app_{n}": round(s.peak / 2**20, 1) for n, s in enumerate(self.slots)},
                "bench_and_fake_slack": round(harness.peak_rss(_own_pid()) / 2**20, 1),
                "load": round(peak_load / 2**20, 1),
            },
            "_healthy_ok": healthy is None
            or all(h is not None and h <= GOAL_HEALTHY_S for h in healthy),
        }

    def write_timings(self) -> None:
        """Every request's ack and every check-in's delivery, in real seconds, for looking
        into a slow kind afterwards (e.g. acks against the check-ins sent around them)."""
        with open(self.workdir / "acks.jsonl", "w") as f:
            for kind, started, ms, outcome in self.results:
                f.write(
                    json.dumps(
                        {
                            "kind": kind,
                            "t": round(started, 3),
                            "ms": round(ms, 2),
                            "outcome": outcome,
                        }
                    )
                    + "\n"
                )
        with open(self.workdir / "sent.jsonl", "w") as f:
            for (kind, _), times in self.sent.items():
                for at in times:
                    f.write(json.dumps({"kind": kind, "t": round(self.real_time(at), 3)}) + "\n")

    def acks(self) -> dict:
        def in_window(t: float) -> bool:
            return any(start <= t <= end for start, end, _ in self.windows)

        out = {}
        for kind in KINDS:
            mine = [r for r in self.results if r[0] == kind]
            calm = [ms for _, t, ms, outcome in mine if outcome == "ok" and not in_window(t)]
            stormy = [ms for _, t, ms, outcome in mine if outcome == "ok" and in_window(t)]
            failed = Counter(outcome for _, t, _, outcome in mine if outcome != "ok")
            out[kind] = {
                "requests": len(mine),
                "p50_ms": _p(calm, 0.5),
                "p99_ms": _p(calm, 0.99),
                "in_restart_windows": len(stormy),
                "p99_ms_in_restart_windows": _p(stormy, 0.99),
                "failed": dict(failed),
            }
        return out


def what_checkin(args: dict) -> tuple[str, str] | None:
    """(kind, key) of a check-in DM: its id for pre and post, its meeting for a reminder."""
    for block in args.get("blocks") or []:
        block_id = block.get("block_id", "")
        if block_id.startswith("pre_actions_"):
            return CheckinKind.PRE, block_id.removeprefix("pre_actions_")
        if block_id.startswith("post_") and block_id[5:].isdigit():
            return CheckinKind.POST, block_id[5:]
    text = args.get("text", "")
    blocks = args.get("blocks") or [{}]
    if text.startswith("How did ") and "gentle nudge" in str(blocks[0].get("text", "")):
        return CheckinKind.REMINDER, text.removeprefix("How did ").removesuffix(" go?")
    return None


def _p(values: list[float], q: float) -> float | None:
    return round(harness.percentile(values, q), 1) if values else None


def _own_pid() -> int:
    import os

    return os.getpid()


def _own_cpu() -> float:
    return harness.cpu_seconds(_own_pid())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--speed", type=float, default=60.0, help="app seconds per real second")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--zones", type=int, default=4, choices=range(1, 5), help="a shorter day, for trying it"
    )
    parser.add_argument(
        "--last-start",
        type=int,
        default=17,
        choices=range(10, 18),
        help="the hour before which meetings start (local); lower: a shorter day",
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument(
        "--no-postgres-restart",
        action="store_true",
        help="leave the machine's PostgreSQL cluster alone (its goal is then not judged)",
    )
    args = parser.parse_args()
    if not 20 <= args.speed <= 100:
        parser.error("--speed: 20 to 100 (see the docstring for why)")
    workdir = Path(tempfile.mkdtemp(prefix="voice-workday-"))
    result = Day(args, workdir).run()
    print_summary(result, workdir)
    c = result["checkins"]
    healthy_ok = result.pop("_healthy_ok")
    goals = {
        "lost_0": c["lost"] == 0,
        "duplicated_within_in_flight_bound": c["duplicated"] <= c["in_flight_bound"]
        and c["duplicated_away_from_faults"] == 0,
        "on_time_ge_99.9%": c["on_time_share"] >= GOAL_ON_TIME,
        "ack_p99_lt_100ms_outside_restarts": all(
            a["p99_ms"] is not None and a["p99_ms"] < GOAL_ACK_MS for a in result["acks"].values()
        ),
    }
    if not args.no_postgres_restart:
        goals["healthy_within_10s_of_database"] = healthy_ok
    print(
        json.dumps(
            {
                "benchmark": "workday",
                **result,
                "goals_met": [k for k, v in goals.items() if v],
                "goals_missed": [k for k, v in goals.items() if not v],
            }
        )
    )


def print_summary(r: dict, workdir: Path) -> None:
    c = r["checkins"]
    print(
        f"\n{r['people']} people, {r['meetings']} meetings; {r['day']} at {r['speed']:g}× "
        f"({r['real_seconds']} s) on {r['processes']} processes"
    )
    print(
        f"check-ins due {c['due']} (pre {c['pre']}, post {c['post']}, reminder "
        f"{c['reminder']}): on time {c['on_time']} ({100 * c['on_time_share']:.2f} %), late "
        f"{c['late']} {c['late_by_kind'] or ''} (by ≤ {c['latest_by_app_minutes']} app min), "
        f"lapsed {c['lapsed']}, lost {c['lost']} {c['lost_by_status'] or ''}, "
        f"duplicated {c['duplicated']} (bound {c['in_flight_bound']}, away from faults "
        f"{c['duplicated_away_from_faults']})"
    )
    print(
        f"{'ack ms':>12} {'requests':>9} {'p50':>7} {'p99':>7} {'in windows':>11} {'p99':>7} failed"
    )
    for kind, a in r["acks"].items():
        print(
            f"{kind:>12} {a['requests']:>9} {a['p50_ms'] or '-':>7} {a['p99_ms'] or '-':>7} "
            f"{a['in_restart_windows']:>11} {a['p99_ms_in_restart_windows'] or '-':>7} "
            f"{a['failed'] or ''}"
        )
    print(f"faults: {r['faults']}")
    print(f"health: {r['health']}")
    print(f"CPU s: {r['cpu_seconds']}; peak RSS MB: {r['peak_rss_mb']}")
    print(
        f"Slack errors answered: {r['slack_errors_answered']} ({r['slack_limit_429s']} 429s "
        f"from its limits, the rest injected); refused by Slack "
        f"{r['refused_by_slack']}; jobs failed {r['jobs_failed']}; logs in {workdir}"
    )


if __name__ == "__main__":
    main()
