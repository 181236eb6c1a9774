"""Data at scale: the due-claim query, the Home tab and one process's memory, on a big database.

    python bench/data_scale.py [--users 100000] [--checkins 1000000] [--postgres URL]
                               [--only sqlite|postgresql] [--skip-rss]

For SQLite and for PostgreSQL (skipped, and said so, if no server answers), a fresh
database is seeded by bench/seed.py (100,000 people, 1,000,000 past check-ins,
1,000,000 attempts, the next 8 days of PENDING check-ins, a heavy user with two
years of history), then:

* claim: ``storage.checkins.claim_due(limit=32)``, with the workspace pacing the app
  passes (and without, for comparison), while 200 rows are due (and again once the
  10,000 of the RSS burst are due too): median of a few hundred runs, each in its own
  transaction, rolled back.
  The plan of its SELECT (PostgreSQL ``EXPLAIN (ANALYZE, BUFFERS)``, SQLite ``EXPLAIN
  QUERY PLAN``) must use ix_checkin_due, not scan the table. Floor: a primary-key
  lookup of one check-in, the same way (a bare round trip).
* Home: what ``slack.surfaces.publish_home`` does but the Slack call (progress, today's
  challenge, the view, its JSON) for the heavy user, median of 50. Floor: the same for
  someone onboarded yesterday.
* RSS: one app process (``python -m bot``) on that database, 10,000 check-ins due at
  once, until all are delivered; peak RSS (VmHWM) of the largest process in its tree.
  Floor: the bare Bolt app (bench/bare_bolt.py) after a few requests.

Goals: claim ≤ 5 ms, Home ≤ 50 ms, RSS ≤ 200 MB. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import inspect
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench import harness  # noqa: E402
from bench.seed import FRESH_USER, HEAVY_USER, register_due_users, seed, seed_due_now  # noqa: E402
from bot.bootstrap import build_services, load_content  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.models import Checkin, CheckinStatus  # noqa: E402
from bot.playground.fakeslack.slack_requests import SlackRequests  # noqa: E402
from bot.playground.fakeslack.web_api import FakeSlack  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack.blocks.home import build_home_dashboard  # noqa: E402
from bot.storage import checkins  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.engine import database_answers, make_engine  # noqa: E402
from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID, USER_ID  # noqa: E402

GOAL_CLAIM_MS = 5.0
GOAL_HOME_MS = 50.0
GOAL_RSS_MB = 200.0
CLAIM_BATCH = 32  # what the Dispatcher claims at a time
DUE_FOR_CLAIM = 200  # rows due now while the claim is timed (then the --due burst)
UNPACED = "1000000"  # SLACK_MESSAGES_PER_MINUTE
MB = 1024 * 1024


# -- claim --------------------------------------------------------------------------------------


def _transaction_bind(engine: sa.Engine) -> sa.Engine:
    """As bot.storage.db.Database does: SQLite takes the write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def _in_rolled_back_transaction(bind, work: Callable[[Session], object]) -> tuple[float, object]:
    """Seconds ``work`` took inside a transaction already begun; then rolled back."""
    with Session(bind) as session:
        session.connection()  # BEGIN (IMMEDIATE on SQLite) happens here, untimed
        started = time.perf_counter()
        result = work(session)
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed, result


def claim_options() -> dict:
    """What the app's Dispatcher passes besides now/owner/limit: its workspace pacing
    (bot.bootstrap gives it Settings.slack_messages_per_minute), if claim_due takes one."""
    if "per_minute" not in inspect.signature(checkins.claim_due).parameters:
        return {}
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    per_minute = defaults.get("slack_messages_per_minute")
    return {"per_minute": per_minute} if isinstance(per_minute, int) else {}


