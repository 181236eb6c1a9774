"""Payload bugs the surface catalogue (tests/slack/test_catalogue.py) found, each read back
through the running app as she would see it: what the fake Slack stored or was posted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
import time_machine
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.content import load_ladder
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.models import Celebration, CelebrationKind, CelebrationStatus, Cheer, Coachee
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from bot.slack.sharing import deliver_cheers, post_roundups
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import (
    button,
    choose_confidence,
    command_reply,
    dms,
    log_meeting,
    texts,
    tick,
    wait,
)
from tests.support.view_state import checkboxes, state, text, timepicker
from tests.support.view_state import select as pick

TEAM = "C0TEAM"
HOSTILE_NAME = "<!channel> Q&A <@U0BOSS>"
SHOWN_NAME = "&lt;!channel&gt; Q&amp;A &lt;@U0BOSS&gt;"  # Slack shows this as typed


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _onboard(container, *, share: bool = False) -> None:
    answers = OnboardingAnswers(
        "Speak up in planning", SelfPlacement.WHEN_ASKED, 50, share, TEAM if share else None
    )
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="America/New_York"
    )


def _add_meeting(container, name: str) -> int:
    meeting = MeetingInput(
        name, weekdays_to_mask([0]), None, clock_time(10, 0), 30, "America/New_York"
    )
    return container.services.meetings.add(team_id=TEAM_ID, user_id=USER_ID, meeting=meeting).id


@pytest.fixture
def dispatcher(running_app):
    dispatcher = build_dispatcher(running_app.container)
    yield dispatcher
    dispatcher.close()


# -- check-ins: her meeting's name in the notification ----------------------------------------


def test_checkin_notifications_show_her_meeting_name_as_typed(
    slack, fake_slack, running_app, dispatcher
):
    """Regression: the notification text (`text`, mrkdwn too) of the pre and post check-ins,
    the answered check-in and the reminder carried her meeting's name unescaped, so a
    meeting called "<!channel> Q&A" notified as an @channel and lost its "<…>" parts."""
    container = running_app.container
    dm = fake_slack.dm_channel(USER_ID)
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container)
        _add_meeting(container, HOSTILE_NAME)
        clock.move_to(_utc(2026, 3, 2, 14, 45))  # 09:45 in New York, Monday
        assert tick(container, dispatcher) == 1
        pre = dms(fake_slack)[-1]
        assert pre["text"] == f"{SHOWN_NAME} starts at 10:00"
        assert f"*{SHOWN_NAME}* starts at 10:00" in texts(pre["blocks"])

        choose_confidence(slack, fake_slack, pre, "70")
        answered = fake_slack.message(dm, pre["ts"])
        assert answered["text"].startswith(f"{SHOWN_NAME}: ")

        clock.move_to(_utc(2026, 3, 2, 15, 35))  # 10:35: the post-meeting check-in
        assert tick(container, dispatcher) == 1
        post = dms(fake_slack)[-1]
        assert post["text"] == f"How did {SHOWN_NAME} go?"
        while not tick(container, dispatcher):  # the gentle nudge, later that working day
            assert time.time() < _utc(2026, 3, 3).timestamp(), "no reminder"
            clock.shift(timedelta(minutes=15))
        reminder = dms(fake_slack)[-1]
        assert "gentle nudge" in texts(reminder["blocks"])
        assert reminder["text"] == f"How did {SHOWN_NAME} go?"
    for message in fake_slack.messages(dm):
        assert "<!channel>" not in message["text"] + texts(message["blocks"])


def test_a_confidence_of_0_is_noted_like_any_other(slack, fake_slack, running_app, dispatcher):
    """Regression: the answered pre-meeting check-in said "Confidence noted" for 10–100
    but nothing for 0 (`if state.confidence`), as if she hadn't answered."""
    container = running_app.container
    dm = fake_slack.dm_channel(USER_ID)
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container)
        _add_meeting(container, "Weekly planning")
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        assert tick(container, dispatcher) == 1
        pre = dms(fake_slack)[-1]
        choose_confidence(slack, fake_slack, pre, "0 — cannot do at all")
    updated = fake_slack.message(dm, pre["ts"])
    assert "*Weekly planning*: Confidence noted: *0*. Today's challenge:" in texts(
        updated["blocks"]
    )


