"""Every check-in exactly once (PRODUCT.md §5), with real app processes.

Each app is ``python -m bot`` serving HTTP (gunicorn master + one worker; the
dispatcher ticks in the worker), pointed at the fake Slack and the test
database. Check-ins are seeded straight into the database, already due.

The processes are told apart by the host in their SLACK_API_URL: one talks to
``127.0.0.1``, the other to ``localhost`` (the same fake), and the fake records
each call's Host header.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting, Workspace
from bot.playground.fakeslack.web_api import FakeSlack
from bot.storage.engine import make_engine
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support.app_runner import AppProcess, free_port, start_process

pytestmark = pytest.mark.slow

POST = "chat.postMessage"
CHALLENGE = "answer-any-thoughts"  # a step-3 challenge of bot/content/ladder.yml
CONCURRENCY = 8  # the Dispatcher's default thread pool, as bootstrap builds it
HOSTS = ("127.0.0.1", "localhost")
JOB_FAILED = "scheduled job failed"  # what bot.scheduler logs when a job raises


# -- seeding ------------------------------------------------------------------------------------


def seed_due_checkins(database_url: str, fake: FakeSlack, count: int) -> dict[int, str]:
    """``count`` onboarded coachees, a weekday meeting each, and one pre check-in each
    due a minute ago; one transaction. Returns {check-in id: her Slack user id}."""
    now = datetime.now(UTC)
    users = [f"UDUE{n:05d}" for n in range(count)]
    for user in users:
        fake.add_user(user, tz="Europe/Berlin")
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            session.add(Workspace(team_id=TEAM_ID, name="Voice Coach Test", installed_at=now))
            coachees = [
                Coachee(
                    team_id=TEAM_ID,
                    slack_user_id=user,
                    tz="Europe/Berlin",
                    onboarded_at=now - timedelta(days=3),
                    start_step=3,
                    current_step=3,
                    current_challenge_id=CHALLENGE,
                )
                for user in users
            ]
            session.add_all(coachees)
            session.flush()
            meetings = [
                Meeting(
                    team_id=TEAM_ID,
                    coachee_id=c.id,
                    name=f"Stand-up {n}",
                    weekdays=0b0011111,
                    start_time=clock_time(10, 0),
                    duration_minutes=30,
                    tz="Europe/Berlin",
                    # Far ahead, so the planner job leaves these meetings alone.
                    planned_until=now + timedelta(days=365),
                )
                for n, c in enumerate(coachees)
            ]
            session.add_all(meetings)
            session.flush()
            checkins = [
                Checkin(
                    team_id=TEAM_ID,
                    coachee_id=m.coachee_id,
                    meeting_id=m.id,
                    kind=CheckinKind.PRE,
                    occurrence_start=now + timedelta(minutes=14),
                    due_at=now - timedelta(minutes=1),
                    send_until=now + timedelta(hours=1),
                    expires_at=now + timedelta(hours=1),
                    status=CheckinStatus.PENDING,
                )
                for m in meetings
            ]
            session.add_all(checkins)
            session.flush()
            ids = {c.id: user for c, user in zip(checkins, users, strict=True)}
            session.commit()
    finally:
        engine.dispose()
    return ids


def load_checkins(database_url: str) -> list[Checkin]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Checkin).order_by(Checkin.id)).all())
    finally:
        engine.dispose()


def count_sent(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            query = sa.select(sa.func.count()).where(Checkin.status == CheckinStatus.SENT)
            return c.execute(query.select_from(Checkin)).scalar_one()
    finally:
        engine.dispose()


# -- processes ----------------------------------------------------------------------------------


def start_app(fake: FakeSlack, database_url: str, cwd: Path, host: str, **extra: str) -> AppProcess:
    """``python -m bot`` over HTTP, talking to the fake through ``host``."""
    port = fake.base_url.split(":")[2].split("/")[0]
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://{host}:{port}/api/",
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        # Exactly-once is tested at full speed; pacing has its own tests.
        "SLACK_MESSAGES_PER_MINUTE": "100000",
        **extra,
    }
    return start_process(env, cwd)


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers), read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces, so split after its ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def sigkill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def kill_hard(app: AppProcess) -> list[int]:
    """SIGKILL the gunicorn master and its worker(s) at once; nothing runs any clean-up."""
    workers = children_of(app.process.pid)
    app.process.kill()  # the master first, so it cannot start a new worker
    sigkill(workers)
    app.process.wait(10)
    return workers


def stop_all(apps: list[AppProcess]) -> None:
    for app in apps:
        if app.process.poll() is None:
            workers = children_of(app.process.pid)
            app.stop()
            sigkill(workers)  # a worker that outlived its master must not linger


def show_logs(apps: list[AppProcess]) -> str:
    return "\n".join(
        f"--- app {n} ({a.log_path}) ---\n{a.output()[-4000:]}" for n, a in enumerate(apps)
    )


def first_failure(apps: list[AppProcess]) -> str | None:
    """The first failed scheduled job (or any traceback) in the apps' logs, with context."""
    for n, app in enumerate(apps):
        output = app.output()
        at = min(
            (i for i in (output.find(JOB_FAILED), output.find("Traceback")) if i >= 0), default=-1
        )
        if at >= 0:
            return f"--- app {n} ({app.log_path}) ---\n{output[at : at + 4000]}"
    return None