def measure_claim(url: str, runs: int, options: dict) -> dict:
    """claim_due(**options), each run in a transaction rolled back: no state drifts
    (the pacing rows too are made afresh each time, as cheap as finding them)."""
    engine = make_engine(url)
    bind = _transaction_bind(engine)
    try:
        pending = Checkin.status == CheckinStatus.PENDING
        with engine.connect() as c:
            probe = c.execute(sa.select(sa.func.max(Checkin.id)).where(pending)).scalar_one()
            due = c.execute(
                sa.select(sa.func.count())
                .select_from(Checkin)
                .where(pending, Checkin.due_at <= datetime.now(UTC))
            ).scalar_one()

        def claim(session: Session) -> list[int]:
            now = datetime.now(UTC)
            return checkins.claim_due(
                session, now=now, owner="bench:claim", limit=CLAIM_BATCH, **options
            )

        def lookup(session: Session) -> object:
            return session.get(Checkin, probe)

        for _ in range(20):  # warm up: pool, statement caches, database caches
            _in_rolled_back_transaction(bind, claim)
            _in_rolled_back_transaction(bind, lookup)
        claim_times, floor_times, claimed = [], [], []
        for _ in range(runs):  # interleaved, so that drift hits both alike
            elapsed, ids = _in_rolled_back_transaction(bind, claim)
            claim_times.append(elapsed * 1000)
            claimed.append(len(ids))
            floor_times.append(_in_rolled_back_transaction(bind, lookup)[0] * 1000)
        plan = explain_claim(engine, bind, claim)
    finally:
        engine.dispose()
    p50, floor = statistics.median(claim_times), statistics.median(floor_times)
    return {
        "p50_ms": round(p50, 3),
        "p90_ms": round(harness.percentile(claim_times, 0.9), 3),
        "floor_p50_ms": round(floor, 3),
        "ratio": round(p50 / floor, 1),
        "due_rows": due,
        "rows_claimed": min(claimed),
        "options": options,
        "runs": runs,
        "plan": plan,
    }


def explain_claim(engine: sa.Engine, bind, claim: Callable[[Session], list[int]]) -> dict:
    """The plan of the query of due check-ins claim_due really sends (captured, not
    rebuilt here): a WITH query, after a read of which workspaces must wait (a table of
    a row per workspace)."""
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        _in_rolled_back_transaction(bind, claim)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = next(
        (s, p)
        for s, p in sent
        if s.lstrip().upper().startswith(("SELECT", "WITH")) and "FROM checkin" in s
    )
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "

    def explain(session: Session) -> list:
        return session.connection().exec_driver_sql(prefix + statement, parameters).all()

    rows = _in_rolled_back_transaction(bind, explain)[1]
    if sqlite:
        lines = [row[3] for row in rows]
        full_scan = any(re.match(r"SCAN checkin\b", line) for line in lines)
    else:
        lines = [row[0] for row in rows]
        full_scan = any("Seq Scan on checkin" in line for line in lines)
    text = "\n".join(lines)
    index = "ix_checkin_due" if re.search(r"\bix_checkin_due\b", text) else None
    return {
        "statement": " ".join(statement.split()),
        "text": text,
        "index": index,
        "full_scan": full_scan,
        "uses_index": index is not None and not full_scan,
    }


# -- Home ---------------------------------------------------------------------------------------


def measure_home(url: str, runs: int) -> dict:
    db = Database(make_engine(url))
    services = build_services(db, SystemClock(), load_content())

    def render(user_id: str) -> float:
        """publish_home minus views.publish (the view is JSON on its way to Slack)."""
        started = time.perf_counter()
        progress = services.progress.progress(team_id=TEAM_ID, user_id=user_id)
        card = services.coaching.today(team_id=TEAM_ID, user_id=user_id)
        json.dumps(build_home_dashboard(progress, card))
        return (time.perf_counter() - started) * 1000

    try:
        if services.progress.progress(team_id=TEAM_ID, user_id=HEAVY_USER) is None:
            raise SystemExit("the heavy user is missing: was the database seeded?")
        for _ in range(5):
            render(HEAVY_USER)
            render(FRESH_USER)
        heavy, fresh = [], []
        for _ in range(runs):
            heavy.append(render(HEAVY_USER))
            fresh.append(render(FRESH_USER))
    finally:
        db.engine.dispose()
    p50, floor = statistics.median(heavy), statistics.median(fresh)
    return {
        "p50_ms": round(p50, 2),
        "p90_ms": round(harness.percentile(heavy, 0.9), 2),
        "floor_p50_ms": round(floor, 2),
        "ratio": round(p50 / floor, 1),
        "runs": runs,
    }


# -- memory -------------------------------------------------------------------------------------


