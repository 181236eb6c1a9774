"""The app's HTTP surface, driven over real HTTP with Slack-signed requests."""

from __future__ import annotations

import functools
import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from sqlmodel import select

from bot.models import Checkin, CheckinStatus, Coachee, ProcessedRequest, Workspace
from bot.slack import ids
from bot.slack.app import LISTENER_THREADS
from bot.storage.engine import make_engine
from tests.conftest import TEAM_ID, USER_ID
from tests.observability.support import scrape, value
from tests.support.journey import command_reply, wait
from tests.support.writer import writing


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _block_texts(message: dict) -> str:
    return "\n".join(
        b.get("text", {}).get("text", "") if isinstance(b.get("text"), dict) else ""
        for b in message.get("blocks", [])
    )


def test_healthz_answers_with_the_database(running_app):
    assert _get(running_app.url + "/healthz") == (200, {"status": "ok", "database": "ok"})


def test_healthz_is_503_when_the_database_is_gone(running_app):
    db = running_app.container.db
    db.engine.dispose()
    if db.dialect == "sqlite":
        unreachable = "sqlite:////nonexistent/dir/voice_coach.db"
    else:  # nothing listens on port 1
        unreachable = db.engine.url.set(port=1).render_as_string(hide_password=False)
    db.engine = make_engine(unreachable)
    status, body = _get(running_app.url + "/healthz")
    assert (status, body) == (503, {"status": "unavailable", "database": "unreachable"})


def test_unknown_paths_are_404(running_app):
    assert _get(running_app.url + "/nope")[0] == 404


def test_voice_help_is_an_ephemeral_list_of_subcommands(slack):
    r = slack.command("help", user_id=USER_ID)
    assert r.status == 200
    body = r.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    text = _block_texts(body)
    for name in (
        "start",
        "meetings",
        "challenge",
        "log",
        "progress",
        "settings",
        "pause",
        "resume",
        "buddy",
        "export",
        "forget-me",
        "help",
    ):
        assert f"`/voice {name}" in text


def test_bare_voice_is_help(slack):
    assert _block_texts(slack.command("", user_id=USER_ID).json()) == _block_texts(
        slack.command("help", user_id=USER_ID).json()
    )


def test_unknown_subcommand_says_what_would_work(slack):
    body = slack.command("xyz", user_id=USER_ID).json()
    assert body["text"].startswith("I don't know `xyz` — try `/voice help`.")
    assert "`/voice start`" in _block_texts(body)


def test_bad_signature_is_refused_and_changes_nothing(slack, fake_slack, db):
    body = b"token=x&team_id=T0TEAM&user_id=U0MILA&command=%2Fvoice&text=help"
    r = slack.send_raw(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    assert r.status == 401
    assert fake_slack.calls == [c for c in fake_slack.calls if c.method == "auth.test"]


def test_a_six_minute_old_request_is_refused(slack, fake_slack, db):
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "home"}
    body = {"type": "event_callback", "team_id": TEAM_ID, "event": event, "event_id": "EvOLD"}
    r = slack.send_raw(
        json.dumps(body).encode(), "application/json", timestamp=int(time.time()) - 360
    )
    assert r.status == 401
    time.sleep(0.2)
    assert fake_slack.calls_to("views.publish") == []
    with db.session() as s:
        assert s.exec(select(ProcessedRequest)).all() == []


def test_app_home_opened_publishes_the_welcome_with_get_started(slack, fake_slack):
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
    assert slack.event(event).status == 200
    fake_slack.wait_for("views.publish")
    view = fake_slack.home_view(USER_ID)
    assert view["type"] == "home"
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["action_id"]) for b in buttons] == [
        ("Get started", "get_started")
    ]


def test_messages_tab_opens_publish_nothing(slack, fake_slack):
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "messages"}
    assert slack.event(event).status == 200
    time.sleep(0.3)
    assert fake_slack.calls_to("views.publish") == []