# -- what the fake saw --------------------------------------------------------------------------


def post_count(fake: FakeSlack, host: str | None = None) -> int:
    """postMessage calls so far (through ``host`` only, if given), without copying them."""
    return sum(
        1
        for c in list(fake.calls)
        if c.method == POST and (host is None or c.headers.get("host", "").startswith(host))
    )


def checkin_id_of(message_args: dict) -> int:
    """The check-in a pre-meeting DM is about: its action block carries the id."""
    for block in message_args.get("blocks") or []:
        block_id = block.get("block_id", "")
        if block_id.startswith("pre_actions_"):
            return int(block_id.removeprefix("pre_actions_"))
    raise AssertionError(f"not a pre-meeting check-in: {message_args.get('text')!r}")


def posts(fake: FakeSlack) -> list[tuple[int, str, bool]]:
    """(check-in id, host, ok) of every postMessage call, oldest first."""
    calls = [c for c in list(fake.calls) if c.method == POST]
    return [
        (checkin_id_of(c.args), c.headers.get("host", "").split(":")[0], c.response.get("ok"))
        for c in calls
    ]


def wait_until(predicate, timeout: float, apps: list[AppProcess], what: str, state) -> float:
    """Seconds until ``predicate()``; fails at once if an app dies or a job fails."""
    started = time.monotonic()
    checked = started
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        for app in apps:
            if app.process.poll() is not None:
                raise AssertionError(f"an app exited {what}; {state()}\n{show_logs(apps)}")
        if time.monotonic() - checked > 1:
            checked = time.monotonic()
            failure = first_failure(apps)
            if failure:
                raise AssertionError(f"a job failed {what}; {state()}\n{failure}")
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s {what}; {state()}\n{show_logs(apps)}")


def progress(fake: FakeSlack, database_url: str):
    """What the fake and the database say so far, for a failure message."""

    def state() -> str:
        statuses = Counter(r.status for r in load_checkins(database_url))
        sent = Counter(checkin_id for checkin_id, _, _ in posts(fake))
        duplicates = sum(n - 1 for n in sent.values())
        calls = sum(sent.values())
        return f"postMessage calls: {calls}, duplicates: {duplicates}, rows: {dict(statuses)}"

    return state


# -- the tests ----------------------------------------------------------------------------------


