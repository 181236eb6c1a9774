"""Journey 9: export sends her everything by DM; forget-me (after confirming) deletes
everything about her, cancels what was pending, and removes her from buddies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import time_machine
from sqlmodel import SQLModel, select

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from bot.storage import checkins
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import command_reply, log_meeting, wait

TEAM = "C0TEAM"
OTHER = "U0ANA"


def _onboard(container, user_id=USER_ID, share=True):
    answers = OnboardingAnswers(
        "Speak up", SelfPlacement.WHEN_ASKED, 50, share, TEAM if share else None
    )
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=user_id, answers=answers, tz="America/New_York"
    )


def _rows(db) -> dict[str, int]:
    with db.session() as s:
        return {
            t.name: s.exec(select(t.c.id).select_from(t)).all().__len__()
            for t in SQLModel.metadata.sorted_tables
            if "id" in t.c
        }


def test_export_sends_one_json_file_with_everything_to_her_dm(slack, fake_slack, running_app):
    _onboard(running_app.container, share=False)
    log_meeting(slack, fake_slack)
    assert "arrive in our DM" in command_reply(slack, fake_slack, "export")["text"]
    fake_slack.wait_for("files.completeUploadExternal")
    [upload] = fake_slack.uploaded_files()
    assert upload["channel"] == fake_slack.dm_channel(USER_ID)
    data = json.loads(upload["bytes"])
    assert data["profile"]["goal"] == "Speak up"
    assert data["attempts"][0]["reflection"] == "Said it in the first five minutes."
    assert data["user_id"] == USER_ID


def test_forget_me_deletes_everything_and_nothing_more_is_sent(slack, fake_slack, running_app, db):
    container = running_app.container
    fake_slack.add_user(OTHER, tz="Europe/London")
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, OTHER])
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=True) as clock:
        _onboard(container)
        _onboard(container, user_id=OTHER, share=False)
        container.services.buddies.invite(team_id=TEAM_ID, user_id=OTHER, buddy_user_id=USER_ID)
        container.services.meetings.add(
            team_id=TEAM_ID,
            user_id=USER_ID,
            meeting=MeetingInput(
                "Planning", weekdays_to_mask([0]), None, time(10, 0), 30, "America/New_York"
            ),
        )
        before = _rows(db)
        assert before["checkin"] > 0 and before["buddy"] == 1
        question = slack.command("forget-me", user_id=USER_ID).json()
        assert "can't be undone" in str(question["blocks"])
        # A check-in due for her is claimed by a process at this very moment...
        clock.move_to(datetime(2026, 3, 2, 14, 45, tzinfo=UTC))
        dispatcher = build_dispatcher(container)
        with db.session() as s:
            claimed = checkins.claim_due(
                s, now=container.clock.now(), owner=dispatcher.owner, limit=5
            )
        queued = [dispatcher._prepare(i, container.clock.now()) for i in claimed]
        r = slack.block_action(user_id=USER_ID, action_id="forget_confirm", value="forget")
        done = fake_slack.wait_for_response_url_post(r.response_url)
        assert "Everything Voice Coach knew about you is deleted" in done["text"]
        # ...and finds nothing to send once she is forgotten.
        assert [dispatcher._deliver(m) for m in queued if m] == [False]
        dispatcher.close()
    after = _rows(db)
    assert after["coachee"] == 1  # only the colleague remains
    for table in ("meeting", "checkin", "attempt", "celebration", "buddy", "pause"):
        assert after[table] == 0, table
    home = wait(lambda: fake_slack.home_view(USER_ID))
    assert "Get started" in str(home["blocks"])  # she's a new user again


def test_logs_never_contain_what_she_wrote(slack, fake_slack, running_app, caplog):
    """Even at DEBUG, nothing she typed (goal, reflection, meeting name) reaches a log."""
    import logging

    with caplog.at_level(logging.DEBUG):
        assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
        slack.command("start", user_id=USER_ID)
        from tests.support.view_state import checkboxes, conversation, radio, state, text
        from tests.support.view_state import select as pick

        values = state(
            goal=text("My very private goal"),
            placement=radio("when_asked"),
            confidence=pick(40),
            share_wins=checkboxes(),
            share_channel=conversation(None),
        )
        slack.view_submission(user_id=USER_ID, callback_id="onboarding", values=values)
        wait(lambda: fake_slack.calls_to("chat.postMessage"))
        log_meeting(slack, fake_slack)  # meeting "Design review", a reflection
        wait(lambda: len(fake_slack.calls_to("chat.postMessage")) >= 3)
    logged = caplog.text
    for private in ("My very private goal", "Said it in the first five minutes", "Design review"):
        assert private not in logged, private
