"""A payload Slack refuses is a bug, not a network fault: through the running app, a
refused check-in is counted on /metrics and never retried, her next one still arrives,
and a person whose reply or view Slack refused gets a short apology instead of silence."""

from __future__ import annotations

import logging

import pytest
import time_machine
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.models import Buddy, Checkin
from bot.slack import checkin_sender, ids, surfaces
from bot.slack.app import SORRY
from bot.slack.listeners.actions import checkins as checkin_actions
from bot.slack.listeners.commands import voice
from tests.conftest import TEAM_ID, USER_ID
from tests.observability.support import grew, scrape, value, with_option_without_text
from tests.scenarios.test_checkins import _add_meeting, _onboard, _utc
from tests.support.journey import button, dms, tick, wait


@pytest.fixture
def app(running_app):
    dispatcher = build_dispatcher(running_app.container)
    yield running_app, dispatcher
    dispatcher.close()


def _with_empty_section(message: dict) -> dict:
    """A section whose text is empty: Slack refuses it (a text object needs text)."""
    return {**message, "blocks": [*message["blocks"], _EMPTY]}


_EMPTY = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_refused_checkin_is_counted_never_retried_and_her_next_one_arrives(
    fake_slack, app, db, monkeypatch
):
    running, dispatcher = app
    container = running.container
    build = checkin_sender.BUILDERS["pre"]
    monkeypatch.setitem(
        checkin_sender.BUILDERS, "pre", lambda m: with_option_without_text(build(m))
    )
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 2, 14, 45))  # 09:45 EST: her pre-meeting check-in
        before = scrape(running.url)
        assert value(before, "voice_coach_checkins_due") == 1
        assert tick(container, dispatcher) == 0
        refusals = fake_slack.expect_refusals()
        assert [(r.where, r.error) for r in refusals] == [("chat.postMessage", "invalid_blocks")]
        posts = len(fake_slack.calls_to("chat.postMessage"))
        for minute in (46, 50, 59):  # past any back-off: still not sent again
            clock.move_to(_utc(2026, 3, 2, 14, minute))
            assert tick(container, dispatcher) == 0
        assert len(fake_slack.calls_to("chat.postMessage")) == posts
        with db.session() as s:
            first = select(Checkin).where(Checkin.kind == "pre").order_by(Checkin.due_at)
            pre = s.exec(first).first()
        assert pre.status == "failed" and pre.send_attempts == 1
        assert pre.last_error.startswith("chat.postMessage refused: invalid_blocks at /blocks/")

        after = scrape(running.url)
        post = {"method": "chat.postMessage", "error": "invalid_blocks"}
        for name, labels in [
            ("voice_coach_checkins_failed_total", {"reason": "refused"}),
            ("voice_coach_slack_refused_total", post),
            ("voice_coach_slack_api_errors_total", post),
        ]:
            assert grew(before, after, name, **labels) == 1, name
        assert grew(before, after, "voice_coach_checkins_sent_total") == 0
        assert value(after, "voice_coach_checkins_due") == 0

        # After the meeting, her next check-in (another builder) goes out as usual.
        clock.move_to(_utc(2026, 3, 2, 15, 41))  # due at 15:35, not sent yet
        waiting = scrape(running.url)
        assert value(waiting, "voice_coach_checkins_due") == 1
        assert value(waiting, "voice_coach_checkins_overdue") == 1  # over 5 minutes late
        assert tick(container, dispatcher) == 1
        assert "How did" in str(dms(fake_slack)[-1]["blocks"])
        sent = scrape(running.url)
        assert grew(before, sent, "voice_coach_checkins_sent_total") == 1
        assert value(sent, "voice_coach_checkins_overdue") == 0


def test_a_refused_command_reply_gets_her_an_apology_and_is_counted(
    slack, fake_slack, running_app, monkeypatch, caplog
):
    _onboard(running_app.container, USER_ID, "America/New_York")
    monkeypatch.setattr(
        voice,
        "build_challenge_message",
        lambda card, note=None: _with_empty_section({"text": card.challenge.do, "blocks": []}),
    )
    before = scrape(running_app.url)
    with caplog.at_level(logging.INFO):
        r = slack.command("challenge", user_id=USER_ID)
        assert r.status == 200 and r.text == ""
        # The response URL refused the reply (HTTP 400, "invalid_blocks"); the apology
        # went to the same URL.
        apology = fake_slack.wait_for_response_url_post(r.response_url)
    assert apology["text"] == SORRY and apology["response_type"] == "ephemeral"
    assert [(x.where, x.error) for x in fake_slack.expect_refusals()] == [
        ("response_url", "invalid_blocks")
    ]
    after = scrape(running_app.url)
    labels = {"method": "response_url", "error": "invalid_blocks"}
    assert grew(before, after, "voice_coach_slack_refused_total", **labels) == 1
    assert grew(before, after, "voice_coach_listener_errors_total", kind="command") == 1
    [error] = _errors(caplog)
    line = error.getMessage()
    assert "Slack refused response_url: slack_error=invalid_blocks" in line
    assert f"user={USER_ID}" in line and "what=/voice" in line
    assert error.exc_info is None
    card = running_app.container.services.coaching.today(team_id=TEAM_ID, user_id=USER_ID)
    assert not any(card.challenge.do in r.getMessage() for r in caplog.records)


