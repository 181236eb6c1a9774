"""Time to acknowledge Slack's requests, next to a bare Bolt app that only acks.

    python bench/ack_latency.py [--requests 2000] [--concurrency 8] [--workers 1]
                                [--listener-processes 1]
                                [--database sqlite|postgresql|both] [--postgres URL]

The app runs as production runs it (``python -m bot``: gunicorn, one gthread worker
with 8 threads and one listener process) on a fresh database, against the fake Slack. The floor is
bench/bare_bolt.py, a Bolt app whose listeners only ack, under the same gunicorn
settings. Both get the same signed requests over HTTP, ``--concurrency`` at a time,
in a mix of five:

* ``/voice help`` (the reply is the acknowledgement itself);
* ``/voice progress`` (reads her data; the reply goes to the response_url);
* ``click``: "Swap challenge" (``checkin_swap``) on her pre-meeting check-in DM. Every
  click swaps the challenge in the database and updates the DM in place (chat.update),
  so each one runs the whole listener, writes included. The check-in is made by the
  app's own flows: ``/voice start`` and its modal, a meeting added through its modal,
  and the app's dispatcher sending the check-in once the bench moves its due time to
  now.
* ``home``: someone opens the app's Home tab (an ``app_home_opened`` event, each with
  its own event_id): the app records the delivery, reads their progress and publishes
  their dashboard (views.publish).
* ``log``: someone submits the "Log a meeting" modal (``/voice log``'s): the app records
  the attempt, answers by DM, offers a win to share, and publishes the Home tab again.
  These two go round ``PEOPLE`` colleagues, each onboarded through the app, so nobody
  logs years of meetings in one run (the policy reads a person's whole history).

The requests are sent from a separate process, so the time measured is not inflated
by the fake Slack (which shares the bench's process and its GIL) answering the app's
replies. The two apps are measured in alternating rounds, so a change in the
machine's load hits both alike. After the run, every progress reply and every click's
chat.update must have reached the fake Slack.

SQLite always; PostgreSQL too (``--database both``, the default) when its server
answers: ``--postgres URL``, else $TEST_DATABASE_URL, else the role .ci/run creates.
A fresh database is created for each run (and dropped afterwards).

Prints p50 and p99 milliseconds per request kind for both apps and the ratio of
their p99s, then the requests each served per second and the CPU each spent per
request (all its processes, replies included: each batch counts until its replies have
reached the fake Slack, and the next app's turn starts after that); the last line is
JSON. Goal: p99
≤ 1.5× the bare app's and under 50 ms (Slack allows 3,000 ms).

Reading it: Bolt answers once the listener has called ack(), which it runs on a
listener thread and looks for every 10 ms, so the bare app's p50 is one such wait. The
app acks a click (and Bolt an event) as soon as the request is verified, and runs a
command's ack, which only answers, in the request's own thread (``answers_only``), so
neither waits for a thread or a look. It runs as production does, with one listener
process beside its worker (LISTENER_PROCESSES=1, ``bot.slack.handover``, at a lower
priority): the worker acks and hands the rest over (a click or an event whole, a
command's or a submission's lazy listener), so an ack no longer waits for the worker's
one GIL behind other requests' work, only for a CPU. What the app still does in the
worker: Bolt's dispatch, and for a logged meeting the form's check, against the step the
form says it showed (no database; until 5 Dec 2026 it read her row, and was the slowest
ack on PostgreSQL). Its CPU per request (all its processes) is 3.1–3.9× the bare app's
(runs of 5 Dec 2026, with a listener process running two requests at once; 3.4–5.0×
when it ran 16): the same work as in one process, done in another. The lines before
the JSON say what the floors score: an app that makes the same Slack calls and does
nothing else (in its listeners, in the worker; bench/bare_replies.py), about 1.6–1.9× the
bare app's CPU and 1.3–7× its p99 (runs of 3–5 Dec 2026); and one that also makes the
same database round trips, straight to the driver (bench/bare_store.py): what a plain app
that keeps what Voice Coach keeps spends, next to which the CPU goal is measured too
(``cpu_ratio_to_bare_store``).
``--workers`` runs both apps with more gunicorn workers (WEB_CONCURRENCY), which helps
only where cores are free.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa
from slack_sdk.signature import SignatureVerifier

from bench import harness, profile
from bot.models import Checkin, CheckinKind, CheckinStatus
from bot.playground.fakeslack.slack_requests import AppResponse, SlackRequests
from bot.playground.fakeslack.web_api import FakeSlack
from bot.slack import ids
from bot.storage.engine import database_answers, make_engine
from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID, USER_ID
from tests.support.journey import button, wait
from tests.support.view_state import (
    checkboxes,
    conversation,
    radio,
    state,
    text,
    timepicker,
)
from tests.support.view_state import select as pick

KINDS = ("help", "progress", "click", "home", "log")
PEOPLE = [USER_ID, *(f"U0BENCH{n:03d}" for n in range(1, 40))]
ROUNDS = 4
WARM_UP = 40
GOAL_RATIO = 1.5
GOAL_MS = 50.0
GOAL_CPU = 2.0
# Voice Coach, then the floors: a Bolt app that only acks, one that also makes the same
# Slack calls, and one that also makes the same database round trips (bench/bare_bolt.py,
# bench/bare_replies.py, bench/bare_store.py), as gunicorn loads them.
APPS = ("voice_coach", "bare_bolt", "bare_replies", "bare_store")
FLOORS = {
    "bare_bolt": "bench.bare_bolt:wsgi",
    "bare_replies": "bench.bare_replies:make_app()",
    "bare_store": "bench.bare_store:make_app()",
}


# -- the requests ------------------------------------------------------------------------------


class _Capture(SlackRequests):
    """Builds Slack's payloads like the tests do, but keeps them instead of sending."""

    captured: tuple[bytes, str]

    def send_raw(self, body: bytes, content_type: str, *_, **__) -> AppResponse:
        self.captured = (body, content_type)
        return AppResponse(200, Message(), "")


