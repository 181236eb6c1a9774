"""``python -m bot`` with a listener process beside its worker (bot.slack.handover): the
worker answers Slack, the listener process does the work that answer promised."""

from __future__ import annotations

import re
import signal
import time
import urllib.request

import psutil
import pytest
from sqlmodel import select

from bot.bootstrap import build_services
from bot.clock import SystemClock
from bot.content import load_ladder
from bot.domain.placement import SelfPlacement
from bot.models import Attempt
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.services.coaching import OnboardingAnswers
from bot.slack import handover
from tests.conftest import SIGNING_SECRET, TEAM_ID, USER_ID
from tests.support.app_runner import AppProcess, app_env, start_process
from tests.support.journey import command_reply, log_meeting, texts, wait
from tests.support.view_state import radio, state, text
from tests.support.view_state import select as pick

pytestmark = pytest.mark.slow

HOME = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}


def _start(tmp_path, fake_slack, database_url, db, *, processes: str) -> AppProcess:
    """``python -m bot`` with this many listener processes a worker, once she has started."""
    services = build_services(db, SystemClock(), load_ladder())
    answers = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 40, False, None)
    services.coaching.start(team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="UTC")
    env = app_env(fake_slack, database_url, LISTENER_PROCESSES=processes)
    app = start_process(env, tmp_path)
    app.wait_healthy()
    return app


def _listener_processes(app: AppProcess) -> list[psutil.Process]:
    [worker] = psutil.Process(app.process.pid).children()
    # (multiprocessing's resource tracker is a child of the worker too)
    return [p for p in worker.children() if "spawn_main" in " ".join(p.cmdline())]


