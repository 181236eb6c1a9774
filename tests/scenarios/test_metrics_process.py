"""``GET /metrics`` from ``python -m bot`` as production runs it: gunicorn's workers
summed into one page whichever worker serves it (Socket Mode: test_socket_mode.py)."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

from bot.playground.fakeslack.slack_requests import SlackRequests
from tests.conftest import SIGNING_SECRET, TEAM_ID, USER_ID
from tests.observability.support import names, scrape, value
from tests.scenarios.test_process import _env
from tests.support.app_runner import AppProcess, start_process

pytestmark = pytest.mark.slow

COMMANDS = {"kind": "command", "status": "200"}
REQUESTS = "voice_coach_requests_total"


def _send_help(app: AppProcess, fake_slack, n: int) -> None:
    slack = SlackRequests(
        app_url=app.url, signing_secret=SIGNING_SECRET, fake=fake_slack, team_id=TEAM_ID
    )
    with ThreadPoolExecutor(8) as pool:  # at once, so that both workers take some
        statuses = list(pool.map(lambda _: slack.command("help", user_id=USER_ID).status, range(n)))
    assert statuses == [200] * n


def _commands_by_worker(metrics_dir: Path) -> dict[str, float]:
    """Each worker's own count of /voice commands, from its file."""
    counts = {}
    for path in metrics_dir.glob("counter_*.db"):
        for metric in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in metric.samples:
                if sample.name == REQUESTS and sample.labels == COMMANDS and sample.value:
                    counts[path.stem.removeprefix("counter_")] = sample.value
    return counts


def _earlier_run(metrics_dir: Path) -> None:
    """A file left by an earlier run: 1,000 commands that must not count in this one."""
    key = mmap_key(
        "voice_coach_requests", REQUESTS, ["kind", "status"], ["command", "200"], "left over"
    )
    stale = MmapedDict(str(metrics_dir / "counter_999999.db"))
    stale.write_value(key, 1000.0, 0.0)
    stale.close()


def _workers(app: AppProcess) -> list[psutil.Process]:
    return psutil.Process(app.process.pid).children()


def test_metrics_are_summed_across_two_workers_and_outlive_a_killed_one(
    tmp_path, fake_slack, database_url
):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    _earlier_run(metrics_dir)
    env = _env(
        fake_slack, database_url, WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    app = start_process(env, tmp_path)
    try:
        app.wait_healthy()
        assert not (metrics_dir / "counter_999999.db").exists()  # wiped at start
        sent = 0
        while len(_commands_by_worker(metrics_dir)) < 2 and sent < 400:
            _send_help(app, fake_slack, 40)
            sent += 40
        by_worker = _commands_by_worker(metrics_dir)
        assert len(by_worker) == 2, f"one worker took every request: {by_worker}"
        assert sum(by_worker.values()) == sent
        # Whichever worker answers the scrape, the page shows both workers' requests.
        for _ in range(6):
            page = scrape(app.url)
            assert value(page, REQUESTS, **COMMANDS) == sent
            assert value(page, "voice_coach_ack_seconds_count", kind="command") == sent

        # A worker killed outright: gunicorn replaces it, its requests still count.
        victim = _workers(app)[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        deadline = time.monotonic() + 15
        while {w.pid for w in _workers(app)} & {victim.pid} or len(_workers(app)) < 2:
            assert time.monotonic() < deadline, "gunicorn did not replace the worker"
            time.sleep(0.1)
        app.wait_healthy()
        _send_help(app, fake_slack, 8)
        for _ in range(4):
            assert value(scrape(app.url), REQUESTS, **COMMANDS) == sent + 8
    finally:
        assert app.stop(signal.SIGTERM) == 0
    assert "Traceback" not in app.output()
    assert metrics_dir.is_dir()  # the operator's directory is left where it was


def test_without_a_directory_the_app_makes_its_own_and_removes_it_at_exit(
    tmp_path, fake_slack, database_url
):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = _env(fake_slack, database_url, WEB_CONCURRENCY="2", TMPDIR=str(temp))
    app = start_process(env, tmp_path)
    try:
        app.wait_healthy()
        [made] = list(temp.glob("voice-coach-metrics-*"))
        _send_help(app, fake_slack, 24)
        assert sum(_commands_by_worker(made).values()) == 24
        for _ in range(4):
            page = scrape(app.url)
            assert value(page, REQUESTS, **COMMANDS) == 24
        assert {
            "voice_coach_checkins_due",
            "voice_coach_checkins_overdue",
            "voice_coach_checkins_failed_total",
        } <= names(page)
    finally:
        assert app.stop(signal.SIGTERM) == 0
    assert not made.exists()
    assert "Traceback" not in app.output()