def measure_rss(url: str, fake: FakeSlack, workdir: Path, ids: list[int], timeout: float) -> dict:
    """One app process until the check-ins ``ids`` (due now) are all delivered."""
    # Seeded check-ins falling due during the run go out too: their people must exist.
    register_due_users(url, fake, within=timedelta(minutes=20))
    posts_before = len(fake.calls_to("chat.postMessage"))
    # Workspace pacing off: memory under the load is measured here, not Slack's rate.
    app = harness.start_app(fake, url, workdir, SLACK_MESSAGES_PER_MINUTE=UNPACED)
    pid = app.process.pid
    started = time.monotonic()
    engine = make_engine(url)
    query = (
        sa.select(sa.func.count())
        .select_from(Checkin)
        .where(Checkin.id.between(min(ids), max(ids)), Checkin.status == CheckinStatus.SENT)
    )
    try:
        peak = delivered = 0
        while time.monotonic() - started < timeout:
            peak = max(peak, harness.peak_rss(pid))
            with engine.connect() as c:
                delivered = c.execute(query).scalar_one()
            if delivered >= len(ids):
                break
            time.sleep(0.5)
        seconds = time.monotonic() - started
        peak = max(peak, harness.peak_rss(pid))
        posts = len(fake.calls_to("chat.postMessage")) - posts_before
        log = app.output()
    finally:
        engine.dispose()
        app.stop()
    (workdir / f"app-{engine.dialect.name}.log").write_text(log)
    return {
        "peak_mb": round(peak / MB, 1),
        "due": len(ids),
        "delivered": delivered,
        "posts": posts,
        "seconds": round(seconds, 1),
        "per_second": round(delivered / seconds, 1) if seconds else None,
        "errors_logged": log.count("Traceback") + log.count("job failed"),
    }


def measure_bare_rss(fake: FakeSlack, url: str) -> dict:
    process, bare_url = harness.start_bare_bolt(harness.app_env(fake, url))
    try:
        req = SlackRequests(app_url=bare_url, signing_secret=SIGNING_SECRET, fake=fake)
        for _ in range(20):
            req.command("help", user_id=USER_ID)
            req.block_action(user_id=USER_ID, action_id="challenge_swap", value="home")
        time.sleep(0.5)
        return {
            "peak_mb": round(harness.peak_rss(process.pid) / MB, 1),
            "largest_mb": round(harness.largest_rss(process.pid) / MB, 1),
        }
    finally:
        harness.stop_bare_bolt(process)


# -- one database -------------------------------------------------------------------------------


def postgres_problem(given: str | None) -> str | None:
    """None if a PostgreSQL server answers at the URL benchmarks use, else why not."""
    url = harness.postgres_url(given).split("://", 1)[1]
    engine = make_engine(f"postgresql+psycopg://{url}")
    try:
        if not database_answers(engine):
            return f"no PostgreSQL server answers at {engine.url.render_as_string()}"
    finally:
        engine.dispose()
    return None