def test_two_processes_send_500_due_checkins_exactly_once(tmp_path, fake_slack, database_url):
    # A check-in tried twice within a second would also meet Slack's channel limit.
    fake_slack.enforce_channel_rate = True
    ids = seed_due_checkins(database_url, fake_slack, 500)
    apps: list[AppProcess] = []
    try:
        started = time.monotonic()
        for host in HOSTS:
            apps.append(start_app(fake_slack, database_url, tmp_path, host))
        for app in apps:
            app.wait_healthy(timeout=20)
        took = wait_until(
            lambda: post_count(fake_slack) >= 500,
            90,
            apps,
            "while waiting for 500 check-ins",
            progress(fake_slack, database_url),
        )
        time.sleep(3)  # anything sent twice would show up now
        total = time.monotonic() - started

        sent = posts(fake_slack)
        per_checkin = Counter(checkin_id for checkin_id, _, _ in sent)
        per_host = Counter(host for _, host, _ in sent)
        print(
            f"\n500 check-ins: all sent {took:.1f}s after both apps were healthy "
            f"({total:.1f}s in all); per process: {dict(per_host)}"
        )
        twice = {i: n for i, n in per_checkin.items() if n > 1}
        assert not twice, f"sent more than once: {twice}"
        assert len(sent) == 500 and fake_slack.rate_limited_answers == 0
        assert set(per_checkin) == set(ids)
        assert all(ok for _, _, ok in sent)
        assert set(per_host) <= set(HOSTS)

        rows = load_checkins(database_url)
        assert len(rows) == 500
        assert Counter(r.status for r in rows) == {CheckinStatus.SENT: 500}
        assert all(r.channel_id and r.message_ts and r.sent_at for r in rows)
        assert all(r.lease_owner is None and r.lease_until is None for r in rows)
        assert all(r.send_attempts == 1 for r in rows), Counter(r.send_attempts for r in rows)
        # What each row records is the message Slack holds.
        for row in rows:
            assert row.channel_id == fake_slack.dm_channel(ids[row.id])
        held = {
            (m["ts"], checkin_id_of(m)) for row in rows for m in fake_slack.messages(row.channel_id)
        }
        assert held == {(r.message_ts, r.id) for r in rows}
        assert first_failure(apps) is None, first_failure(apps)
    finally:
        stop_all(apps)