def prepare(fake: FakeSlack, checkin: dict, count: int, start: int = 0) -> list[tuple]:
    """``count`` requests of the mix: (kind, body, content type, response_url)."""
    slack = _Capture(app_url="http://unused", signing_secret=SIGNING_SECRET, fake=fake)
    out = []
    for i in range(start, start + count):
        kind = KINDS[i % len(KINDS)]
        if kind == "click":
            r = slack.block_action(
                user_id=USER_ID,
                action_id=ids.CHECKIN_SWAP,
                value=checkin["value"],
                message=checkin["message"],
                channel_id=checkin["channel"],
            )
        elif kind == "home":
            someone = PEOPLE[i // len(KINDS) % len(PEOPLE)]
            r = slack.event({"type": "app_home_opened", "user": someone, "tab": "home"})
        elif kind == "log":
            someone = PEOPLE[i // len(KINDS) % len(PEOPLE)]
            r = slack.view_submission(
                user_id=someone, callback_id=ids.LOG_VIEW, values=checkin["log"]
            )
        else:
            r = slack.command(kind, user_id=USER_ID)
        out.append((kind, *slack.captured, r.response_url))
    return out


def send_all(url: str, requests: list[tuple], concurrency: int) -> list[tuple[str, float]]:
    """Runs in the load process: sign and POST each request; (kind, milliseconds) each."""
    verifier = SignatureVerifier(SIGNING_SECRET)

    def one(request: tuple) -> tuple[str, float]:
        kind, body, content_type, _ = request
        started = time.perf_counter()
        status = harness.signed_post(url, body, content_type, verifier)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"{kind}: HTTP {status}")
        return kind, elapsed

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, requests))


def summary(times: list[tuple[str, float]]) -> dict:
    out = {}
    for kind in [*KINDS, "all"]:
        values = [t for k, t in times if kind in ("all", k)]
        if not values:
            continue
        out[kind] = {
            "p50_ms": round(harness.percentile(values, 0.50), 2),
            "p99_ms": round(harness.percentile(values, 0.99), 2),
        }
    return out


# -- her check-in, made by the app's own flows ------------------------------------------------


