"""Many workspaces on one PostgreSQL: 1,000 installed workspaces of 100 people each,
every check-in due in the same minute, sent by 3 processes.

    python bench/workspaces.py [--workspaces 1000] [--people 100] [--latency 0.05]
                               [--processes 3] [--postgres URL]

Two runs on fresh databases, each with ``--processes`` real ``python -m bot`` processes
(gunicorn, one worker each) and the fake Slack answering after ``--latency`` s with
its per-channel rate limit on:

* many workspaces: the app with client credentials and SECRET_KEY; every workspace
  installed in slack_sdk's installation store (tokens sealed), the fake holding each
  workspace's own bot token and refusing a call whose token is another workspace's;
* one workspace, the comparison: SLACK_BOT_TOKEN, the same number of people in it.

Reported for each: seconds until every check-in was delivered next to the ideal
(check-ins × latency ÷ total send concurrency), the app processes' CPU per check-in,
lost and duplicated check-ins (0 both), payloads the strict fake refused (0). For the
many-workspace run also: the worst workspace (when its first and its last DM went,
from the start of the burst) and the token look-ups' database round trips per
check-in, counted by PostgreSQL itself (scans of the installation store's tables,
pg_stat_user_tables, read once the app processes have exited and flushed them).

Goals: token look-ups ≤ 0.05 round trips per check-in (cached); CPU per check-in
≤ 1.2× the one-workspace run's; 0 lost, 0 duplicated, 0 refused. Workspace pacing
(SLACK_MESSAGES_PER_MINUTE) is set above the burst, as in bench/dispatch.py. The
last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from slack_sdk.oauth.installation_store.models.installation import Installation  # noqa: E402

from bench import harness  # noqa: E402
from bench.dispatch import make_due, seed  # noqa: E402
from bot.models import Checkin  # noqa: E402
from bot.playground.fakeslack.web_api import FakeSlack  # noqa: E402
from bot.services.dispatch import DEFAULT_CONCURRENCY  # noqa: E402
from bot.storage.crypto import SecretBox  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.engine import make_engine  # noqa: E402
from bot.storage.installations import (  # noqa: E402
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    SealedInstallationStore,
)
from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID  # noqa: E402
from tests.scenarios.test_dispatch_processes import checkin_id_of  # noqa: E402
from tests.support.app_runner import free_port, start_process  # noqa: E402

POST = "chat.postMessage"
CHALLENGE = "answer-any-thoughts"  # a step-3 challenge of bot/content/ladder.yml
UNPACED = "1000000"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "bench-client-secret"
SECRET_KEY = "kTeUt3jYLKmTX6QLc0E8mpwnBE9mrHl9lCkj0CfYTZ4="  # tests.support.installs'
GOAL_LOOKUPS = 0.05
GOAL_CPU = 1.2


def team_of(w: int) -> str:
    return f"T{w:06d}"


def people_of(team: str, count: int) -> list[str]:
    return [f"U{team[1:]}{p:04d}" for p in range(count)]


def install(url: str, fake: FakeSlack, teams: list[str]) -> None:
    """Each workspace installed as "Add to Slack" would leave it: a bot row with its
    own token (sealed) in the store, and the same token known to the fake."""
    engine = make_engine(url)
    store = SealedInstallationStore(CLIENT_ID, Database(engine), SecretBox([SECRET_KEY]))
    now = datetime.now(UTC)
    try:
        for n, team in enumerate(teams):
            token = f"xoxb-bench-{n:06d}-{team.lower()}"
            fake.add_workspace(team, token)
            store.save(
                Installation(
                    app_id="A0BENCH",
                    enterprise_id=None,
                    team_id=team,
                    team_name=f"Workspace {n}",
                    bot_token=token,
                    bot_id=f"B{team[1:]}",
                    bot_user_id=f"UBOT{team[1:]}",
                    bot_scopes="chat:write,commands,im:write,users:read",
                    user_id=f"UADM{team[1:]}",
                    installed_at=now.timestamp(),
                )
            )
    finally:
        engine.dispose()


def token_table_scans(url: str) -> int:
    """Scans PostgreSQL counted on the installation store's tables (one per query)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return int(
                c.execute(
                    sa.text(
                        "SELECT COALESCE(SUM(COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0)), 0)"
                        " FROM pg_stat_user_tables WHERE relname IN (:bots, :installations)"
                    ),
                    {"bots": BOTS_TABLE, "installations": INSTALLATIONS_TABLE},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def checkin_statuses(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(sa.select(Checkin.status, sa.func.count()).group_by(Checkin.status))
            return {str(status): n for status, n in rows}
    finally:
        engine.dispose()


def app_env(fake: FakeSlack, url: str, *, many: bool) -> dict[str, str]:
    env = {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
        "SLACK_MESSAGES_PER_MINUTE": UNPACED,
    }
    if many:
        env |= {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SECRET_KEY": SECRET_KEY,
        }
    else:
        env["SLACK_BOT_TOKEN"] = BOT_TOKEN
    return env


def run(many: bool, args, workdir: Path) -> dict:
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    fake.latency = args.latency
    fake.enforce_channel_rate = True
    total = args.workspaces * args.people
    if many:
        people = {team_of(w): people_of(team_of(w), args.people) for w in range(args.workspaces)}
    else:
        people = {TEAM_ID: [f"UB{n:07d}" for n in range(total)]}
    team_of_channel = {fake.dm_channel(u): team for team, users in people.items() for u in users}
    apps = []
    label = "many workspaces" if many else "one workspace"
    try:
        with harness.fresh_database("postgresql", workdir, postgres=args.postgres) as url:
            started_seeding = time.monotonic()
            if many:
                install(url, fake, list(people))
            meetings = seed(url, fake, people)
            print(
                f"  {label}: {len(people)} workspace(s), {total} people seeded in "
                f"{time.monotonic() - started_seeding:.0f} s",
                flush=True,
            )
            for _ in range(args.processes):
                app = start_process(app_env(fake, url, many=many), workdir)
                apps.append(app)
                app.wait_healthy(timeout=60)
            for app in apps:  # its listener process's start-up is not the burst's
                harness.wait_settled(app.process.pid)
            fake.reset_calls()
            scans_before = token_table_scans(url)
            cpu_before = sum(harness.cpu_seconds(a.process.pid) for a in apps)
            started = make_due(url, meetings)
            deadline = started + max(180, 10 * total * args.latency / DEFAULT_CONCURRENCY)
            finished = None
            while time.monotonic() < deadline:
                delivered = sum(1 for c in list(fake.calls) if c.method == POST and c.status == 200)
                if delivered >= total:
                    finished = time.monotonic()
                    break
                time.sleep(0.1)
            cpu = sum(harness.cpu_seconds(a.process.pid) for a in apps) - cpu_before
            time.sleep(1.0)  # anything sent twice would show up now
            posts = [c for c in list(fake.calls) if c.method == POST]
            for app in apps:
                app.stop()
            apps = []
            time.sleep(0.5)  # exited backends have flushed their table statistics
            lookups = token_table_scans(url) - scans_before
            statuses = checkin_statuses(url)
    finally:
        for app in apps:
            app.stop()
        fake.stop()
    ok = Counter(checkin_id_of(c.args) for c in posts if c.status == 200)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for call in posts:
        if call.status != 200:
            continue
        team = team_of_channel.get(call.args.get("channel"))
        first[team] = min(first.get(team, call.at), call.at)
        last[team] = max(last.get(team, call.at), call.at)
    ideal = total * args.latency / (DEFAULT_CONCURRENCY * args.processes)
    seconds = (finished or time.monotonic()) - started
    result = {
        "mode": "many" if many else "one",
        "workspaces": len(people),
        "checkins": total,
        "seconds": round(seconds, 2),
        "ideal_seconds": round(ideal, 2),
        "ratio_to_ideal": round(seconds / ideal, 2),
        "cpu_ms_per_checkin": round(1000 * cpu / total, 3),
        "lost": total - len(ok),
        # Not sent before its meeting began (the processes fell behind): counted in lost.
        "expired": statuses.get("expired", 0),
        "duplicated": sum(n - 1 for n in ok.values()),
        "refused_by_slack": len(fake.refusals),
        "rate_limited_answers": fake.rate_limited_answers,
        "finished": finished is not None,
        "workspaces_served": len(last),
        "worst_first_dm_s": round(max(first.values()) - started, 2) if first else None,
        "worst_last_dm_s": round(max(last.values()) - started, 2) if last else None,
    }
    if many:
        result["token_lookup_round_trips"] = lookups
        result["token_lookups_per_checkin"] = round(lookups / total, 4)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--people", type=int, default=100, help="per workspace")
    parser.add_argument("--latency", type=float, default=0.05, help="the fake Slack's delay")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    parser.add_argument(
        "--only", choices=["many", "one"], help="one run only (no CPU ratio, goals not judged)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="voice-workspaces-"))
    runs = []
    modes = (True, False) if args.only is None else (args.only == "many",)
    for many in modes:
        r = run(many, args, workdir)
        runs.append(r)
        extra = (
            f" | worst workspace: first DM at {r['worst_first_dm_s']} s, last at "
            f"{r['worst_last_dm_s']} s | token look-ups {r['token_lookup_round_trips']} "
            f"({r['token_lookups_per_checkin']} per check-in)"
            if many
            else ""
        )
        print(
            f"{r['mode']:>4}: {r['workspaces']} workspace(s), {r['checkins']} check-ins in "
            f"{r['seconds']:.2f} s (ideal {r['ideal_seconds']:.2f} s, {r['ratio_to_ideal']}×) | "
            f"CPU {r['cpu_ms_per_checkin']:.3f} ms/check-in | lost {r['lost']} (expired "
            f"{r['expired']}) duplicated "
            f"{r['duplicated']} refused {r['refused_by_slack']} 429s "
            f"{r['rate_limited_answers']}{extra}",
            flush=True,
        )
    if args.only is not None:
        print(json.dumps({"benchmark": "workspaces", "latency_s": args.latency, "runs": runs}))
        return
    many, one = runs
    cpu_ratio = round(many["cpu_ms_per_checkin"] / one["cpu_ms_per_checkin"], 2)
    print(f"CPU per check-in, many workspaces next to one: {cpu_ratio}×")
    print(
        json.dumps(
            {
                "benchmark": "workspaces",
                "latency_s": args.latency,
                "processes": args.processes,
                "concurrency_per_process": DEFAULT_CONCURRENCY,
                "runs": runs,
                "cpu_ratio_many_to_one": cpu_ratio,
                "goals_met": {
                    "token_lookups_le_0.05_per_checkin": many["token_lookups_per_checkin"]
                    <= GOAL_LOOKUPS,
                    "cpu_le_1.2x_one_workspace": cpu_ratio <= GOAL_CPU,
                    "lost_0": all(r["lost"] == 0 for r in runs),
                    "duplicated_0": all(r["duplicated"] == 0 for r in runs),
                    "refused_0": all(r["refused_by_slack"] == 0 for r in runs),
                    "every_workspace_served": many["workspaces_served"] == many["workspaces"],
                },
            }
        )
    )


if __name__ == "__main__":
    main()
