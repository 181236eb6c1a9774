"""Time to acknowledge Slack requests, next to a bare Bolt app that only acks.

    python bench/http_latency.py [--requests 600] [--concurrency 8]

Both apps run under gunicorn (one gthread worker, 8 threads) on 127.0.0.1 against
the fake Slack. The same signed requests, 8 at a time: `/voice help`, `/voice
progress` (reads her data) and a "swap challenge" click (writes it). Prints p50 and
p99 milliseconds for each and their ratio; the last line is JSON. Goal: p99 ≤ 1.5×
the bare app and under 50 ms (Slack allows 3,000 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM_ID, USER_ID  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.support.app_runner import free_port, start_process  # noqa: E402
from tests.support.slack_requests import SlackRequests  # noqa: E402
from tests.support.view_state import checkboxes, conversation, radio, state, text  # noqa: E402
from tests.support.view_state import select as pick  # noqa: E402


def wait_healthy(url: str, path: str = "/healthz", timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + path, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # the bare app has no /healthz: any HTTP answer means it's up
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def measure(req: SlackRequests, kinds: list[str], count: int, concurrency: int) -> dict:
    def one(i: int) -> tuple[str, float]:
        kind = kinds[i % len(kinds)]
        started = time.perf_counter()
        if kind == "help":
            r = req.command("help", user_id=USER_ID)
        elif kind == "progress":
            r = req.command("progress", user_id=USER_ID)
        else:
            r = req.block_action(user_id=USER_ID, action_id="challenge_swap", value="home")
        elapsed = (time.perf_counter() - started) * 1000
        if r.status != 200:
            raise SystemExit(f"{kind}: HTTP {r.status}")
        return kind, elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(min(40, count))))  # warm up
        results = list(pool.map(one, range(count)))
    out = {}
    for kind in [*kinds, "all"]:
        times = sorted(t for k, t in results if kind in ("all", k))
        out[kind] = {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    fake = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN, team_id=TEAM_ID).start()
    fake.add_user(USER_ID, tz="America/New_York")
    workdir = Path(tempfile.mkdtemp())
    database_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    app = start_process(env, workdir)
    bare_port = free_port()
    bare = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{bare_port}",
            "--log-level",
            "warning",
            "bench.bare_bolt:wsgi",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        app.wait_healthy(timeout=30)
        bare_url = f"http://127.0.0.1:{bare_port}"
        wait_healthy(bare_url, "/")
        ours = SlackRequests(app_url=app.url, signing_secret=SIGNING_SECRET, fake=fake)
        ours.command("start", user_id=USER_ID)
        ours.view_submission(
            user_id=USER_ID,
            callback_id="onboarding",
            values=state(
                goal=text("Speak up"),
                placement=radio("when_asked"),
                confidence=pick(50),
                share_wins=checkboxes(),
                share_channel=conversation(None),
            ),
        )
        kinds = ["help", "progress", "swap"]
        results = {
            "voice_coach": measure(ours, kinds, args.requests, args.concurrency),
            "bare_bolt": measure(
                SlackRequests(app_url=bare_url, signing_secret=SIGNING_SECRET, fake=fake),
                kinds,
                args.requests,
                args.concurrency,
            ),
        }
    finally:
        app.stop()
        bare.terminate()
        bare.wait(10)
        fake.stop()
    ours_all, bare_all = results["voice_coach"]["all"], results["bare_bolt"]["all"]
    for kind in [*kinds, "all"]:
        o, b = results["voice_coach"][kind], results["bare_bolt"][kind]
        print(
            f"{kind:>9}: ours p50 {o['p50_ms']:6.2f} ms p99 {o['p99_ms']:6.2f} ms | "
            f"bare p50 {b['p50_ms']:6.2f} ms p99 {b['p99_ms']:6.2f} ms | "
            f"p99 ratio {o['p99_ms'] / b['p99_ms']:.2f}"
        )
    print(
        json.dumps(
            {
                "benchmark": "http_latency",
                "database": "postgresql" if "postgresql" in database_url else "sqlite",
                "requests": args.requests,
                "concurrency": args.concurrency,
                **results,
                "p99_ratio": round(ours_all["p99_ms"] / bare_all["p99_ms"], 2),
                "goals_met": {
                    "p99_le_1.5x_bare": ours_all["p99_ms"] <= 1.5 * bare_all["p99_ms"],
                    "p99_under_50ms": ours_all["p99_ms"] < 50,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