def test_a_retried_event_is_handled_once(slack, fake_slack, db):
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
    assert slack.event(event, event_id="Ev0001").status == 200
    fake_slack.wait_for("views.publish")
    r = slack.event(event, event_id="Ev0001", retry_num=1, retry_reason="http_timeout")
    assert r.status == 200
    time.sleep(0.3)
    assert len(fake_slack.calls_to("views.publish")) == 1
    with db.session() as s:
        keys = [p.request_key for p in s.exec(select(ProcessedRequest)).all()]
    assert keys == ["event:Ev0001"]


def test_an_event_is_acknowledged_while_the_database_is_busy_writing(slack, fake_slack, db):
    """Remembering the event's id (so a retry is skipped) is a write: it happens after
    the ack, never before, or a Home tab open would wait on whoever holds the lock."""
    # SQLite: the writer's session holds the database's write lock from its BEGIN.
    table = sa.text(f"LOCK TABLE {ProcessedRequest.__tablename__}")
    with writing(db, *([table] if db.dialect == "postgresql" else [])):
        event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
        started = time.monotonic()
        assert slack.event(event).status == 200
        assert time.monotonic() - started < 1.5
        assert fake_slack.calls_to("views.publish") == []  # the listener waits its turn
    assert fake_slack.wait_for("views.publish")[0]["user_id"] == USER_ID


def test_a_slack_error_is_logged_not_shown(slack, fake_slack, caplog):
    fake_slack.fail_next("views.publish", error="invalid_blocks")
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
    with caplog.at_level("ERROR"):
        assert slack.event(event).status == 200
        fake_slack.wait_for("views.publish")
        deadline = time.monotonic() + 3
        while "invalid_blocks" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "slack_error=invalid_blocks" in caplog.text
    assert f"user={USER_ID}" in caplog.text and f"team={TEAM_ID}" in caplog.text


def test_uninstall_cancels_everything_pending(slack, db):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    with db.session() as s:
        coachee = Coachee(team_id=TEAM_ID, slack_user_id=USER_ID)
        s.add(coachee)
        s.flush()
        s.add(
            Checkin(
                team_id=TEAM_ID,
                coachee_id=coachee.id,
                kind="pre",
                occurrence_start=now + timedelta(hours=1),
                due_at=now + timedelta(minutes=45),
                send_until=now + timedelta(hours=1),
                expires_at=now + timedelta(hours=1),
            )
        )
    assert slack.event({"type": "app_uninstalled"}).status == 200
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        with db.session() as s:
            workspace = s.get(Workspace, TEAM_ID)
            statuses = [c.status for c in s.exec(select(Checkin)).all()]
        if workspace.uninstalled_at:
            break
        time.sleep(0.05)
    assert workspace.uninstalled_at is not None
    assert statuses == [CheckinStatus.CANCELLED]


def test_start_records_the_workspace(running_app, db):
    with db.session() as s:
        assert s.get(Workspace, TEAM_ID) is not None


def test_every_subcommand_in_the_help_is_answered(slack, fake_slack):
    from bot.slack.subcommands import SUBCOMMANDS

    for sub in SUBCOMMANDS:
        opened = len(fake_slack.calls_to("views.open"))
        r = slack.command(sub.usage.replace("@someone", "<@U0ANA>"), user_id=USER_ID)
        assert r.status == 200, sub.name
        # Her answer: the acknowledgement, a message to the response_url, or a modal.
        answer = wait(
            lambda r=r, opened=opened: (
                r.text
                or fake_slack.response_url_posts(r.response_url)
                or fake_slack.calls_to("views.open")[opened:]
            )
        )
        assert "I don't know" not in str(answer), sub.name


