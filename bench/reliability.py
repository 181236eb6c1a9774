"""Reliability report: faults and bad input thrown at the real app, one JSON line.

    python bench/reliability.py [--database-url postgresql://…] [--seed 7]

Runs ``python -m bot`` (HTTP, gunicorn) against the fake Slack and a fresh
PostgreSQL database, then:
  * bad input: random and nasty /voice text, button values and modal fields;
  * forged requests: bad signature, no signature, a stale timestamp, a replay;
  * check-ins: N due at once while Slack answers 429 and 500, every database
    connection is cut, and the app is SIGKILLed mid-dispatch and restarted.
Counts what must be zero: lost and duplicated check-ins (beyond the sends in
flight at the kill, which the report shows separately), forged requests
accepted, server errors. The database URL needs a role that may create databases
(default: $TEST_DATABASE_URL, then the one .ci/run creates).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bench import harness  # noqa: E402
from bot.models import Checkin  # noqa: E402
from bot.playground.fakeslack.slack_requests import SlackRequests, SlackWouldRefuse  # noqa: E402
from bot.playground.fakeslack.web_api import FakeSlack  # noqa: E402
from bot.slack import ids  # noqa: E402
from bot.slack.subcommands import SUBCOMMANDS  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID, USER_ID  # noqa: E402
from tests.scenarios.test_dispatch_processes import (  # noqa: E402
    checkin_id_of,
    kill_hard,
    seed_due_checkins,
    start_app,
)
from tests.slack.catalogue import modal_for  # noqa: E402

NASTY = [
    "",
    " ",
    "\x00\x1b[31m",
    "'; DROP TABLE coachee; --",
    "$(reboot) `id` && echo",
    "<!channel> <@U0ANA>",
    "pause until 2026-02-30",
    "pause -3d",
    "x" * 10_000,
    "🙂" * 500,
    "\u202eevil",
    "buddy <@U0MILA>",
    "2147483648",
    "-1",
]
WORDS = [s.name for s in SUBCOMMANDS] + ["xyz"]


def random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(NASTY)
    if roll < 0.6:
        return f"{rng.choice(WORDS)} {rng.choice(NASTY)}"
    return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(0, 60)))


def bad_inputs(req: SlackRequests, rng: random.Random, count: int) -> tuple[int, int, int]:
    """Returns (requests, server errors, answers Slack would refuse)."""
    action_ids = [v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)]
    client = WebClient(req.fake.bot_token, base_url=req.fake.base_url)
    errors = refused = 0
    for i in range(count):
        kind = i % 3
        if kind == 0:
            try:
                r = req.command(random_text(rng), user_id=USER_ID)
            except SlackWouldRefuse:
                refused += 1
                continue
        elif kind == 1:
            r = req.block_action(
                user_id=USER_ID, action_id=rng.choice(action_ids), value=random_text(rng)[:2000]
            )
        else:
            block, callback_id = rng.choice(action_ids), rng.choice(action_ids)
            values = {block: {block: {"type": "plain_text_input", "value": random_text(rng)}}}
            modal = modal_for(callback_id)
            if modal is not None:  # Slack submits only a view it showed
                client.views_open(trigger_id=req.fake.issue_trigger_id(), view=modal)
            try:
                r = req.view_submission(
                    user_id=USER_ID,
                    callback_id=callback_id,
                    values=values,
                    private_metadata=random_text(rng)[:100],
                )
            except SlackWouldRefuse:
                refused += 1
                continue
        errors += r.status >= 500
    return count, errors, refused


def forged(req: SlackRequests) -> tuple[int, int]:
    """Returns (tried, accepted)."""
    body = f"team_id={TEAM_ID}&user_id={USER_ID}&command=%2Fvoice&text=help".encode()
    form = "application/x-www-form-urlencoded"
    now = int(time.time())
    old_signature = req.verifier.generate_signature(timestamp=str(now - 400), body=body)
    attempts = [
        lambda: req.send_raw(body, form, signature="v0=" + "0" * 64),
        lambda: req.send_raw(body, form, timestamp=now - 360),
        lambda: req.send_raw(body, form, signature=old_signature),  # replay, fresh timestamp
        lambda: req.send_raw(body, form, signature=""),
        lambda: req.send_raw(
            body + b"&x=1",
            form,
            signature=req.verifier.generate_signature(timestamp=str(now), body=body),
        ),  # tampered body
    ]
    accepted = sum(1 for attempt in attempts for _ in range(4) if attempt().status < 400)
    return len(attempts) * 4, accepted


def wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="PostgreSQL whose role may create databases (default: bench/harness.py's)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--checkins", type=int, default=300)
    parser.add_argument("--bad-inputs", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp())
    cleanup = contextlib.ExitStack()
    database_url = cleanup.enter_context(
        harness.fresh_database("postgresql", workdir, postgres=args.database_url)
    )
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    fake.add_user(USER_ID, tz="America/New_York")
    apps = []
    engine = make_engine(database_url)
    try:
        expected = seed_due_checkins(database_url, fake, args.checkins)
        fake.latency = 0.02
        a = start_app(fake, database_url, workdir, "127.0.0.1")
        apps.append(a)
        a.wait_healthy(timeout=30)
        req = SlackRequests(
            app_url=a.url, signing_secret=SIGNING_SECRET, fake=fake, team_id=TEAM_ID
        )
        faults = 0
        for error, status in (("ratelimited", None), (None, 500)):
            fake.fail_next("chat.postMessage", error=error, status=status, times=3)
            faults += 3
        requests_tried, server_errors, refused_acks = bad_inputs(req, rng, args.bad_inputs)
        tried_forged, forged_accepted = forged(req)

        def sent() -> int:
            with Session(engine) as s:
                return s.exec(
                    select(sa.func.count()).select_from(Checkin).where(Checkin.status == "sent")
                ).one()

        wait(lambda: sent() >= args.checkins // 3, 60)
        with engine.connect() as c:  # every connection of the app, cut (as a restart does)
            c.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        faults += 1
        wait(lambda: sent() >= 2 * args.checkins // 3, 60)
        kill_hard(a)
        faults += 1
        # Posts A had on the wire when it died still reach Slack (the fake answers after
        # its latency): they are sends in flight at the kill, not duplicates.
        time.sleep(fake.latency + 0.5)
        a_posted = {
            checkin_id_of(c.args)
            for c in fake.calls
            if c.method == "chat.postMessage" and c.response.get("ok")
        }
        with Session(engine) as s:
            recorded = set(s.exec(select(Checkin.id).where(Checkin.status == "sent")).all())
        in_flight_unrecorded = len(a_posted - recorded)
        b = start_app(fake, database_url, workdir, "localhost")
        apps.append(b)
        b.wait_healthy(timeout=30)
        wait(lambda: sent() >= args.checkins, 150)
        delivered = Counter(
            checkin_id_of(c.args)
            for c in fake.calls
            if c.method == "chat.postMessage"
            and c.response.get("ok")
            and c.args.get("channel", "").startswith("D")
            and "pre_actions_" in str(c.args)
        )
        logs = "".join(app.output() for app in apps)
        (workdir / "app.log").write_text(logs)
        server_errors += logs.count("listener failed") + logs.count("scheduled job failed")
        duplicates = sum(n - 1 for n in delivered.values())
        report = {
            "benchmark": "reliability",
            "seconds": round(time.perf_counter() - started, 1),
            "requests_tried": requests_tried,
            "bad_inputs_tried": requests_tried,
            "forged_requests_tried": tried_forged,
            "faults_injected": faults,
            "checkins_due": len(expected),
            "delivered": len(delivered),
            "lost": len(set(expected) - set(delivered)),
            "resent_after_sigkill": in_flight_unrecorded,
            "duplicated": duplicates - in_flight_unrecorded,
            "forged_requests_accepted": forged_accepted,
            "server_errors": server_errors,
            # Messages, views and acks the strict fake refused as Slack would: app bugs.
            "refused_by_slack": len(fake.refusals),
            "acks_refused": refused_acks,
            "refused_by_slack_where": sorted({r.where for r in fake.refusals}),
        }
    finally:
        for app in apps:
            if app.process.poll() is None:
                app.stop()
        fake.stop()
        engine.dispose()
        cleanup.close()
    zeros = ("lost", "duplicated", "forged_requests_accepted", "server_errors", "refused_by_slack")
    print(" ".join(f"{k}={report[k]}" for k in zeros), f"(all must be 0; logs: {workdir})")
    print(json.dumps(report))
    sys.exit(0 if all(report[k] == 0 for k in zeros) else 1)


if __name__ == "__main__":
    main()