def _gone(process: psutil.Process) -> bool:
    """Exited (a zombie until its parent next looks counts: it does no more work)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _handed_over(app: AppProcess) -> float:
    page = urllib.request.urlopen(app.url + "/metrics", timeout=5).read().decode()
    found = re.search(r"^voice_coach_handed_over_total (\S+)$", page, re.M)
    return float(found.group(1)) if found else 0.0


def _slack(app: AppProcess, fake_slack) -> SlackRequests:
    return SlackRequests(
        app_url=app.url, signing_secret=SIGNING_SECRET, fake=fake_slack, team_id=TEAM_ID
    )


def test_the_listener_process_does_the_work_after_each_ack(tmp_path, fake_slack, database_url, db):
    app = _start(tmp_path, fake_slack, database_url, db, processes="1")
    try:
        [listener] = wait(lambda: _listener_processes(app))
        # It yields a CPU to its worker's acknowledgements.
        worker = psutil.Process(listener.ppid())
        assert wait(lambda: listener.nice() == worker.nice() + handover.NICER)
        slack = _slack(app, fake_slack)

        progress = texts(command_reply(slack, fake_slack, "progress")["blocks"])
        assert "Step 3 of 8: Speak when invited" in progress
        logged = texts(log_meeting(slack, fake_slack)["blocks"])  # /voice log, then the form
        assert "That's a win, and it counts" in logged
        assert slack.event(HOME).status == 200
        home = wait(lambda: fake_slack.calls_to("views.publish")[1:])[-1]["view"]
        assert "Speak up in planning" in texts(home["blocks"])
        # The form is checked in the ack, on the worker; the listener process checks it
        # again and stores nothing either.
        r = slack.view_submission(
            user_id=USER_ID,
            callback_id="log_attempt",
            values=state(
                meeting_name=text("x" * 500),
                tried=pick("no-such-challenge"),
                outcome=radio("did_it"),
                felt=radio("about_right"),
                confidence_before=pick(50),
                confidence_after=pick(70),
                reflection=text(""),
            ),
        )
        assert r.status == 200 and r.json()["response_action"] == "errors"
        # Two commands' and two forms' lazy listeners (the refused form's too), an event.
        assert wait(lambda: _handed_over(app) == 5.0)
    finally:
        assert app.stop(signal.SIGTERM) == 0
    with db.session() as s:
        assert len(s.exec(select(Attempt)).all()) == 1
    assert "Traceback" not in app.output()


def test_requests_waiting_on_a_slow_slack_run_together(tmp_path, fake_slack, database_url, db):
    """Only two requests of a listener process use its CPU at once (bot.slack.slots),
    but one waiting for Slack lends its turn: eight Home tab opens, each waiting a
    second for views.publish, are all published in about a second, not four."""
    app = _start(tmp_path, fake_slack, database_url, db, processes="1")
    try:
        slack = _slack(app, fake_slack)
        # One first, at Slack's usual speed: each process asks auth.test once, first.
        assert slack.event(HOME).status == 200
        wait(lambda: fake_slack.count("views.publish") == 1)
        fake_slack.latency = 1.0
        began = time.monotonic()
        for _ in range(8):
            assert slack.event(HOME).status == 200
        wait(lambda: fake_slack.count("views.publish") == 9)
        assert time.monotonic() - began < 3.0
        fake_slack.latency = 0.0
        home = fake_slack.calls_to("views.publish")[-1]["view"]
        assert "Speak up in planning" in texts(home["blocks"])
    finally:
        assert app.stop(signal.SIGTERM) == 0
    assert "Traceback" not in app.output()


def test_a_killed_listener_process_is_replaced_and_one_outlives_no_worker(
    tmp_path, fake_slack, database_url, db
):
    app = _start(tmp_path, fake_slack, database_url, db, processes="1")
    try:
        [first] = wait(lambda: _listener_processes(app))
        first.kill()
        wait(lambda: _gone(first))
        # The next hand-over starts another; what it was handed waits for it.
        slack = _slack(app, fake_slack)
        progress = texts(command_reply(slack, fake_slack, "progress")["blocks"])
        assert "Step 3 of 8: Speak when invited" in progress
        [second] = _listener_processes(app)
        assert second.pid != first.pid
        # Its worker killed, a listener process stops by itself (gunicorn starts both anew).
        [worker] = psutil.Process(app.process.pid).children()
        worker.kill()
        wait(lambda: _gone(second), timeout=5)
        wait(lambda: len(_listener_processes(app)) == 1, timeout=15)
        assert "Step 3 of 8" in texts(command_reply(slack, fake_slack, "progress")["blocks"])
    finally:
        assert app.stop(signal.SIGTERM) == 0
    output = app.output()
    assert f"listener process {first.pid} exited" in output
    assert "Traceback" not in output


def test_without_listener_processes_the_worker_does_the_work(
    tmp_path, fake_slack, database_url, db
):
    app = _start(tmp_path, fake_slack, database_url, db, processes="0")
    try:
        slack = _slack(app, fake_slack)
        assert "That's a win" in texts(log_meeting(slack, fake_slack)["blocks"])
        assert slack.event(HOME).status == 200
        home = fake_slack.wait_for("views.publish", count=2)[-1]["view"]
        assert "Speak up in planning" in texts(home["blocks"])
        assert _listener_processes(app) == []
        assert _handed_over(app) == 0.0
    finally:
        assert app.stop(signal.SIGTERM) == 0
    assert "Traceback" not in app.output()


def test_a_listener_process_whose_worker_dies_while_it_starts_stops_too(
    tmp_path, fake_slack, database_url, db
):
    app = _start(tmp_path, fake_slack, database_url, db, processes="1")
    try:
        [worker] = psutil.Process(app.process.pid).children()
        worker.kill()  # gunicorn starts another worker, with a listener process of its own
        wait(lambda: _new_worker(app, worker.pid) and _listener_processes(app), timeout=15)
        [listener] = _listener_processes(app)
        _new_worker(app, worker.pid).kill()  # while its listener process is still starting
        wait(lambda: _gone(listener), timeout=10)
    finally:
        assert app.stop(signal.SIGTERM) == 0


def _new_worker(app: AppProcess, old: int) -> psutil.Process | None:
    return next((p for p in psutil.Process(app.process.pid).children() if p.pid != old), None)
