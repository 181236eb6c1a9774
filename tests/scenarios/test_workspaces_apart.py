"""Workspaces are apart (many-workspace mode, the running app, the offline Slack): each
check-in goes out with its own workspace's token; a workspace that uninstalls, or whose
token is revoked, stops at once and loses its tokens, its data only after the grace
period, and every other workspace, org-wide installs included, carries on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.models import SLACK_BOTS, Checkin, Workspace
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from bot.services.workspaces import GRACE
from tests.support.app_runner import serve_in_thread
from tests.support.clock import FakeClock
from tests.support.installs import (
    ALPHA,
    BETA,
    GRID,
    GRID_A,
    GRID_B,
    PEOPLE,
    install,
    install_all,
    many_settings,
    rows,
    slack_of,
)
from tests.support.journey import tick, wait

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
ANSWERS = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 50, False, None)
KEY = {ALPHA: ALPHA, BETA: BETA, GRID_A: GRID, GRID_B: GRID}


@pytest.fixture
def world(oauth_slack, database_url):
    """The app on a controlled clock, the three installs, and a person with a Monday
    10:00 meeting in each workspace; yields (app, fake, dispatcher, clock)."""
    clock = FakeClock(MONDAY_9)
    app = serve_in_thread(many_settings(oauth_slack, database_url), clock=clock)
    oauth_slack.redirect_url = app.url + "/slack/oauth_redirect"
    install_all(app, oauth_slack)
    services = app.container.services
    for team, user in PEOPLE.items():
        services.coaching.start(team_id=KEY[team], user_id=user, answers=ANSWERS, tz="UTC")
        services.meetings.add(
            team_id=KEY[team],
            user_id=user,
            meeting=MeetingInput("Planning", weekdays_to_mask([0]), None, time(10, 0), 30, "UTC"),
        )
    dispatcher = build_dispatcher(app.container)
    yield app, oauth_slack, dispatcher, clock
    dispatcher.close()
    app.stop()


def _pending(db, key: str) -> int:
    with db.session() as s:
        found = s.exec(select(Checkin).where(Checkin.team_id == key)).all()
    return sum(1 for c in found if c.status == "pending")


def _workspace(db, key: str) -> dict:
    return next(w for w in rows(db, Workspace.__table__) if w["team_id"] == key)


def _bot_keys(db) -> set[str]:
    return {b["team_id"] or b["enterprise_id"] for b in rows(db, SLACK_BOTS)}


def _sent_to(fake) -> dict[str, list[str]]:
    """Who got a pre-meeting DM, by the installation whose token sent it."""
    sent: dict[str, list[str]] = {}
    for key in (ALPHA, BETA, GRID):
        for args in fake.calls_for(key, "chat.postMessage"):
            sent.setdefault(key, []).append(args["channel"])
    return sent


def _uninstall_event(slack, event: dict, *, authorizations: bool = True):
    if authorizations:
        return slack.event(event)
    # Slack's app_uninstalled of an org-wide install can come without `authorizations`,
    # naming one workspace of the org and not saying the install is org-wide.
    body = {
        "token": slack.verification_token,
        "team_id": slack.team_id,
        "enterprise_id": slack.enterprise_id,
        "api_app_id": slack.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev0ORGGONE",
        "event_time": int(MONDAY_9.timestamp()),
    }
    return slack.send_raw(json.dumps(body).encode(), "application/json")


def test_each_check_in_goes_out_with_its_own_workspaces_token(world, db):
    app, fake, dispatcher, clock = world
    clock.advance(minutes=46)  # pre-meeting check-ins are due at 9:45
    assert tick(app.container, dispatcher) == 4
    sent = _sent_to(fake)
    assert sorted(sent[ALPHA]) == ["DU0ANNA"] and sorted(sent[BETA]) == ["DU0BEN"]
    assert sorted(sent[GRID]) == ["DW0CARA", "DW0DAN"]  # the org's one token, both teams


def test_an_uninstalled_workspace_stops_at_once_and_the_others_go_on(world, db):
    app, fake, dispatcher, clock = world
    fake.uninstall(ALPHA)
    assert _uninstall_event(slack_of(app, fake, ALPHA), {"type": "app_uninstalled"}).status == 200
    wait(lambda: _workspace(db, ALPHA)["uninstalled_at"])
    assert _bot_keys(db) == {BETA, GRID}  # its tokens went at once
    assert _pending(db, ALPHA) == 0 and _pending(db, BETA) > 0 and _pending(db, GRID) > 0
    assert app.container.tokens.bot_token(team_id=ALPHA) is None

    clock.advance(minutes=46)
    assert tick(app.container, dispatcher) == 3
    assert set(_sent_to(fake)) == {BETA, GRID}
    assert _workspace(db, BETA)["uninstalled_at"] is None

    # Its data stays for the grace period (a reinstall resumes), then goes; no one else's.
    clock.advance(days=GRACE.days - 1)
    assert app.container.services.workspaces.purge_uninstalled() == []
    clock.advance(days=2)
    assert app.container.services.workspaces.purge_uninstalled() == [ALPHA]
    assert {w["team_id"] for w in rows(db, Workspace.__table__)} == {BETA, GRID}


def test_an_org_wide_uninstall_without_authorizations_removes_the_org_only(world, db):
    app, fake, _, _ = world
    fake.uninstall(GRID)
    slack = slack_of(app, fake, GRID_B)
    slack.is_enterprise_install = False  # what such an event says
    r = _uninstall_event(slack, {"type": "app_uninstalled"}, authorizations=False)
    assert r.status == 200
    wait(lambda: _workspace(db, GRID)["uninstalled_at"])
    assert _bot_keys(db) == {ALPHA, BETA}
    assert _pending(db, GRID) == 0 and _pending(db, ALPHA) > 0
    assert [w["team_id"] for w in rows(db, Workspace.__table__) if w["uninstalled_at"]] == [GRID]


def test_revoked_tokens_pause_that_workspace_only(world, db):
    app, fake, _, _ = world
    fake.revoke(BETA)
    event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UB0BETA"]}}
    assert slack_of(app, fake, BETA).event(event).status == 200
    wait(lambda: _workspace(db, BETA)["uninstalled_at"])
    assert _bot_keys(db) == {ALPHA, GRID}
    assert _workspace(db, ALPHA)["uninstalled_at"] is None


def test_a_token_slack_refuses_mid_request_pauses_its_workspace_only(world, db):
    """No event came (or it was lost): the refusal itself stops the workspace."""
    app, fake, _, _ = world
    assert slack_of(app, fake, ALPHA).command("help", user_id=PEOPLE[ALPHA]).status == 200
    fake.revoke(ALPHA)
    r = slack_of(app, fake, ALPHA).command("start", user_id=PEOPLE[ALPHA])
    assert r.status == 200
    wait(lambda: _workspace(db, ALPHA)["uninstalled_at"])
    assert _bot_keys(db) == {BETA, GRID}
    assert slack_of(app, fake, BETA).command("start", user_id=PEOPLE[BETA]).status == 200
    wait(lambda: fake.install_keys_of("views.open") == [BETA])


def test_a_token_slack_refuses_to_the_dispatcher_pauses_its_workspace_only(world, db):
    """Revoked with no event and no request since: the check-in's own DM finds out."""
    app, fake, dispatcher, clock = world
    fake.revoke(BETA)
    clock.advance(minutes=46)

    assert tick(app.container, dispatcher) == 3
    wait(lambda: _workspace(db, BETA)["uninstalled_at"])
    assert _bot_keys(db) == {ALPHA, GRID}
    assert set(_sent_to(fake)) == {ALPHA, GRID}
    assert _pending(db, BETA) == 0  # paused like an uninstall: nothing waits on a dead token
    assert _workspace(db, ALPHA)["uninstalled_at"] is None