def onboard(slack: SlackRequests, fake: FakeSlack, user_id: str) -> None:
    """``/voice start`` and its modal, done once the Home tab is published."""
    published = len(fake.calls_to("views.publish"))
    assert slack.command("start", user_id=user_id).status == 200
    r = slack.view_submission(
        user_id=user_id,
        callback_id=ids.ONBOARDING_VIEW,
        values=state(
            goal=text("Speak up"),
            placement=radio("when_asked"),
            confidence=pick(50),
            share_wins=checkboxes(),
            share_channel=conversation(None),
        ),
    )
    assert r.status == 200 and r.text == "", r.text
    wait(lambda: len(fake.calls_to("views.publish")) > published)


def onboard_with_a_checkin(slack: SlackRequests, fake: FakeSlack, database_url: str) -> dict:
    """Onboards her and her colleagues, adds her a meeting, has the app send its
    pre-meeting check-in DM."""
    for user_id in PEOPLE:
        onboard(slack, fake, user_id)
    # Every day, three hours from now (UTC), so its pre-meeting check-in takes answers.
    start = datetime.now(UTC) + timedelta(hours=3)
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id=ids.MEETING_VIEW,
        values=state(
            meeting_name=text("Design review"),
            weekdays=checkboxes(*(str(d) for d in range(7))),
            start_time=timepicker(f"{start:%H:%M}"),
            duration=pick(30),
            meeting_tz=text("UTC"),
        ),
    )
    assert r.status == 200 and r.text == "", r.text
    engine = make_engine(database_url)
    try:
        # It reads, then writes: on SQLite it takes the write lock first, as the app does,
        # or a write of the app's in between would refuse it ("database is locked").
        with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as c:
            first = c.execute(
                sa.select(Checkin.id)
                .where(Checkin.kind == CheckinKind.PRE, Checkin.status == CheckinStatus.PENDING)
                .order_by(Checkin.due_at)
                .limit(1)
            ).scalar_one()
            c.execute(
                sa.update(Checkin)
                .where(Checkin.id == first)
                .values(due_at=datetime.now(UTC) - timedelta(seconds=1))
            )

        def sent():
            with engine.connect() as c:
                row = c.execute(
                    sa.select(Checkin.status, Checkin.channel_id, Checkin.message_ts).where(
                        Checkin.id == first
                    )
                ).one()
            return row if row.status == CheckinStatus.SENT else None

        row = wait(sent, timeout=30)  # on the app dispatcher's next tick
    finally:
        engine.dispose()
    message = fake.message(row.channel_id, row.message_ts)
    # Her "Log a meeting" modal, opened once: every ``log`` request submits it again.
    # (Found by its callback_id: an earlier modal's views.open may still be arriving.)
    assert slack.command("log", user_id=USER_ID).status == 200
    modal = wait(
        lambda: next(
            (
                c["view"]
                for c in fake.calls_to("views.open")
                if c["view"].get("callback_id") == ids.LOG_VIEW
            ),
            None,
        ),
        timeout=10,
    )
    tried = next(b for b in modal["blocks"] if b.get("block_id") == "tried")
    return {
        "channel": row.channel_id,
        "message": message,
        "value": button(message, ids.CHECKIN_SWAP)["value"],
        "log": state(
            meeting_name=text("Team sync"),
            tried=pick(tried["element"]["initial_option"]["value"]),
            outcome=radio("did_it"),
            felt=radio("about_right"),
            confidence_before=pick(50),
            confidence_after=pick(70),
            reflection=text("Asked my question early."),
        ),
    }


# -- one run -------------------------------------------------------------------------------------