def test_missing_signature_headers_are_refused(running_app):
    request = urllib.request.Request(
        running_app.url + "/slack/events",
        data=b"command=%2Fvoice&text=help",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("accepted an unsigned request")
    except urllib.error.HTTPError as e:
        assert e.code == 401


def test_a_replayed_body_with_a_fresh_timestamp_is_refused(slack, fake_slack):
    body = f"team_id={TEAM_ID}&user_id={USER_ID}&command=%2Fvoice&text=help".encode()
    old = int(time.time()) - 400
    signature = slack.verifier.generate_signature(timestamp=str(old), body=body)
    r = slack.send_raw(body, "application/x-www-form-urlencoded", signature=signature)
    assert r.status == 401  # the signature covers the old timestamp, not the fresh one


def test_the_same_user_id_in_two_workspaces_sees_only_its_own_data(
    slack, fake_slack, running_app, db
):
    from bot.domain.placement import SelfPlacement
    from bot.services.coaching import OnboardingAnswers

    running_app.container.services.coaching.start(
        team_id="T0OTHER",
        user_id=USER_ID,
        answers=OnboardingAnswers("Other team goal", SelfPlacement.OFTEN_LEAD, 90, False, None),
        tz="UTC",
    )
    reply = str(command_reply(slack, fake_slack, "progress"))  # signed for T0TEAM
    assert "You haven't started yet" in reply
    assert "Other team goal" not in reply


def _people_not_started(fake_slack, count: int) -> list[str]:
    people = [f"U0BUSY{n:03d}" for n in range(count)]
    for user in people:
        fake_slack.add_user(user)
    return people


def _tap_log_a_meeting(slack, user: str):
    """A tap on "Log a meeting" on Home: for someone who hasn't started, her Home is
    published again (views.publish)."""
    return slack.block_action(user_id=user, action_id=ids.OPEN_LOG, block_id="home_buttons")


def test_a_click_is_acknowledged_while_every_listener_waits_on_slack(
    slack, fake_slack, running_app
):
    """A burst of "Log a meeting" taps from people who haven't started yet: each
    listener shows them the current Home (views.publish), which a slow Slack holds, so
    every listener thread is waiting. One more tap is still acknowledged within Slack's
    3 s (the sender refuses a later ack), the operator sees the listeners waiting, and
    every Home is published once Slack answers."""
    people = _people_not_started(fake_slack, LISTENER_THREADS + 1)
    tap = functools.partial(_tap_log_a_meeting, slack)
    with fake_slack.holding("views.publish"):
        with ThreadPoolExecutor(LISTENER_THREADS) as burst:
            answers = list(burst.map(tap, people[:-1]))
        fake_slack.wait_for_waiting("views.publish", LISTENER_THREADS)
        answers.append(tap(people[-1]))
        busy = value(scrape(running_app.url), "voice_coach_listeners_in_flight")
        assert busy >= len(people)
    assert [a.status for a in answers] == [200] * len(people)
    wait(lambda: all(fake_slack.home_view(user) for user in people))
    running_app.settle()
    assert value(scrape(running_app.url), "voice_coach_listeners_in_flight") <= busy - len(people)
    assert fake_slack.refusals == []


def test_a_command_is_answered_while_every_listener_waits_on_slack(slack, fake_slack, running_app):
    """Every listener thread waits on Slack for an earlier tap's reply, more taps'
    listeners are queued behind them, and then someone asks for ``/voice help``, whose
    answer is its acknowledgement, and for ``/voice progress``, acknowledged before its
    reply is made. Both are answered at once, in their requests' own threads, while
    Slack still holds every tap's reply; her progress follows once Slack answers."""
    people = _people_not_started(fake_slack, LISTENER_THREADS + 4)
    tap = functools.partial(_tap_log_a_meeting, slack)
    pool = running_app.container.app.listener_pool
    with fake_slack.holding("views.publish"):
        with ThreadPoolExecutor(LISTENER_THREADS) as burst:
            taps = list(burst.map(tap, people))
        fake_slack.wait_for_waiting("views.publish", LISTENER_THREADS)
        assert pool.in_flight == len(people)  # 16 waiting on Slack, 4 queued
        help_reply = slack.command("help", user_id=USER_ID)
        progress_ack = slack.command("progress", user_id=USER_ID)
        still_held = fake_slack.waiting["views.publish"]
        assert fake_slack.response_url_posts() == []  # her progress waits its turn
    assert [t.status for t in taps] == [200] * len(people)
    assert help_reply.status == 200
    assert "/voice log" in _block_texts(help_reply.json())
    assert progress_ack.status == 200
    assert still_held == LISTENER_THREADS  # answered while every tap's reply waited
    wait(lambda: len(fake_slack.response_url_posts()) == 1)
    assert "You haven't started yet" in str(fake_slack.response_url_posts()[0])
    wait(lambda: all(fake_slack.home_view(user) for user in people))
    running_app.settle()
    assert fake_slack.refusals == []
