"""Journeys 2–4 and 9 with a controlled clock: practice meetings, check-ins before and
after them at the right local minute (across daylight saving), answered exactly once,
sent late only while still useful, and nothing while paused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.models import Attempt, Checkin, Coachee, Meeting
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import button, choose_confidence, command_reply, tick, wait
from tests.support.view_state import checkboxes, radio, state, text, timepicker
from tests.support.view_state import select as pick

PRIYA = "U0PRIYA"
MONDAY = weekdays_to_mask([0])
ANSWERS = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 50, False, None)


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def app(running_app, fake_slack):
    fake_slack.add_user(PRIYA, tz="Asia/Kolkata", real_name="Priya Iyer")
    dispatcher = build_dispatcher(running_app.container)
    yield running_app.container, dispatcher
    dispatcher.close()


def _onboard(container, user_id: str, tz: str) -> None:
    container.services.coaching.start(team_id=TEAM_ID, user_id=user_id, answers=ANSWERS, tz=tz)


def _add_meeting(container, user_id: str, tz: str, **overrides) -> int:
    meeting = MeetingInput(
        **{
            "name": "Weekly planning",
            "weekdays": MONDAY,
            "on_date": None,
            "start": time(10, 0),
            "duration_minutes": 30,
            "tz": tz,
            **overrides,
        }
    )
    return container.services.meetings.add(team_id=TEAM_ID, user_id=user_id, meeting=meeting).id


def _dms(fake, user_id: str) -> list[dict]:
    return fake.messages(fake.dm_channel(user_id))


def test_add_a_meeting_through_the_modal_with_field_errors(slack, fake_slack, app, db):
    container, _ = app
    _onboard(container, USER_ID, "America/New_York")
    listing = command_reply(slack, fake_slack, "meetings")
    assert "None yet" in str(listing["blocks"])
    r = slack.block_action(user_id=USER_ID, action_id="meeting_add", value="add")
    assert r.status == 200
    modal = fake_slack.wait_for("views.open")[-1]["view"]
    tz_input = next(b for b in modal["blocks"] if b["block_id"] == "meeting_tz")
    assert tz_input["element"]["initial_value"] == "America/New_York"  # her Slack profile's
    bad = state(
        meeting_name=text(""),
        weekdays=checkboxes(),
        start_time=timepicker("10:00"),
        duration=pick(30),
        meeting_tz=text("Mars/Olympus"),
    )
    r = slack.view_submission(user_id=USER_ID, callback_id="meeting", values=bad)
    assert set(r.json()["errors"]) == {"meeting_name", "weekdays", "meeting_tz"}
    good = state(
        meeting_name=text("Weekly planning"),
        weekdays=checkboxes("0", "2"),
        start_time=timepicker("10:00"),
        duration=pick(30),
        meeting_tz=text("America/New_York"),
    )
    r = slack.view_submission(user_id=USER_ID, callback_id="meeting", values=good)
    assert r.status == 200 and r.text == ""
    confirmation = fake_slack.wait_for("chat.postMessage")[-1]
    assert "Added *Weekly planning*" in str(confirmation["blocks"])
    assert "Mon, Wed at 10:00 (30 min)" in str(confirmation["blocks"])
    with db.session() as s:
        meeting = s.exec(select(Meeting)).one()
        planned = s.exec(select(Checkin)).all()
    assert (meeting.weekdays, meeting.start_time) == (0b101, time(10, 0))
    assert {c.kind for c in planned} == {"pre", "post"} and len(planned) >= 4


def test_someone_elses_meeting_cannot_be_edited_or_removed(slack, fake_slack, app, db):
    container, _ = app
    _onboard(container, USER_ID, "America/New_York")
    _onboard(container, PRIYA, "Asia/Kolkata")
    hers = _add_meeting(container, PRIYA, "Asia/Kolkata")
    r = slack.block_action(user_id=USER_ID, action_id="meeting_remove", value=str(hers))
    reply = fake_slack.wait_for_response_url_post(r.response_url)
    assert "isn't on your list" in str(reply["blocks"])
    values = state(
        meeting_name=text("Hijacked"),
        weekdays=checkboxes("1"),
        start_time=timepicker("09:00"),
        duration=pick(30),
        meeting_tz=text("UTC"),
    )
    r = slack.view_submission(
        user_id=USER_ID, callback_id="meeting", values=values, private_metadata=str(hers)
    )
    assert r.json()["response_action"] == "errors"
    with db.session() as s:
        meeting = s.get(Meeting, hers)
    assert (meeting.name, meeting.active) == ("Weekly planning", True)


def test_checkins_arrive_at_the_local_minute_across_daylight_saving(fake_slack, app):
    container, dispatcher = app
    # Sunday 1 March 2026; New York moves its clocks on 8 March, Kolkata never does.
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _onboard(container, PRIYA, "Asia/Kolkata")
        _add_meeting(container, USER_ID, "America/New_York")
        _add_meeting(container, PRIYA, "Asia/Kolkata")
        expected = []
        for day in (2, 9):  # Monday before and Monday after the change
            ny = 5 if day == 2 else 4  # UTC-5 (EST), then UTC-4 (EDT)
            expected += [
                (_utc(2026, 3, day, 4, 15), PRIYA, "starts at 10:00"),  # 09:45 IST
                (_utc(2026, 3, day, 5, 5), PRIYA, "How did"),  # 10:35 IST
                (_utc(2026, 3, day, 7, 5), PRIYA, "gentle nudge"),  # 2 h later, in hours
                (_utc(2026, 3, day, 9 + ny, 45), USER_ID, "starts at 10:00"),  # 09:45 local
                (_utc(2026, 3, day, 10 + ny, 35), USER_ID, "How did"),  # 10:35 local
                (_utc(2026, 3, day, 12 + ny, 35), USER_ID, "gentle nudge"),
            ]
        for due, user_id, words in expected:
            clock.move_to(due - timedelta(minutes=1))
            assert tick(container, dispatcher) == 0, f"early at {due} for {user_id}"
            before = len(_dms(fake_slack, user_id))
            clock.move_to(due)
            assert tick(container, dispatcher) == 1, f"nothing at {due} for {user_id}"
            newest = _dms(fake_slack, user_id)[before:]
            assert len(newest) == 1 and words in str(newest[0]["blocks"]), (due, newest)
            assert "Weekly planning" in str(newest[0]["blocks"])


def test_the_pre_meeting_checkin_offers_confidence_from_0_to_100(slack, fake_slack, app, db):
    """Regression: its menu went out with options that had no text, which Slack refuses
    (invalid_blocks), so no pre-meeting check-in could ever have arrived."""
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 2, 14, 45))  # 09:45 EST, Monday
        assert tick(container, dispatcher) == 1
        pre = _dms(fake_slack, USER_ID)[-1]
        assert "*Weekly planning* starts at 10:00" in pre["blocks"][0]["text"]["text"]
        menu = next(b["accessory"] for b in pre["blocks"] if b.get("accessory"))
        assert menu["type"] == "static_select" and "initial_option" not in menu
        assert [o["text"]["text"] for o in menu["options"]] == [
            "0 — cannot do at all",
            *map(str, range(10, 50, 10)),
            "50 — moderately can do",
            *map(str, range(60, 100, 10)),
            "100 — highly certain can do",
        ]
        seventy = choose_confidence(slack, fake_slack, pre, "70")
        updated = fake_slack.message(fake_slack.dm_channel(USER_ID), pre["ts"])
        assert "Confidence noted: *70*" in updated["blocks"][0]["text"]["text"]
        with db.session() as s:
            answered = s.get(Checkin, int(seventy["value"].split(":")[0]))
        assert answered.kind == "pre" and answered.confidence == 70


def test_swapping_the_challenge_on_a_pre_meeting_checkin(slack, fake_slack, app, db):
    """ "Swap challenge" gives her another of the same step, in the check-in itself (which
    then still asks her confidence) and as her challenge from now on."""
    container, dispatcher = app
    ladder = container.services.coaching.ladder
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        with db.session() as s:
            old = ladder.challenge(s.exec(select(Coachee)).one().current_challenge_id)
        clock.move_to(_utc(2026, 3, 2, 14, 45))  # 09:45 EST, Monday
        assert tick(container, dispatcher) == 1
        pre = _dms(fake_slack, USER_ID)[-1]
        assert old.do in str(pre["blocks"])
        value = button(pre, "checkin_swap")["value"]
        updates = len(fake_slack.calls_to("chat.update"))
        r = slack.block_action(
            user_id=USER_ID,
            action_id="checkin_swap",
            value=value,
            message=pre,
            channel_id=fake_slack.dm_channel(USER_ID),
        )
        assert r.status == 200 and r.text == ""
        fake_slack.wait_for("chat.update", count=updates + 1)
        swapped = fake_slack.message(fake_slack.dm_channel(USER_ID), pre["ts"])
        with db.session() as s:
            mila = s.exec(select(Coachee)).one()
            checkin = s.get(Checkin, int(value))
        new = ladder.challenge(mila.current_challenge_id)
        assert new.id != old.id and new.step == old.step == mila.current_step
        assert mila.challenge_hers and checkin.challenge_id == new.id
        assert new.do in str(swapped["blocks"]) and old.do not in str(swapped["blocks"])
        choose_confidence(slack, fake_slack, swapped, "60")
        answered = fake_slack.message(fake_slack.dm_channel(USER_ID), pre["ts"])
        assert "Confidence noted: *60*" in answered["blocks"][0]["text"]["text"]
        assert new.do in answered["blocks"][0]["text"]["text"]


def _to_post_checkin(container, dispatcher, fake_slack, clock) -> dict:
    _onboard(container, USER_ID, "America/New_York")
    _add_meeting(container, USER_ID, "America/New_York")
    clock.move_to(_utc(2026, 3, 2, 15, 35))  # 10:35 EST, Monday
    assert tick(container, dispatcher) == 1  # the pre check-in went stale unsent (see below)
    return _dms(fake_slack, USER_ID)[-1]


def test_answering_twice_records_once(slack, fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        post = _to_post_checkin(container, dispatcher, fake_slack, clock)
        button = next(
            e
            for b in post["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["value"].endswith(":did_it")
        )
        for retry in range(3):  # a double click, then Slack retrying the same click
            r = slack.block_action(
                user_id=USER_ID,
                action_id=button["action_id"],
                value=button["value"],
                message=post,
                channel_id=fake_slack.dm_channel(USER_ID),
            )
            assert r.status == 200, retry
        fake_slack.wait_for("chat.update")
        fake_slack.wait_for("views.open")
        updated = fake_slack.message(fake_slack.dm_channel(USER_ID), post["ts"])
        assert "I did it. Thanks for checking in." in str(updated["blocks"])
        assert len(fake_slack.calls_to("chat.update")) == 1
        checkin_id = int(button["value"].split(":")[0])
        details = state(felt=radio("too_easy"), confidence_after=pick(80), reflection=text("ok"))
        first = slack.view_submission(
            user_id=USER_ID,
            callback_id="checkin_details",
            values=details,
            private_metadata=str(checkin_id),
        )
        again = slack.view_submission(
            user_id=USER_ID,
            callback_id="checkin_details",
            values=details,
            private_metadata=str(checkin_id),
        )
        assert first.text == "" and again.json()["response_action"] == "errors"
        with db.session() as s:
            attempts = s.exec(select(Attempt)).all()
        assert [(a.outcome, a.felt, a.confidence_after) for a in attempts] == [
            ("did_it", "too_easy", 80)
        ]
        # A win that felt too easy: the policy offers the next step, by DM.
        assert wait(
            lambda: any("Turn up the dial?" in str(m["blocks"]) for m in _dms(fake_slack, USER_ID))
        )


def test_someone_else_cannot_answer_her_checkin(slack, fake_slack, app, db, running_app):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, PRIYA, "Asia/Kolkata")
        post = _to_post_checkin(container, dispatcher, fake_slack, clock)
        value = next(
            e["value"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
        )
        r = slack.block_action(
            user_id=PRIYA, action_id="checkin_outcome_did_it", value=value, message=post
        )
        assert r.status == 200
        running_app.settle()
        with db.session() as s:
            assert s.exec(select(Attempt)).all() == []
            checkin = s.get(Checkin, int(value.split(":")[0]))
        assert checkin.status == "sent"


def test_after_three_hours_down_only_what_is_still_useful_is_sent(fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        # Every process was down from 09:40 to 12:40 local on Monday: the meeting
        # (10:00–10:30) started and ended meanwhile.
        clock.move_to(_utc(2026, 3, 2, 17, 40))
        assert tick(container, dispatcher) == 1
        sent = _dms(fake_slack, USER_ID)
        assert len(sent) == 1 and "How did" in str(sent[0]["blocks"])
        with db.session() as s:
            rows = {
                c.kind: c.status for c in s.exec(select(Checkin)) if c.occurrence_start.day == 2
            }
        assert rows == {"pre": "expired", "post": "sent", "reminder": "pending"}


def test_a_post_checkin_more_than_12_hours_late_lapses_quietly(fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 3, 3, 40))  # 12 h 5 min after the post check-in was due
        assert tick(container, dispatcher) == 0
        assert _dms(fake_slack, USER_ID) == []


def test_paused_people_get_nothing_and_resuming_replans(slack, fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        reply = command_reply(slack, fake_slack, "pause 1w")["text"]
        assert "Paused until" in reply and "/voice resume" in reply
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        assert tick(container, dispatcher) == 0
        assert "/voice pause 2w" in command_reply(slack, fake_slack, "pause 2x")["text"]
        assert "Welcome back" in command_reply(slack, fake_slack, "resume")["text"]
        clock.move_to(_utc(2026, 3, 9, 13, 45))
        assert tick(container, dispatcher) == 1
        assert "starts at 10:00" in str(_dms(fake_slack, USER_ID)[-1]["blocks"])


def test_skipping_a_meeting_cancels_its_post_checkin(slack, fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        assert tick(container, dispatcher) == 1
        pre = _dms(fake_slack, USER_ID)[-1]
        skip = next(
            e
            for b in pre["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "checkin_skip"
        )
        slack.block_action(
            user_id=USER_ID,
            action_id="checkin_skip",
            value=skip["value"],
            message=pre,
            channel_id=fake_slack.dm_channel(USER_ID),
        )
        fake_slack.wait_for("chat.update")
        skipped = fake_slack.message(fake_slack.dm_channel(USER_ID), pre["ts"])
        assert "Skipping" in str(skipped["blocks"])
        clock.move_to(_utc(2026, 3, 2, 15, 35))
        assert tick(container, dispatcher) == 0


def test_two_meetings_at_one_time_both_reach_her_without_a_429(fake_slack, app, db):
    """A double-booked 10:00: two pre-meeting check-ins fall due for her at 9:45, and
    the senders work in parallel. Slack takes one post a second in her DM (held to it
    here) and refuses a quicker second one, which would hold back the whole workspace;
    hers go out a second apart, both before the meetings, and Slack never says wait."""
    container, dispatcher = app
    fake_slack.enforce_channel_rate = True
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York", name="Hiring sync")
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        assert tick(container, dispatcher) == 2
    assert fake_slack.rate_limited_answers == 0
    texts = sorted(m["blocks"][0]["text"]["text"] for m in _dms(fake_slack, USER_ID))
    assert [t.split(" Today")[0] for t in texts] == [
        "*Hiring sync* starts at 10:00.",
        "*Weekly planning* starts at 10:00.",
    ]
    posts = [c.at for c in fake_slack.calls if c.method == "chat.postMessage"]
    assert len(posts) == 2 and posts[1] - posts[0] >= 1.0
    with db.session() as s:
        sent = [c for c in s.exec(select(Checkin)) if c.status == "sent"]
    assert sorted(c.kind for c in sent) == ["pre", "pre"]


def test_slack_errors_while_sending(fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID, "America/New_York")
        _add_meeting(container, USER_ID, "America/New_York")
        clock.move_to(_utc(2026, 3, 2, 14, 45))
        # Rate limited, then a 500: the client's retry handlers get it through.
        fake_slack.fail_next("chat.postMessage", error="ratelimited", retry_after=1)
        fake_slack.fail_next("chat.postMessage", status=500)
        assert tick(container, dispatcher) == 1
        # A deactivated account: she is paused, not retried forever.
        clock.move_to(_utc(2026, 3, 2, 15, 35))
        fake_slack.fail_next("chat.postMessage", error="account_inactive")
        assert tick(container, dispatcher) == 0
        with db.session() as s:
            post = next(c for c in s.exec(select(Checkin)) if c.kind == "post")
        assert (post.status, post.last_error) == ("failed", "account_inactive")
        clock.move_to(_utc(2026, 3, 9, 13, 45))
        assert tick(container, dispatcher) == 0