def test_a_refused_update_of_a_checkin_gets_her_an_apology(
    slack, fake_slack, app, monkeypatch, caplog
):
    running, dispatcher = app
    container = running.container
    build = checkin_actions.build_checkin_state
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        assert tick(container, dispatcher) == 1
        pre = dms(fake_slack)[-1]
        monkeypatch.setattr(
            checkin_actions, "build_checkin_state", lambda s: _with_empty_section(build(s))
        )
        before = scrape(running.url)
        with caplog.at_level(logging.INFO):
            r = slack.block_action(
                user_id=USER_ID,
                action_id=ids.CHECKIN_SKIP,
                value=button(pre, ids.CHECKIN_SKIP)["value"],
                message=pre,
                channel_id=fake_slack.dm_channel(USER_ID),
            )
            assert r.status == 200
            apology = fake_slack.wait_for_response_url_post(r.response_url)
    assert apology["text"] == SORRY and apology["replace_original"] is False
    [refusal] = fake_slack.expect_refusals()
    assert (refusal.where, refusal.error) == ("chat.update", "invalid_blocks")
    after = scrape(running.url)
    labels = {"method": "chat.update", "error": "invalid_blocks"}
    assert grew(before, after, "voice_coach_slack_refused_total", **labels) == 1
    [error] = _errors(caplog)
    assert "Slack refused chat.update: slack_error=invalid_blocks pointers=/blocks/" in (
        error.getMessage()
    )


def test_a_refused_home_tab_from_a_home_button_is_apologised_for_in_her_dm(
    slack, fake_slack, running_app, monkeypatch
):
    _onboard(running_app.container, USER_ID, "America/New_York")
    slack.event({"type": "app_home_opened", "user": USER_ID, "channel": "D0", "tab": "home"})
    fake_slack.wait_for("views.publish")
    home = fake_slack.home_view(USER_ID)
    build = surfaces.build_home_dashboard
    monkeypatch.setattr(surfaces, "build_home_dashboard", lambda *a: _with_empty_section(build(*a)))
    before = scrape(running_app.url)
    r = slack.block_action(
        user_id=USER_ID, action_id=ids.CHALLENGE_SWAP, value=ids.FROM_HOME, view=home
    )
    assert r.status == 200 and r.response_url is None  # a view's click has no response URL
    apology = wait(lambda: [m for m in dms(fake_slack) if m.get("text") == SORRY])
    assert len(apology) == 1
    [refusal] = fake_slack.expect_refusals()
    assert (refusal.where, refusal.error) == ("views.publish", "invalid_arguments")
    after = scrape(running_app.url)
    labels = {"method": "views.publish", "error": "invalid_arguments"}
    assert grew(before, after, "voice_coach_slack_refused_total", **labels) == 1
    assert grew(before, after, "voice_coach_listener_errors_total", kind="block_actions") == 1


def test_a_refused_home_tab_on_opening_it_is_logged_and_counted_only(
    slack, fake_slack, running_app, monkeypatch, caplog
):
    _onboard(running_app.container, USER_ID, "America/New_York")
    build = surfaces.build_home_dashboard
    monkeypatch.setattr(surfaces, "build_home_dashboard", lambda *a: _with_empty_section(build(*a)))
    before = scrape(running_app.url)
    with caplog.at_level(logging.INFO):
        slack.event({"type": "app_home_opened", "user": USER_ID, "channel": "D0", "tab": "home"})
        fake_slack.wait_for("views.publish")
        wait(lambda: _errors(caplog))
    [error] = _errors(caplog)
    assert "Slack refused views.publish: slack_error=invalid_arguments" in error.getMessage()
    assert fake_slack.expect_refusals()[0].where == "views.publish"
    after = scrape(running_app.url)
    assert grew(before, after, "voice_coach_listener_errors_total", kind="event") == 1
    # Nobody clicked anything: no DM out of the blue, no response URL to answer.
    assert dms(fake_slack) == [] and fake_slack.response_url_posts() == []


def test_a_refused_buddy_invitation_is_our_bug_not_her_buddys_account(
    slack, fake_slack, running_app, db, monkeypatch
):
    fake_slack.add_user("U0PRIYA", tz="Asia/Kolkata", real_name="Priya Iyer")
    _onboard(running_app.container, USER_ID, "America/New_York")
    build = voice.build_invitation
    monkeypatch.setattr(voice, "build_invitation", lambda b: _with_empty_section(build(b)))
    r = slack.command("buddy <@U0PRIYA|priya>", user_id=USER_ID)
    assert r.status == 200
    reply = fake_slack.wait_for_response_url_post(r.response_url)
    assert reply["text"] == SORRY  # not "a guest or a deactivated account, perhaps"
    assert [x.where for x in fake_slack.expect_refusals()] == ["chat.postMessage"]
    with db.session() as s:  # the invitation that never arrived is withdrawn
        assert [b.status for b in s.exec(select(Buddy))] == ["ended"]
