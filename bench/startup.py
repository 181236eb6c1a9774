"""Start-up: from ``python -m bot`` to ``/healthz`` answering 200.

    python bench/startup.py [--runs 5] [--postgres URL]

Each run starts the app on a fresh database (so the time includes creating the
schema), against the fake Slack, on SQLite and on PostgreSQL. The floor is the
bare Bolt app (bench/bare_bolt.py) under the same server, from its command to its
first HTTP answer. Goal: ≤ 2 s. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness
from bot.playground.fakeslack.web_api import FakeSlack
from tests.conftest import APP_TOKEN, BOT_TOKEN, TEAM_ID
from tests.support.app_runner import start_process


def app_start(fake: FakeSlack, kind: str, workdir: Path, postgres: str | None) -> float:
    with harness.fresh_database(kind, workdir, postgres=postgres, migrated=False) as url:
        started = time.monotonic()
        app = start_process(harness.app_env(fake, url), workdir)
        try:
            app.wait_healthy(timeout=30)
            return time.monotonic() - started
        finally:
            app.stop()


def bare_start(fake: FakeSlack, workdir: Path) -> float:
    started = time.monotonic()
    process, _ = harness.start_bare_bolt(harness.app_env(fake, f"sqlite:///{workdir}/x.db"))
    took = time.monotonic() - started
    harness.stop_bare_bolt(process)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="voice-startup-"))
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    try:
        bare = [bare_start(fake, workdir) for _ in range(args.runs)]
        results = {"bare_bolt": {"median_s": round(statistics.median(bare), 3)}}
        for kind in ("sqlite", "postgresql"):
            times = [app_start(fake, kind, workdir, args.postgres) for _ in range(args.runs)]
            results[kind] = {
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "ratio_to_bare": round(statistics.median(times) / statistics.median(bare), 2),
            }
    finally:
        fake.stop()
    print(f"bare Bolt app: {results['bare_bolt']['median_s']:.2f} s (median of {args.runs})")
    for kind in ("sqlite", "postgresql"):
        r = results[kind]
        print(
            f"{kind:>10}: median {r['median_s']:.2f} s, max {r['max_s']:.2f} s "
            f"({r['ratio_to_bare']:.1f}× the bare app)"
        )
    print(
        json.dumps(
            {
                "benchmark": "startup",
                "runs": args.runs,
                **results,
                "goals_met": {
                    "le_2s": all(results[k]["max_s"] <= 2 for k in ("sqlite", "postgresql"))
                },
            }
        )
    )


if __name__ == "__main__":
    main()