# -- meetings: the Remove confirmation -----------------------------------------------------------


def test_the_remove_confirmation_shows_her_meeting_name_as_typed(slack, fake_slack, running_app):
    """Regression: the Remove button's confirmation text is mrkdwn, and carried her meeting's
    name raw (cut at 200 characters, which an escaped name of 150 can exceed)."""
    container = running_app.container
    _onboard(container)
    _add_meeting(container, HOSTILE_NAME)
    _add_meeting(container, "&" * 150)  # the longest name the form accepts, all escapes
    listing = command_reply(slack, fake_slack, "meetings")
    confirms = [
        e["confirm"]["text"]["text"]
        for b in listing["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "meeting_remove"
    ]
    assert confirms[0] == f"No more check-ins for {SHOWN_NAME}."
    assert confirms[1] == "No more check-ins for " + "&amp;" * 39 + "….", confirms[1]
    assert all(len(c) <= 300 for c in confirms)  # Slack's limit for a confirmation's text


# -- /voice: what she typed, cut short ------------------------------------------------------------


def test_what_she_typed_is_cut_between_her_characters(slack, fake_slack):
    """Regression: `/voice progress <&&&…>` quoted her text escaped and then cut at 40
    characters, which can cut inside "&amp;" and show her "&am…"."""
    reply = command_reply(slack, fake_slack, "progress " + "&" * 50)
    assert "(you added `" + "&amp;" * 7 + "…`)" in reply["text"]


# -- celebrations and the buddy: long lists, many lines ------------------------------------


def test_hundreds_of_cheers_reach_her_named_then_counted(slack, fake_slack, running_app, db):
    """Regression: the cheers DM named every teammate who cheered; past about 180 names its
    text passed Slack's 3000 characters, building it raised, and deliver_cheers stopped for
    everyone, every minute. The channel post named the first 20 and dropped the rest."""
    container = running_app.container
    team = [f"U{n:010d}" for n in range(250)]
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, *team])
    _onboard(container, share=True)
    log_meeting(slack, fake_slack)
    question = wait(
        lambda: next(
            (m for m in dms(fake_slack) if "took on a speaking challenge" in texts(m["blocks"])),
            None,
        )
    )
    dm = fake_slack.dm_channel(USER_ID)
    slack.block_action(
        user_id=USER_ID,
        action_id="share_win",
        value=button(question, "share_win")["value"],
        message=question,
        channel_id=dm,
    )
    post = wait(lambda: fake_slack.messages(TEAM))[0]
    celebration_id = int(button(post, "cheer")["value"])
    cheered_at = datetime.now(UTC) - timedelta(minutes=5)
    with db.session() as s:
        for who in team[1:]:
            s.add(
                Cheer(
                    team_id=TEAM_ID,
                    celebration_id=celebration_id,
                    cheerer_user_id=who,
                    created_at=cheered_at,
                )
            )
    r = slack.block_action(
        user_id=team[0],
        action_id="cheer",
        value=str(celebration_id),
        message={**post, "channel": TEAM},
        channel_id=TEAM,
    )
    assert r.status == 200
    updated = wait(
        lambda: (
            "Cheer (250)" in str(fake_slack.message(TEAM, post["ts"])["blocks"])
            and fake_slack.message(TEAM, post["ts"])
        )
    )

    with time_machine.travel(time.time() + 61, tick=True):
        assert deliver_cheers(container.client, container.services) == 1
    line = dms(fake_slack)[-1]["blocks"][0]["text"]["text"]
    # Oldest first: the 249 stored cheers, then the click; 20 named, the rest counted.
    named = ", ".join(f"<@{u}>" for u in team[1:21])
    assert line.startswith(f":clap: {named} and 230 others cheered your win:\n>")
    assert texts(updated["blocks"]).endswith(f"Cheered by {named} and 230 others")