def test_a_process_killed_mid_dispatch_loses_nothing(tmp_path, fake_slack, database_url):
    ids = seed_due_checkins(database_url, fake_slack, 200)
    fake_slack.latency = 0.05  # every Web API call takes a while, so sends overlap
    apps: list[AppProcess] = []
    try:
        started = time.monotonic()
        a = start_app(fake_slack, database_url, tmp_path, HOSTS[0])
        apps.append(a)
        a.wait_healthy(timeout=20)
        wait_until(
            lambda: post_count(fake_slack) >= 40,
            60,
            apps,
            "while waiting for 40 sends",
            progress(fake_slack, database_url),
        )
        workers = kill_hard(a)
        killed_at = time.monotonic()
        assert workers, "found no gunicorn worker to kill"
        time.sleep(1)  # let the fake finish answering the requests A left in flight
        delivered_by_a = post_count(fake_slack, HOSTS[0])
        recorded_by_a = count_sent(database_url)
        unrecorded = delivered_by_a - recorded_by_a
        print(
            f"\nA killed after {killed_at - started:.1f}s: {delivered_by_a} DMs accepted by "
            f"Slack, {recorded_by_a} recorded as sent, {unrecorded} delivered but unrecorded"
        )
        assert 0 <= unrecorded <= CONCURRENCY

        b = start_app(fake_slack, database_url, tmp_path, HOSTS[1])
        apps.append(b)
        b.wait_healthy(timeout=20)
        # A's leases (60 s) must run out before B takes over the rows A had claimed.
        took = wait_until(
            lambda: count_sent(database_url) == 200,
            120,
            [b],
            "while waiting for B to finish",
            progress(fake_slack, database_url),
        )
        time.sleep(3)
        sent = posts(fake_slack)
        per_checkin = Counter(checkin_id for checkin_id, _, _ in sent)
        duplicates = sum(n - 1 for n in per_checkin.values())
        print(
            f"B finished {took:.1f}s after it was healthy; total {time.monotonic() - started:.1f}s;"
            f" postMessage calls: {len(sent)} (A {post_count(fake_slack, HOSTS[0])}, "
            f"B {post_count(fake_slack, HOSTS[1])}); duplicates: {duplicates}"
        )
        assert set(per_checkin) == set(ids), "some check-in was never delivered"
        # The only duplicates: DMs Slack accepted from A that A died before recording.
        assert duplicates == unrecorded
        assert duplicates <= CONCURRENCY
        rows = load_checkins(database_url)
        assert Counter(r.status for r in rows) == {CheckinStatus.SENT: 200}
        assert all(r.channel_id and r.message_ts for r in rows)
        assert first_failure(apps) is None, first_failure(apps)
    finally:
        stop_all(apps)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_database_connections_dropped_mid_dispatch_lose_nothing(tmp_path, fake_slack, database_url):
    """Every connection of the app is cut (as a database restart does) while it sends:
    the app reconnects on its own and every check-in is still delivered once."""
    expected = seed_due_checkins(database_url, fake_slack, 120)
    fake_slack.latency = 0.05
    app = start_app(fake_slack, database_url, tmp_path, "127.0.0.1")
    admin = make_engine(database_url)
    try:
        app.wait_healthy(timeout=20)
        deadline = time.monotonic() + 20
        while len(fake_slack.calls_to("chat.postMessage")) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        with admin.connect() as c:
            cut = c.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        assert cut >= 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Session(admin) as s:
                left = s.exec(
                    select(sa.func.count()).select_from(Checkin).where(Checkin.status != "sent")
                ).one()
            if left == 0:
                break
            time.sleep(0.5)
        assert left == 0, app.output()[-3000:]
    finally:
        app.stop()
        admin.dispose()
    sent = Counter(checkin_id_of(call) for call in fake_slack.calls_to("chat.postMessage"))
    assert set(sent) == set(expected)
    duplicates = sum(n - 1 for n in sent.values())
    print(f"\nconnections cut: {cut}; delivered {len(sent)}; duplicates {duplicates}")
    assert duplicates <= 8  # only sends in flight when the connections were cut


def test_when_slack_says_wait_every_process_waits(tmp_path, fake_slack, database_url):
    """Slack allows 10 posts per 3 s here; the apps' own pacing is set far above it.
    After each ``ratelimited`` answer, neither process posts again until Retry-After
    has passed, and every check-in still goes out exactly once."""
    fake_slack.workspace_limit = (10, 3.0)
    ids = seed_due_checkins(database_url, fake_slack, 40)
    apps: list[AppProcess] = []
    try:
        for host in HOSTS:
            apps.append(start_app(fake_slack, database_url, tmp_path, host))
        for app in apps:
            app.wait_healthy(timeout=20)
        wait_until(
            lambda: (
                sum(1 for c in list(fake_slack.calls) if c.method == POST and c.status == 200) >= 40
            ),
            60,
            apps,
            "while waiting for 40 check-ins under Slack's limit",
            progress(fake_slack, database_url),
        )
        time.sleep(1)
    finally:
        stop_all(apps)
    calls = [c for c in list(fake_slack.calls) if c.method == POST]
    refusals = [c for c in calls if c.status == 429]
    assert refusals, "the test never reached Slack's limit"
    # A send already on the wire when Slack refused another may land just after.
    in_flight = 0.3
    for refusal in refusals:
        wait = refusal.retry_after
        too_soon = [
            c
            for c in calls
            if refusal.at + in_flight < c.at < refusal.at + wait - in_flight and c is not refusal
        ]
        assert not too_soon, f"{len(too_soon)} posts within Retry-After of a 429"
    delivered = Counter(checkin_id_of(c.args) for c in calls if c.status == 200)
    assert set(delivered) == set(ids)
    assert max(delivered.values()) == 1