def run_database(kind: str, args, fake: FakeSlack, workdir: Path) -> dict:
    """Every measure on a fresh database of ``kind``; {"skipped": why} if none can be made."""
    stack = contextlib.ExitStack()
    try:
        url = stack.enter_context(harness.fresh_database(kind, workdir, postgres=args.postgres))
    except sa.exc.DBAPIError as e:
        if kind == "sqlite":
            raise
        return {"skipped": f"cannot create a database: {str(e.orig).strip().splitlines()[0]}"}
    with stack:
        print(f"[{kind}] seeding {args.users:,} people, {args.checkins:,} check-ins…", flush=True)
        report = seed(url, users=args.users, checkins=args.checkins, attempts=args.attempts)
        print(f"[{kind}] seeded in {report.seconds:.1f} s", flush=True)
        # Some rows due now for the claim (their people known to the fake: RSS sends them).
        seed_due_now(url, fake, DUE_FOR_CLAIM)
        options = claim_options()
        claim = measure_claim(url, args.claim_runs, options)
        print(f"[{kind}] claim p50 {claim['p50_ms']:.2f} ms ({options})", flush=True)
        unpaced = measure_claim(url, args.claim_runs, {}) if options else None
        home = measure_home(url, args.home_runs)
        print(f"[{kind}] Home p50 {home['p50_ms']:.2f} ms", flush=True)
        # The burst the app is about to send: the claim again, with all of it due.
        burst_ids = seed_due_now(url, fake, args.due)
        burst = measure_claim(url, max(50, args.claim_runs // 3), options)
        print(f"[{kind}] claim p50 with {args.due:,} due {burst['p50_ms']:.2f} ms", flush=True)
        rss = None
        if not args.skip_rss:
            rss = measure_rss(url, fake, workdir, burst_ids, args.rss_timeout)
            print(f"[{kind}] peak RSS {rss['peak_mb']:.1f} MB", flush=True)
    if kind == "sqlite":  # PostgreSQL's is dropped; this file is most of a gigabyte
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    return {
        "seed": {
            "seconds": round(report.seconds, 1),
            "people": report.users,
            "meetings": report.meetings,
            "past_checkins": report.past_checkins,
            "pending_checkins": report.pending_checkins,
            "attempts": report.attempts,
            "attempts_from_checkins": report.scheduled_attempts,
            "heavy_user": {"checkins": report.heavy_checkins, "attempts": report.heavy_attempts},
        },
        "claim": {k: v for k, v in claim.items() if k != "plan"},
        "claim_plan": claim["plan"],
        "claim_without_pacing": None
        if unpaced is None
        else {k: v for k, v in unpaced.items() if k != "plan"},
        "claim_burst": {k: v for k, v in burst.items() if k != "plan"},
        "claim_burst_plan": burst["plan"],
        "home": home,
        "rss": rss,
    }


# -- report -------------------------------------------------------------------------------------


def goals_met(result: dict) -> dict:
    met = {
        "claim_le_5ms": result["claim"]["p50_ms"] <= GOAL_CLAIM_MS,
        "claim_uses_index": result["claim_plan"]["uses_index"],
        "claim_burst_le_5ms": result["claim_burst"]["p50_ms"] <= GOAL_CLAIM_MS,
        "claim_burst_uses_index": result["claim_burst_plan"]["uses_index"],
        "home_le_50ms": result["home"]["p50_ms"] <= GOAL_HOME_MS,
    }
    rss = result["rss"]
    if rss is not None:
        met["rss_le_200mb"] = rss["peak_mb"] <= GOAL_RSS_MB and rss["delivered"] >= rss["due"]
    return met


def print_table(results: dict, floors: dict, args) -> None:
    print()
    print(
        f"Data at scale: {args.users:,} people, {args.checkins:,} past check-ins, "
        f"{args.attempts if args.attempts is not None else args.checkins:,} attempts"
    )
    header = f"{'database':<11} {'measure':<30} {'value':>14} {'floor':>10} {'ratio':>7}  goal"
    print(header)
    print("-" * len(header))
    for kind, r in results.items():
        if "skipped" in r:
            print(f"{kind:<11} skipped: {r['skipped']}")
            continue
        s, c, h, rss = r["seed"], r["claim"], r["home"], r["rss"]
        met = goals_met(r)

        def row(measure, value, floor="", ratio="", goal="", kind=kind):
            print(f"{kind:<11} {measure:<30} {value:>14} {floor:>10} {ratio:>7}  {goal}")

        rows = s["past_checkins"] + s["pending_checkins"]
        row(
            "seeding",
            f"{s['seconds']:.1f} s",
            goal=f"({s['people']:,} people, {rows:,} check-ins, {s['attempts']:,} attempts)",
        )
        row(
            f"claim_due({CLAIM_BATCH}), {c['due_rows']:,} due",
            f"{c['p50_ms']:.2f} ms",
            f"{c['floor_p50_ms']:.2f} ms",
            f"{c['ratio']:.1f}x",
            f"<= {GOAL_CLAIM_MS:g} ms: {_yes(met['claim_le_5ms'])}",
        )
        if r["claim_without_pacing"] is not None:
            u = r["claim_without_pacing"]
            row(
                "  the same without pacing",
                f"{u['p50_ms']:.2f} ms",
                f"{u['floor_p50_ms']:.2f} ms",
                f"{u['ratio']:.1f}x",
                f"(for comparison; the app paces: per_minute={c['options'].get('per_minute')})",
            )
        row(
            "claim plan",
            r["claim_plan"]["index"] or "no index",
            goal=f"index, no full scan: {_yes(met['claim_uses_index'])}",
        )
        b = r["claim_burst"]
        row(
            f"claim_due({CLAIM_BATCH}), {b['due_rows']:,} due",
            f"{b['p50_ms']:.2f} ms",
            f"{b['floor_p50_ms']:.2f} ms",
            f"{b['ratio']:.1f}x",
            f"<= {GOAL_CLAIM_MS:g} ms: {_yes(met['claim_burst_le_5ms'])}; index: "
            f"{_yes(met['claim_burst_uses_index'])}",
        )
        row(
            "Home, 2-year user, p50",
            f"{h['p50_ms']:.2f} ms",
            f"{h['floor_p50_ms']:.2f} ms",
            f"{h['ratio']:.1f}x",
            f"<= {GOAL_HOME_MS:g} ms: {_yes(met['home_le_50ms'])}",
        )
        if rss is None:
            row("peak RSS", "skipped")
        else:
            floor = floors.get("rss_bare_bolt_mb")
            row(
                f"peak RSS, {rss['due']:,} due",
                f"{rss['peak_mb']:.0f} MB",
                f"{floor:.0f} MB" if floor else "",
                f"{rss['peak_mb'] / floor:.1f}x" if floor else "",
                f"<= {GOAL_RSS_MB:g} MB: {_yes(met['rss_le_200mb'])}"
                f" ({rss['delivered']:,} delivered in {rss['seconds']:.0f} s)",
            )
    for kind, r in results.items():
        if "skipped" not in r:
            print(f"\n{kind}: plan of claim_due's SELECT ({r['claim']['due_rows']:,} due)")
            print("  " + r["claim_plan"]["text"].replace("\n", "\n  "))
            print(f"{kind}: the same with {r['claim_burst']['due_rows']:,} due")
            print("  " + r["claim_burst_plan"]["text"].replace("\n", "\n  "))
    print()


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000, help="past check-ins")
    parser.add_argument("--attempts", type=int, default=None, help="default: --checkins")
    parser.add_argument("--postgres", help="server URL (default: $TEST_DATABASE_URL, CI role)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--skip-rss", action="store_true", help="no app process, no dispatch")
    parser.add_argument("--due", type=int, default=10_000, help="check-ins due at once (RSS)")
    parser.add_argument("--rss-timeout", type=float, default=420.0)
    parser.add_argument("--claim-runs", type=int, default=300)
    parser.add_argument("--home-runs", type=int, default=50)
    args = parser.parse_args()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="data_scale-"))
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    fake.add_user(USER_ID, tz="America/New_York")
    results: dict[str, dict] = {}
    floors: dict[str, float] = {}
    try:
        if not args.skip_rss:
            floors["rss_bare_bolt_mb"] = measure_bare_rss(fake, "sqlite://")["peak_mb"]
        for kind in ("sqlite", "postgresql"):
            if args.only and kind != args.only:
                continue
            problem = postgres_problem(args.postgres) if kind == "postgresql" else None
            results[kind] = (
                {"skipped": problem} if problem else run_database(kind, args, fake, workdir)
            )
            if "skipped" in results[kind]:
                print(f"[{kind}] skipped: {results[kind]['skipped']}", flush=True)
            fake.reset_calls()
    finally:
        fake.stop()
    print_table(results, floors, args)
    measured = {k: r for k, r in results.items() if "skipped" not in r}
    met = {k: goals_met(r) for k, r in measured.items()}
    for r in measured.values():
        if r["rss"] is not None and floors.get("rss_bare_bolt_mb"):
            r["rss"]["floor_mb"] = floors["rss_bare_bolt_mb"]
            r["rss"]["ratio"] = round(r["rss"]["peak_mb"] / floors["rss_bare_bolt_mb"], 1)
    report = {
        "benchmark": "data_scale",
        "users": args.users,
        "past_checkins": args.checkins,
        "attempts": args.attempts if args.attempts is not None else args.checkins,
        "due_at_once": args.due,
        "seconds": round(time.perf_counter() - started, 1),
        "goals": {"claim_ms": GOAL_CLAIM_MS, "home_ms": GOAL_HOME_MS, "rss_mb": GOAL_RSS_MB},
        "floors": {
            "claim": "primary-key lookup of one check-in, same transaction setup",
            "home": "the same render for someone onboarded yesterday",
            "rss": "bare Bolt app after 40 requests",
            **floors,
        },
        "databases": results,
        "goals_met": {
            **met,
            "all": bool(met) and all(all(v.values()) for v in met.values()),
        },
        "logs": str(workdir),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
