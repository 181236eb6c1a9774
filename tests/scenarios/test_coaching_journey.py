"""Journeys 1, 5, 7, 8: start, first challenge, log wins, turn up the dial, see progress.

Everything goes through the running app over HTTP, signed like Slack, against the
fake Slack; assertions are on what she sees (DMs, modals, Home) and what is stored.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from bot.models import Attempt, Coachee
from bot.slack.blocks.progress import NOT_STARTED
from tests.conftest import USER_ID
from tests.support.journey import command_reply, open_log
from tests.support.journey import dms as _dms
from tests.support.journey import log_meeting as _log
from tests.support.journey import texts as _texts
from tests.support.journey import wait as _wait
from tests.support.view_state import checkboxes, conversation, radio, settings, state, text
from tests.support.view_state import select as pick

OTHER = "U0OTHER"


def _onboarding_values(**overrides) -> dict:
    fields = dict(
        goal=text("Share my ideas in the weekly planning meeting"),
        placement=radio("when_asked"),
        confidence=pick(40),
        share_wins=checkboxes(),
        share_channel=conversation(None),
    )
    fields.update(overrides)
    return state(**fields)


def _start(slack, fake) -> dict:
    r = slack.command("start", user_id=USER_ID)
    assert r.status == 200
    opened = fake.wait_for("views.open")[-1]
    assert opened["view"]["callback_id"] == "onboarding"
    r = slack.view_submission(
        user_id=USER_ID, callback_id="onboarding", values=_onboarding_values()
    )
    assert r.status == 200 and r.text == ""
    # Her first challenge, then the self-efficacy check's offer (tests/scenarios/test_efficacy.py).
    return _wait(lambda: _dms(fake)[1:] and _dms(fake))[0]


def test_the_whole_journey(slack, fake_slack, db):
    # Journey 1: start, submit, first challenge by DM.
    first = _start(slack, fake_slack)
    first_text = _texts(first["blocks"])
    assert "small win" in first_text
    assert "Step 3 of 8: Speak when invited" in first_text  # "I speak when asked"
    assert ":bulb: *Tip:*" in first_text and "Why it helps" in first_text
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert (mila.current_step, mila.start_step, mila.tz) == (3, 3, "America/New_York")
    home = _wait(lambda: fake_slack.home_view(USER_ID))
    assert "Today's challenge" in _texts(home["blocks"])

    # Journey 8: two wins logged; the second felt easy, so the dial is offered.
    reply = _log(slack, fake_slack)
    assert "That's a win" in _texts(reply["blocks"])
    milestone = _wait(lambda: _dms(fake_slack)[3:])[0]  # after the challenge, check and reply
    assert "your first win" in _texts(milestone["blocks"])
    assert "Share" not in _texts(milestone["blocks"])  # she didn't opt in: nothing to share
    assert not any(b.get("block_id") == "offer" for b in reply["blocks"])
    offer_dm = _log(slack, fake_slack, felt="too_easy", after=80)
    offer_text = _texts(offer_dm["blocks"])
    assert "Turn up the dial?" in offer_text and "Step 4" in offer_text
    buttons = next(b for b in offer_dm["blocks"] if b.get("block_id") == "offer")["elements"]
    assert [b["action_id"] for b in buttons] == ["offer_accept", "offer_stay"]

    # Journey 5: she accepts; the DM updates in place; a second click changes nothing.
    for _ in range(2):
        r = slack.block_action(
            user_id=USER_ID,
            action_id="offer_accept",
            value=buttons[0]["value"],
            block_id="offer",
            message=offer_dm,
            channel_id=fake_slack.dm_channel(USER_ID),
        )
        assert r.status == 200
    fake_slack.wait_for("chat.update")
    time.sleep(0.3)
    assert len(fake_slack.calls_to("chat.update")) == 1
    updated = fake_slack.message(fake_slack.dm_channel(USER_ID), offer_dm["ts"])
    assert "Dial turned up" in _texts(updated["blocks"])
    assert not any(b.get("type") == "actions" for b in updated["blocks"])
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
        attempts = s.exec(select(Attempt)).all()
    assert (mila.current_step, mila.offer_step) == (4, None)
    assert [(a.outcome, a.felt, a.step) for a in attempts] == [
        ("did_it", "about_right", 3),
        ("did_it", "too_easy", 3),
    ]

    # Journey 7: progress and Home show the change.
    progress = _texts(command_reply(slack, fake_slack, "progress")["blocks"])
    assert "Step 4 of 8" in progress and "You started at step 3" in progress
    assert "*Wins*\n2" in progress and "2 meetings practised" in progress
    assert "`after " in progress
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
    published = len(fake_slack.calls_to("views.publish"))
    slack.event(event)
    fake_slack.wait_for("views.publish", count=published + 1)
    home = _texts(fake_slack.home_view(USER_ID)["blocks"])
    assert "Step 4 of 8: Ask a question or build on an idea" in home
    assert "Share my ideas in the weekly planning meeting" in home


def test_running_start_again_edits_her_answers(slack, fake_slack, db):
    _start(slack, fake_slack)
    slack.command("start", user_id=USER_ID)
    modal = fake_slack.wait_for("views.open", count=2)[-1]["view"]
    goal = next(b for b in modal["blocks"] if b.get("block_id") == "goal")
    assert goal["element"]["initial_value"] == "Share my ideas in the weekly planning meeting"
    values = _onboarding_values(goal=text("Lead one agenda item by spring"))
    slack.view_submission(user_id=USER_ID, callback_id="onboarding", values=values)
    reply = _wait(lambda: _dms(fake_slack)[2:])[0]  # the check is not offered again
    assert "answers are updated" in _texts(reply["blocks"])
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert (mila.goal, mila.current_step) == ("Lead one agenda item by spring", 3)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"goal": text("   ")}, {"goal": "Please add your goal, in a few words."}),
        ({"goal": text("x" * 301)}, {"goal": "Please keep it to 300 characters (this is 301)."}),
        ({"placement": radio(None)}, {"placement": "Please choose where you are today."}),
        (
            {"placement": radio("boss")},
            {"placement": "Please choose where you are today from the list."},
        ),
        ({"confidence": pick(55)}, {"confidence": "Please choose a number from the list."}),
        (
            {"share_wins": checkboxes("yes")},
            {"share_channel": "Pick the channel to share wins in, or untick sharing."},
        ),
    ],
)
def test_invalid_onboarding_gets_field_errors_and_stores_nothing(
    slack, fake_slack, db, fields, errors
):
    r = slack.view_submission(
        user_id=USER_ID, callback_id="onboarding", values=_onboarding_values(**fields)
    )
    assert r.status == 200
    assert r.json() == {"response_action": "errors", "errors": errors}
    with db.session() as s:
        assert s.exec(select(Coachee)).all() == []
    assert _dms(fake_slack) == []


def test_invalid_log_gets_field_errors_and_stores_nothing(slack, fake_slack, db):
    _start(slack, fake_slack)
    values = state(
        meeting_name=text("M" * 151),
        tried=pick("facilitate-a-meeting"),  # not one step around hers
        outcome=radio(None),
        felt=radio("meh"),
        confidence_after=pick(None),
    )
    r = slack.view_submission(user_id=USER_ID, callback_id="log_attempt", values=values)
    assert set(r.json()["errors"]) == {
        "meeting_name",
        "tried",
        "outcome",
        "felt",
        "confidence_after",
    }
    with db.session() as s:
        assert s.exec(select(Attempt)).all() == []


def _log_values(tried: str) -> dict:
    return state(
        tried=pick(tried),
        outcome=radio("did_it"),
        felt=radio("about_right"),
        confidence_after=pick(70),
    )


def _offered(modal: dict, step: int) -> list[str]:
    tried = next(b for b in modal["blocks"] if b.get("block_id") == "tried")["element"]
    group = next(
        g for g in tried["option_groups"] if g["label"]["text"].startswith(f"Step {step}:")
    )
    return [o["value"] for o in group["options"]]


def test_a_log_form_takes_what_it_offered_after_her_step_moved(slack, fake_slack, db):
    """The form is checked against the steps it showed her (she was on step 3: 2 to 4),
    not her row: her step moved to 6 while it was open (an offer taken on her phone),
    and the step-2 challenge she picked is still hers to log."""
    _start(slack, fake_slack)
    modal = open_log(slack, fake_slack)
    step_two = _offered(modal, 2)[0]
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
        mila.current_step, mila.current_challenge_id = 6, None
    before = len(_dms(fake_slack))
    r = slack.view_submission(
        user_id=USER_ID, callback_id="log_attempt", values=_log_values(step_two)
    )
    assert r.status == 200 and r.text == ""
    assert "That's a win" in _texts(_wait(lambda: _dms(fake_slack)[before:])[0]["blocks"])
    with db.session() as s:
        attempt = s.exec(select(Attempt)).one()
        assert (attempt.challenge_id, attempt.step) == (step_two, 2)


def test_a_log_form_sent_after_she_was_forgotten_keeps_nothing(slack, fake_slack, db):
    _start(slack, fake_slack)
    modal = open_log(slack, fake_slack)
    assert slack.command("forget-me", user_id=USER_ID).status == 200
    r = slack.block_action(user_id=USER_ID, action_id="forget_confirm", value="forget")
    fake_slack.wait_for_response_url_post(r.response_url)
    before = len(_dms(fake_slack))
    r = slack.view_submission(
        user_id=USER_ID, callback_id="log_attempt", values=_log_values(_offered(modal, 3)[0])
    )
    assert r.status == 200 and r.text == ""  # the form closes; her DM says why
    told = _wait(lambda: _dms(fake_slack)[before:])[0]
    assert "You haven't started yet" in _texts(told["blocks"])
    with db.session() as s:
        assert s.exec(select(Attempt)).all() == []
        assert s.exec(select(Coachee)).all() == []


def test_a_log_form_that_doesnt_say_its_step_is_checked_against_hers(slack, fake_slack):
    """A form opened before the form said its step (no private_metadata), submitted by
    someone who has since been forgotten: her row says she may not log, on the form."""
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="log_attempt",
        values=_log_values("speak-when-invited"),
        private_metadata="",
    )
    assert r.json() == {"response_action": "errors", "errors": {"tried": NOT_STARTED}}


def test_commands_before_start_invite_her_to_start(slack, fake_slack):
    for sub in ("challenge", "progress"):
        assert "/voice start" in command_reply(slack, fake_slack, sub, user_id=OTHER)["text"]
    r = slack.command("log", user_id=OTHER)
    assert r.status == 200
    post = fake_slack.wait_for_response_url_post(r.response_url)
    assert "/voice start" in str(post)


def test_challenge_swap_and_smaller_step(slack, fake_slack, db):
    _start(slack, fake_slack)
    body = command_reply(slack, fake_slack, "challenge")
    before = _texts(body["blocks"])
    r = slack.block_action(user_id=USER_ID, action_id="challenge_swap", value="message")
    swapped = fake_slack.wait_for_response_url_post(r.response_url)
    assert swapped["replace_original"] is True
    assert "another one of the same size" in _texts(swapped["blocks"])
    assert _texts(swapped["blocks"]) != before
    r = slack.block_action(user_id=USER_ID, action_id="challenge_easier", value="message")
    smaller = fake_slack.wait_for_response_url_post(r.response_url)
    assert "Step 2 of 8" in _texts(smaller["blocks"])
    with db.session() as s:
        assert s.exec(select(Coachee)).one().current_step == 2


def test_a_chart_is_sent_to_her_dm_only(slack, fake_slack):
    _start(slack, fake_slack)
    _log(slack, fake_slack)
    r = slack.block_action(user_id=USER_ID, action_id="send_chart", value="chart")
    fake_slack.wait_for("files.completeUploadExternal")
    files = fake_slack.uploaded_files()
    assert len(files) == 1
    assert files[0]["bytes"].startswith(b"\x89PNG")
    assert files[0]["channel"] == fake_slack.dm_channel(USER_ID)
    note = fake_slack.wait_for_response_url_post(r.response_url)
    assert "Sent to your DMs" in note["text"]


def test_settings_are_saved_and_validated(slack, fake_slack, db):
    _start(slack, fake_slack)
    slack.command("settings", user_id=USER_ID)
    modal = fake_slack.wait_for("views.open", count=2)[-1]["view"]
    assert modal["callback_id"] == "settings"
    bad = settings(start="18:00", end="09:00", channel=None)
    r = slack.view_submission(user_id=USER_ID, callback_id="settings", values=bad)
    assert r.json()["errors"] == {"work_end": "Your working day should end after it starts."}
    fake_slack.add_channel("C0TEAM", name="team", members=[USER_ID])
    fake_slack.add_channel("C0OTHER", name="other", members=["U0ANA"])
    day = dict(pre=30, post=10, start="08:30", end="17:00", share=("yes",))
    outside = settings(**day, channel="C0OTHER")
    r = slack.view_submission(user_id=USER_ID, callback_id="settings", values=outside)
    assert r.json()["errors"] == {"share_channel": "Pick a channel you're a member of."}
    good = settings(**day, channel="C0TEAM")
    r = slack.view_submission(user_id=USER_ID, callback_id="settings", values=good)
    assert r.status == 200 and r.text == ""
    with db.session() as s:
        mila = s.exec(select(Coachee)).one()
    assert (mila.pre_checkin_minutes, mila.post_checkin_minutes) == (30, 10)
    assert (mila.share_wins, mila.share_channel_id) == (True, "C0TEAM")