def test_a_buddys_words_are_quoted_line_by_line(slack, fake_slack, running_app):
    """Regression: her buddy's encouragement (a multi-line input) was quoted with one ">",
    which quotes only the first line; the rest read as if the app had said it."""
    container = running_app.container
    fake_slack.add_user("U0ANA", tz="Europe/London", real_name="Ana")
    _onboard(container)
    buddies = container.services.buddies
    invited = buddies.invite(team_id=TEAM_ID, user_id=USER_ID, buddy_user_id="U0ANA")
    buddies.respond(team_id=TEAM_ID, buddy_user_id="U0ANA", buddy_id=invited.id, accept=True)
    slack.block_action(user_id="U0ANA", action_id="buddy_encourage", value=str(invited.id))
    fake_slack.wait_for("views.open")
    r = slack.view_submission(
        user_id="U0ANA",
        callback_id="encourage",
        values=state(encouragement=text("You've got this.\nSay the <first> thing.")),
    )
    assert r.status == 200 and r.text == ""
    word = wait(lambda: next((m for m in dms(fake_slack) if "encouragement" in m["text"]), None))
    assert texts(word["blocks"]).endswith(
        "encouragement:\n>You've got this.\n>Say the &lt;first&gt; thing."
    )


# -- the weekly round-up: whole lines ------------------------------------------------------------


def test_a_busy_weeks_roundup_shows_whole_lines_and_counts_the_rest(
    slack, fake_slack, running_app, db
):
    """Regression: the round-up joined up to 40 wins and cut the text at 3000 characters,
    mid-line (a mention cut to "<@U0MI" shows raw), saying nothing of the rest."""
    container = running_app.container
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID])
    ladder = load_ladder()
    longest = max((c for s in ladder.steps for c in s.challenges), key=lambda c: len(c.do))
    with time_machine.travel(_utc(2026, 3, 4, 15, 0), tick=True) as clock:  # Wednesday
        _onboard(container, share=True)
        container.services.roundups.set(
            team_id=TEAM_ID, user_id=USER_ID, channel_id=TEAM, tz="America/New_York", on=True
        )
        with db.session() as s:
            coachee = s.exec(select(Coachee)).one()
            for n in range(45):
                s.add(
                    Celebration(
                        team_id=TEAM_ID,
                        coachee_id=coachee.id,
                        kind=CelebrationKind.WIN,
                        detail=longest.id,
                        status=CelebrationStatus.SHARED,
                        channel_id=TEAM,
                        created_at=_utc(2026, 3, 4, 15, 0),
                        shared_at=_utc(2026, 3, 4, 15, n),
                    )
                )
        clock.move_to(_utc(2026, 3, 6, 20, 0))  # Friday 15:00 in New York
        assert post_roundups(container.client, container.services) == 1
    roundup = fake_slack.messages(TEAM)[-1]
    assert "*This week's wins* (45)" in roundup["blocks"][0]["text"]["text"]
    *wins, rest = roundup["blocks"][1]["text"]["text"].split("\n")
    whole = f"• <@{USER_ID}> took on a speaking challenge and did it: “{longest.do}”"
    assert wins and set(wins) == {whole}
    assert rest == f"…and {45 - len(wins)} more"


# -- not fixed here ------------------------------------------------------------------------------


def test_the_note_above_her_meetings_shows_her_meeting_name_as_typed(
    slack, fake_slack, running_app
):
    _onboard(running_app.container)
    values = state(
        meeting_name=text(HOSTILE_NAME),
        weekdays=checkboxes("0"),
        start_time=timepicker("10:00"),
        duration=pick(30),
        meeting_tz=text("America/New_York"),
    )
    r = slack.command("meetings", user_id=USER_ID)
    assert r.status == 200
    r = slack.block_action(user_id=USER_ID, action_id="meeting_add", value="add")
    fake_slack.wait_for("views.open")
    r = slack.view_submission(user_id=USER_ID, callback_id="meeting", values=values)
    assert r.status == 200 and r.text == ""
    note = wait(lambda: dms(fake_slack))[-1]["blocks"][0]["text"]["text"]
    assert note == f"Added *{SHOWN_NAME}*. I'll check in before and after it."
