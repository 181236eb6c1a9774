"""``python -m bot`` as production runs it: a real process, gunicorn, the fake Slack."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import build_services
from bot.clock import SystemClock
from bot.content import load_ladder
from bot.domain.placement import SelfPlacement
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, USER_ID
from tests.support.app_runner import app_env, free_port, start_process
from tests.support.journey import dms, wait

pytestmark = pytest.mark.slow


_env = app_env


def test_without_tokens_it_prints_one_line_and_exits_2(tmp_path):
    app = start_process({}, tmp_path)
    assert app.process.wait(20) == 2
    lines = app.output().strip().splitlines()
    assert lines == [
        "voice-coach: SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) "
        "from OAuth & Permissions into .env (or try it without Slack: python -m bot try)."
    ]


def test_a_refused_token_is_one_line_too(tmp_path, fake_slack, database_url):
    env = _env(fake_slack, database_url, SLACK_BOT_TOKEN="xoxb-revoked-0000")
    app = start_process(env, tmp_path)
    assert app.process.wait(20) == 2
    output = app.output()
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in output
    assert "Traceback" not in output


def test_settings_come_from_dotenv(tmp_path, fake_slack, database_url):
    env = _env(fake_slack, database_url)
    port = env.pop("PORT")
    (tmp_path / ".env").write_text(f"PORT={port}\nLOG_LEVEL=DEBUG\n")
    app = start_process(env, tmp_path)
    app.url = f"http://127.0.0.1:{port}"
    try:
        app.wait_healthy()
    finally:
        app.stop()


def test_serves_healthz_and_answers_a_signed_command(tmp_path, fake_slack, database_url):
    # How fast it starts is bench/startup.py's to measure (goal 2 s), not a timed test's.
    env = _env(fake_slack, database_url, LOG_LEVEL="DEBUG")
    app = start_process(env, tmp_path)
    try:
        app.wait_healthy()
        slack = SlackRequests(
            app_url=app.url, signing_secret=SIGNING_SECRET, fake=fake_slack, team_id=TEAM_ID
        )
        r = slack.command("help", user_id=USER_ID)
        assert r.status == 200
        assert "`/voice start`" in r.text
        forged = slack.send_raw(
            b"command=%2Fvoice&text=help", "application/x-www-form-urlencoded", signature="v0=bad"
        )
        assert forged.status == 401
    finally:
        assert app.stop(signal.SIGTERM) == 0
    output = app.output()
    # Secrets never reach the log, even at DEBUG.
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in output
    assert "Traceback" not in output


def test_a_pre_meeting_checkin_reaches_the_strict_slack(tmp_path, fake_slack, database_url, db):
    """The real process, its scheduler and the strict fake: the check-in Slack once refused
    arrives, with a confidence menu that reads 0 … 100."""
    services = build_services(db, SystemClock(), load_ladder())
    answers = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 40, False, None)
    services.coaching.start(team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="UTC")
    start = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0)
    meeting = MeetingInput("Design review", 0, start.date(), start.time(), 30, "UTC")
    services.meetings.add(team_id=TEAM_ID, user_id=USER_ID, meeting=meeting)
    app = start_process(_env(fake_slack, database_url), tmp_path)
    try:
        app.wait_healthy()
        pre = wait(lambda: dms(fake_slack), timeout=20)[-1]
    finally:
        assert app.stop(signal.SIGTERM) == 0
    assert f"*Design review* starts at {start:%H:%M}" in pre["blocks"][0]["text"]["text"]
    menu = next(b["accessory"] for b in pre["blocks"] if b.get("accessory"))
    labels = [o["text"]["text"] for o in menu["options"]]
    assert labels[0] == "0 — cannot do at all" and labels[-1] == "100 — highly certain can do"
    assert [int(label.split()[0]) for label in labels] == list(range(0, 101, 10))
    assert "Traceback" not in app.output()


def test_db_upgrade_command(tmp_path):
    from tests.support.app_runner import start_process as run

    app = run({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}, tmp_path, ("db", "upgrade"))
    assert app.process.wait(30) == 0
    assert "database is at revision" in app.output()


def _many_env(oauth_slack, database_url, **extra) -> dict[str, str]:
    from tests.support.installs import SECRET_KEY

    return {
        "SLACK_CLIENT_ID": oauth_slack.client_id,
        "SLACK_CLIENT_SECRET": oauth_slack.client_secret,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SECRET_KEY": SECRET_KEY,
        "SLACK_API_URL": oauth_slack.base_url,
        "SLACK_AUTHORIZE_URL": oauth_slack.authorize_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        **extra,
    }


def test_many_workspaces_serve_add_to_slack_from_gunicorn(tmp_path, oauth_slack, database_url):
    from tests.support.installs import ALPHA, PEOPLE, get, install

    app = start_process(_many_env(oauth_slack, database_url, LOG_LEVEL="DEBUG"), tmp_path)
    try:
        app.wait_healthy()
        oauth_slack.redirect_url = app.url + "/slack/oauth_redirect"
        assert "Add to Slack" in get(app.url + "/").text
        page = install(app.url, oauth_slack, ALPHA)
        assert page.status == 200, app.output()[-3000:]  # its log says why, if not
        slack = SlackRequests(app.url, SIGNING_SECRET, oauth_slack, ALPHA)
        r = slack.command("help", user_id=PEOPLE[ALPHA])
        assert r.status == 200 and "`/voice start`" in r.text
    finally:
        assert app.stop(signal.SIGTERM) == 0
    output = app.output()
    live = [t for i in oauth_slack.installs.values() for t in i.tokens]
    for secret in (*live, oauth_slack.client_secret, SIGNING_SECRET):
        assert secret not in output
    assert "Traceback" not in output


def test_client_credentials_and_socket_mode_stop_in_one_line(tmp_path, oauth_slack, database_url):
    env = _many_env(oauth_slack, database_url, SLACK_APP_TOKEN="xapp-1-socket")
    app = start_process(env, tmp_path)
    assert app.process.wait(20) == 2
    [line] = app.output().strip().splitlines()
    assert line.startswith("voice-coach: SLACK_APP_TOKEN is set with SLACK_CLIENT_ID")
