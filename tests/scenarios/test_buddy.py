"""Journey 6, the buddy: invited, accepts, hears about wins (nothing private), nudged
before practice meetings, sends encouragement; she can remove them, they can step down."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import button, command_reply, dms, log_meeting, texts, wait
from tests.support.view_state import state, text

ANA, BEN = "U0ANA", "U0BEN"


@pytest.fixture(autouse=True)
def _colleagues(fake_slack):
    fake_slack.add_user(ANA, tz="Europe/London", real_name="Ana")
    fake_slack.add_user(BEN, tz="Europe/London", real_name="Ben")


def _onboard(container) -> None:
    answers = OnboardingAnswers("Speak up", SelfPlacement.WHEN_ASKED, 50, False, None)
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="America/New_York"
    )


def _click(slack, fake, message: dict, action_id: str, *, user_id: str, dm_of: str):
    return slack.block_action(
        user_id=user_id,
        action_id=action_id,
        value=button(message, action_id)["value"],
        message=message,
        channel_id=fake.dm_channel(dm_of),
    )


def _invite_and_accept(slack, fake) -> dict:
    reply = command_reply(slack, fake, "buddy <@U0ANA|ana>")
    assert "I've asked <@U0ANA> to be your buddy" in texts(reply["blocks"])
    invitation = wait(lambda: dms(fake, ANA))[0]
    assert "would like you as their buddy" in texts(invitation["blocks"])
    assert "never how confident she felt" in texts(invitation["blocks"])
    _click(slack, fake, invitation, "buddy_accept", user_id=ANA, dm_of=ANA)
    wait(lambda: any("is now your buddy" in texts(m["blocks"]) for m in dms(fake)))
    return invitation


def test_buddy_end_to_end_sees_wins_only(slack, fake_slack, running_app):
    _onboard(running_app.container)
    _invite_and_accept(slack, fake_slack)
    before = len(dms(fake_slack, ANA))
    log_meeting(slack, fake_slack, after=70)  # with a private reflection
    note = wait(lambda: dms(fake_slack, ANA)[before:])[0]
    seen = texts(note["blocks"])
    assert "took on a speaking challenge and did it" in seen
    for private in ("70", "first five minutes", "Design review", "About right"):
        assert private not in seen, private
    slack.block_action(
        user_id=ANA,
        action_id="buddy_encourage",
        value=button(note, "buddy_encourage")["value"],
        message=note,
        channel_id=fake_slack.dm_channel(ANA),
    )
    modal = fake_slack.wait_for("views.open", count=2)[-1]["view"]  # after the log modal
    r = slack.view_submission(
        user_id=ANA,
        callback_id="encourage",
        values=state(encouragement=text("You've got this, <!channel>!")),
        private_metadata=modal["private_metadata"],
    )
    assert r.status == 200 and r.text == ""
    word = wait(
        lambda: next((m for m in dms(fake_slack) if "word of encouragement" in m["text"]), None)
    )
    assert "<@U0ANA> sent you a word of encouragement" in texts(word["blocks"])
    assert "&lt;!channel&gt;" in texts(word["blocks"])  # her words can't ping a channel


def test_only_the_invited_colleague_can_answer(slack, fake_slack, running_app, db):
    _onboard(running_app.container)
    slack.command("buddy <@U0ANA>", user_id=USER_ID)
    invitation = wait(lambda: dms(fake_slack, ANA))[0]
    _click(slack, fake_slack, invitation, "buddy_accept", user_id=BEN, dm_of=BEN)
    assert (
        running_app.container.services.buddies.active_buddy(team_id=TEAM_ID, user_id=USER_ID)
        is None
    )


def test_buddy_is_nudged_before_a_practice_meeting(slack, fake_slack, running_app):
    container = running_app.container
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False) as clock:
        _onboard(container)
        _invite_and_accept(slack, fake_slack)
        container.services.meetings.add(
            team_id=TEAM_ID,
            user_id=USER_ID,
            meeting=MeetingInput(
                "Secret project sync",
                weekdays_to_mask([0]),
                None,
                time(10, 0),
                30,
                "America/New_York",
            ),
        )
        dispatcher = build_dispatcher(container)
        try:
            clock.move_to(datetime(2026, 3, 2, 14, 45, tzinfo=UTC))
            assert dispatcher.tick() == 1
        finally:
            dispatcher.close()
        nudge = wait(
            lambda: next((m for m in dms(fake_slack, ANA) if "practice meeting" in m["text"]), None)
        )
        assert "at 10:00 (their time)" in texts(nudge["blocks"])
        assert "Secret project" not in str(nudge)


def test_she_removes_the_buddy_and_they_hear_no_more(slack, fake_slack, running_app):
    _onboard(running_app.container)
    _invite_and_accept(slack, fake_slack)
    reply = command_reply(slack, fake_slack, "buddy remove")
    assert "is no longer your buddy" in texts(reply["blocks"])
    ended = wait(lambda: [m for m in dms(fake_slack, ANA) if "ended" in m["text"]])
    assert ended
    before = len(dms(fake_slack, ANA))
    log_meeting(slack, fake_slack)
    wait(lambda: any("first win" in texts(m["blocks"]) for m in dms(fake_slack)))
    assert len(dms(fake_slack, ANA)) == before


def test_the_buddy_can_step_down(slack, fake_slack, running_app):
    _onboard(running_app.container)
    invitation = _invite_and_accept(slack, fake_slack)
    accepted = fake_slack.message(fake_slack.dm_channel(ANA), invitation["ts"])
    _click(slack, fake_slack, accepted, "buddy_step_down", user_id=ANA, dm_of=ANA)
    assert wait(lambda: any("stepped down" in m["text"] for m in dms(fake_slack)))


def test_an_unreachable_buddy_is_not_left_invited(slack, fake_slack, running_app):
    _onboard(running_app.container)
    reply = command_reply(slack, fake_slack, "buddy <@U0GHOST>")["text"]
    assert "couldn't send <@U0GHOST> a message" in reply
    assert (
        running_app.container.services.buddies.active_buddy(team_id=TEAM_ID, user_id=USER_ID)
        is None
    )


def test_bad_buddy_arguments_say_what_would_work(slack, fake_slack, running_app):
    _onboard(running_app.container)
    for args in ("buddy", "buddy bob", "buddy <@U0MILA>"):
        reply = command_reply(slack, fake_slack, args)["text"]
        assert "/voice buddy @someone" in reply, args
    assert "don't have a buddy" in command_reply(slack, fake_slack, "buddy remove")["text"]