def test_a_reinstall_within_the_grace_period_resumes_and_replans(world, db):
    app, fake, dispatcher, clock = world
    fake.uninstall(ALPHA)
    slack_of(app, fake, ALPHA).event({"type": "app_uninstalled"})
    wait(lambda: _workspace(db, ALPHA)["uninstalled_at"])
    assert _pending(db, ALPHA) == 0
    clock.advance(days=3)
    assert install(app.url, fake, ALPHA).status == 200
    assert _workspace(db, ALPHA)["uninstalled_at"] is None
    assert _pending(db, ALPHA) > 0
    assert app.container.tokens.bot_token(team_id=ALPHA) == fake.installs[ALPHA].live_token()
    clock.instant = datetime(2026, 3, 9, 9, 46, tzinfo=UTC)  # the next Monday
    assert tick(app.container, dispatcher) == 4
    assert "DU0ANNA" in _sent_to(fake)[ALPHA]
    assert clock.now() - MONDAY_9 > timedelta(days=6)


def test_the_scheduled_jobs_dm_with_each_workspaces_token_and_skip_a_removed_one(world, db):
    from types import SimpleNamespace

    from bot.scheduler import tell_failing_calendars, workspace_token_for
    from bot.services.calendars import FailingNotice
    from bot.slack.profiles import ProfileEmails

    app, fake, _, _ = world
    fake.uninstall(BETA)
    slack_of(app, fake, BETA).event({"type": "app_uninstalled"})
    wait(lambda: _workspace(db, BETA)["uninstalled_at"])
    notices = [
        FailingNotice(team_id=KEY[team], user_id=user, why="not_found", host="calendar.example")
        for team, user in PEOPLE.items()
    ]

    class Calendars:
        def failing_for_a_day(self):
            return notices

    container = SimpleNamespace(
        client=app.container.client,
        tokens=app.container.tokens,
        services=SimpleNamespace(calendars=Calendars()),
    )
    tell_failing_calendars(container)
    assert set(_sent_to(fake)) == {ALPHA, GRID}
    assert sorted(_sent_to(fake)[GRID]) == ["DW0CARA", "DW0DAN"]

    emails = ProfileEmails(app.container.client, token_for=workspace_token_for(app.container))
    assert emails.email_of(GRID, PEOPLE[GRID_B]) == "w0dan@example.com"
    assert emails.email_of(BETA, PEOPLE[BETA]) is None  # no token: no call at all
    assert fake.calls_for(BETA, "users.info") == []