def run(kind: str, args, fake: FakeSlack, floors: dict, load, workdir: Path) -> dict:
    """One database: warm up, then rounds of the apps in turn (each round starting with
    another), then CPU per request of each kind alone."""
    with harness.fresh_database(kind, workdir, postgres=args.postgres) as url:
        app = harness.start_app(
            fake,
            url,
            workdir,
            WEB_CONCURRENCY=str(args.workers),
            LISTENER_PROCESSES=str(args.listener_processes),
        )
        store = None
        try:
            ours = SlackRequests(app_url=app.url, signing_secret=SIGNING_SECRET, fake=fake)
            checkin = onboard_with_a_checkin(ours, fake, url)
            store = start_store(kind, url, fake, args, workdir)
            floors = {**floors, "bare_store": store}
            targets = {"voice_coach": ours.url, **{n: u for n, (_, u) in floors.items()}}
            pids = {"voice_coach": app.process.pid, **{n: p.pid for n, (p, _) in floors.items()}}
            times: dict[str, list] = {name: [] for name in targets}
            sent: dict[str, list] = {name: [] for name in targets}
            seconds = dict.fromkeys(targets, 0.0)
            replies_before = reply_counts(fake)
            for name, target in targets.items():  # warm up: replies checked, times not counted
                batch = prepare(fake, checkin, WARM_UP)
                sent[name] += batch
                before = reply_counts(fake)
                load.submit(send_all, target, batch, args.concurrency).result()
                finished(fake, name, batch, before)
            cpu = {name: harness.cpu_seconds(pid) for name, pid in pids.items()}
            per_round = -(-args.requests // ROUNDS)
            names = list(targets)
            for r in range(ROUNDS):
                count = min(per_round, args.requests - r * per_round)
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    batch = prepare(fake, checkin, count, start=r * per_round)
                    sent[name] += batch
                    before, started = reply_counts(fake), time.monotonic()
                    times[name] += load.submit(
                        send_all, targets[name], batch, args.concurrency
                    ).result()
                    # Its work done before the next app's turn, which it would slow down.
                    finished(fake, name, batch, before)
                    seconds[name] += time.monotonic() - started
            # What each app's processes spent on the measured requests and their replies.
            cpu = {name: harness.cpu_seconds(pid) - cpu[name] for name, pid in pids.items()}
            by_kind = {name: {} for name in targets}
            for what in KINDS:  # each kind alone, the apps in turn
                for name in names:
                    mix = prepare(fake, checkin, len(KINDS) * args.per_kind)
                    batch = [b for b in mix if b[0] == what]
                    sent[name] += batch
                    before, replies = harness.cpu_seconds(pids[name]), reply_counts(fake)
                    load.submit(send_all, targets[name], batch, args.concurrency).result()
                    finished(fake, name, batch, replies)
                    spent = harness.cpu_seconds(pids[name]) - before
                    by_kind[name][what] = round(1000 * spent / len(batch), 2)
            # The floors that reply make the same calls to the same fake Slack: together.
            every = [request for name in REPLYING for request in sent[name]]
            replied = replies_arrived(fake, every, replies_before)
            if args.profile:  # after the measured rounds, so the profiler's CPU isn't in them
                recorded = args.profile / f"{kind}.txt"
                with profile.recording(app.process.pid, recorded):
                    batch = prepare(fake, checkin, args.requests)
                    load.submit(send_all, ours.url, batch, args.concurrency).result()
                profile.print_summary(f"Voice Coach on {kind}", profile.summary(recorded))
        except Exception:
            print(app.output()[-3000:], file=sys.stderr)
            raise
        finally:
            app.stop()
            if store is not None:
                harness.stop_bare_bolt(store[0])
    result: dict = {"database": kind}
    for name in targets:
        result[name] = {
            **summary(times[name]),
            "requests_per_s": round(args.requests / seconds[name]),
            "cpu_ms_per_request": round(1000 * cpu[name] / args.requests, 2),
            "cpu_ms_by_kind": by_kind[name],
        }
    ours, bare = result["voice_coach"], result["bare_bolt"]
    calls, stored = result["bare_replies"], result["bare_store"]
    return {
        **result,
        "p99_ratio": round(ours["all"]["p99_ms"] / bare["all"]["p99_ms"], 2),
        "cpu_ratio": round(ours["cpu_ms_per_request"] / bare["cpu_ms_per_request"], 2),
        "cpu_ratio_to_bare_replies": round(
            ours["cpu_ms_per_request"] / calls["cpu_ms_per_request"], 2
        ),
        # What an app that only makes the same Slack calls scores against the goals.
        "bare_replies_p99_ratio": round(calls["all"]["p99_ms"] / bare["all"]["p99_ms"], 2),
        "bare_replies_cpu_ratio": round(
            calls["cpu_ms_per_request"] / bare["cpu_ms_per_request"], 2
        ),
        # And one that also makes the same database round trips, straight to the driver.
        "cpu_ratio_to_bare_store": round(
            ours["cpu_ms_per_request"] / stored["cpu_ms_per_request"], 2
        ),
        "bare_store_p99_ratio": round(stored["all"]["p99_ms"] / bare["all"]["p99_ms"], 2),
        "bare_store_cpu_ratio": round(stored["cpu_ms_per_request"] / bare["cpu_ms_per_request"], 2),
        **replied,
    }


def start_store(kind: str, url: str, fake: FakeSlack, args, workdir: Path) -> tuple:
    """The third floor (bench/bare_store.py), on this run's database server: in the app's
    PostgreSQL database (tables of its own), or in a SQLite file of its own."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir}/bare-store-{time.monotonic_ns()}.db"
    env = harness.app_env(fake, url, WEB_CONCURRENCY=str(args.workers))
    process, at = harness.start_bare_bolt(env, app=FLOORS["bare_store"])
    return process, at + "/slack/events"


# What each kind's reply is in the fake Slack: the Web API method it calls, per request.
REPLIES = {"click": {"chat.update": 1}, "home": {"views.publish": 1}}
# A logged meeting: her DM (a word on it) and her Home tab again, at least.
REPLIES["log"] = {"chat.postMessage": 1, "views.publish": 1}


# The apps that reply through Slack (bench/bare_bolt.py only acks).
REPLYING = ("voice_coach", "bare_replies", "bare_store")


def finished(fake: FakeSlack, name: str, batch: list[tuple], before: dict[str, int]) -> None:
    """Waits until the work after the acks of ``batch`` is done (its replies reached the
    fake Slack; 30 s at most), so that CPU read after it counts that work too: the app's
    listener process, and bare_replies' listener threads, go on after the last ack.
    Counts only, without copies: polling the fake's records would slow it down."""
    if name not in REPLYING:
        return
    expected = dict(before)
    for kind, *_ in batch:
        for method, n in REPLIES.get(kind, {}).items():
            expected[method] += n
        expected["response_url"] += kind == "progress"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = reply_counts(fake)
        if all(now[m] >= n for m, n in expected.items()):
            return
        time.sleep(0.02)


def reply_counts(fake: FakeSlack) -> dict[str, int]:
    """Calls of each replying method so far, and posts to response URLs."""
    counts = {m: fake.count(m) for m in ("chat.update", "views.publish", "chat.postMessage")}
    return {**counts, "response_url": fake.response_url_post_count()}


def replies_arrived(fake: FakeSlack, sent: list[tuple], before: dict[str, int]) -> dict:
    """Whether every request's reply reached the fake Slack (30 s at most): each progress
    its response_url post, and each other kind the calls in REPLIES."""
    progress_urls = [url for kind, *_, url in sent if kind == "progress"]
    expected = dict.fromkeys(before, 0)
    for kind, *_ in sent:
        for method, n in REPLIES.get(kind, {}).items():
            expected[method] += n

    def counts() -> dict[str, int]:
        now = reply_counts(fake)
        got = {m: now[m] - before[m] for m in before}
        got["response_url"] = sum(
            any(p.get("text", "").startswith("Step ") for p in fake.response_url_posts(url))
            for url in progress_urls
        )
        return got

    expected["response_url"] = len(progress_urls)
    arrived = lambda got: all(got[m] >= n for m, n in expected.items())  # noqa: E731
    deadline = time.monotonic() + 30
    while not arrived(got := counts()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return {
        "replies": {m: f"{got[m]}/{n}" for m, n in expected.items() if n},
        "every_reply_sent": arrived(got),
    }


# -- report ----------------------------------------------------------------------------------


def print_table(result: dict, args) -> None:
    print(
        f"\n{result['database']}: {args.requests} requests per app, {args.concurrency} at a time "
        f"(ms; replies: {', '.join(f'{m} {n}' for m, n in result['replies'].items())})"
    )
    print(f"{'':>9}  {'Voice Coach':>17}  {'bare Bolt':>17}  {'p99':>6}")
    print(f"{'':>9}  {'p50':>8} {'p99':>8}  {'p50':>8} {'p99':>8}  {'ratio':>6}")
    for kind in [*KINDS, "all"]:
        o, b = result["voice_coach"][kind], result["bare_bolt"][kind]
        print(
            f"{kind:>9}  {o['p50_ms']:8.2f} {o['p99_ms']:8.2f}  "
            f"{b['p50_ms']:8.2f} {b['p99_ms']:8.2f}  {o['p99_ms'] / b['p99_ms']:6.2f}"
        )
    o, b = result["voice_coach"], result["bare_bolt"]
    print(
        f"{'served':>9}  {o['requests_per_s']:>5} req/s, {o['cpu_ms_per_request']:.2f} ms CPU each"
        f" | bare {b['requests_per_s']} req/s, {b['cpu_ms_per_request']:.2f} ms CPU each"
    )
    print(
        "CPU ms per request of each kind alone (Voice Coach / bare Bolt / bare + same calls"
        " / bare + same calls and round trips):"
    )
    for kind in KINDS:
        cpu = [result[name]["cpu_ms_by_kind"][kind] for name in APPS]
        print(f"{kind:>9}  {cpu[0]:6.2f} / {cpu[1]:5.2f} / {cpu[2]:5.2f} / {cpu[3]:5.2f}")
    print(
        f"mix: {result['cpu_ratio']:.2f}x the bare app's CPU per request, "
        f"{result['cpu_ratio_to_bare_replies']:.2f}x the bare app making the same Slack calls, "
        f"{result['cpu_ratio_to_bare_store']:.2f}x one making the same round trips too"
    )
    print(
        f"the bare app making the same Slack calls, and nothing else: p99 "
        f"{result['bare_replies_p99_ratio']:.2f}x and CPU {result['bare_replies_cpu_ratio']:.2f}x"
        f" the bare app's (goals for Voice Coach: {GOAL_RATIO}x and {GOAL_CPU}x)"
    )
    print(
        f"... and the same database round trips, straight to the driver: p99 "
        f"{result['bare_store_p99_ratio']:.2f}x and CPU {result['bare_store_cpu_ratio']:.2f}x"
    )


def databases(args) -> list[str]:
    if args.database in ("sqlite", "postgresql"):
        return [args.database]
    engine = make_engine(harness._normalised(harness.postgres_url(args.postgres)))
    try:
        reachable = database_answers(engine)
    finally:
        engine.dispose()
    if not reachable:
        print(
            "PostgreSQL does not answer (--postgres, $TEST_DATABASE_URL or .ci/run's role): "
            "SQLite only",
            file=sys.stderr,
        )
    return ["sqlite", "postgresql"] if reachable else ["sqlite"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per app and database")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="both (default) runs PostgreSQL only when its server answers",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="gunicorn workers (WEB_CONCURRENCY) of both apps"
    )
    parser.add_argument(
        "--listener-processes",
        type=int,
        default=1,
        help="the app's listener processes a worker (LISTENER_PROCESSES; 0: none, as before "
        "4 Dec 2026)",
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument(
        "--per-kind", type=int, default=150, help="requests of each kind alone, for its CPU"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="after measuring, profile the app under the same load with py-spy (DIR/<db>.txt)",
    )
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="voice-ack-"))
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    for user_id in PEOPLE:
        fake.add_user(user_id, tz="America/New_York")
    env = harness.app_env(fake, "sqlite://", WEB_CONCURRENCY=str(args.workers))
    floors = {}
    for name in ("bare_bolt", "bare_replies"):  # bare_store: one per database, in run()
        process, url = harness.start_bare_bolt(env, app=FLOORS[name])
        floors[name] = (process, url + "/slack/events")
    spawn = multiprocessing.get_context("spawn")
    results = []
    try:
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as load:
            for kind in databases(args):
                results.append(run(kind, args, fake, floors, load, workdir))
                print_table(results[-1], args)
    finally:
        for process, _ in floors.values():
            harness.stop_bare_bolt(process)
        fake.stop()
    print(
        json.dumps(
            {
                "benchmark": "ack_latency",
                "requests": args.requests,
                "concurrency": args.concurrency,
                "listener_processes": args.listener_processes,
                "runs": results,
                "goals_met": {
                    "p99_le_1.5x_bare": all(r["p99_ratio"] <= GOAL_RATIO for r in results),
                    "p99_under_50ms": all(
                        r["voice_coach"]["all"]["p99_ms"] < GOAL_MS for r in results
                    ),
                    "cpu_le_2x_bare": all(r["cpu_ratio"] <= GOAL_CPU for r in results),
                    "every_reply_sent": all(r["every_reply_sent"] for r in results),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
