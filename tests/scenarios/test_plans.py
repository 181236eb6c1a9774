"""Journey 11, a plan: before a meeting she fixes an if-then plan with one tap (or writes
her own), after it she says whether it fired. Only she ever sees it: never a channel,
never her buddy. Time is a FakeClock handed to the running app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.models import IfThenPlan
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.services.checkins import CheckinClosed
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from tests.conftest import TEAM_ID, USER_ID
from tests.support.app_runner import serve_in_thread
from tests.support.clock import FakeClock
from tests.support.journey import button, dms, texts, tick, wait
from tests.support.view_state import state, text

PRIYA = "U0PRIYA"  # her buddy
TEAM = "C0TEAM"  # the channel she shares wins in
OWN_PLAN = "When Sam asks who has concerns, I will name the vendor delay first."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))  # Sunday


@pytest.fixture
def world(settings, fake_slack, clock):
    fake_slack.add_user(PRIYA, tz="America/New_York", real_name="Priya Iyer")
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, PRIYA])
    running = serve_in_thread(settings, clock=clock)
    container = running.container
    slack = SlackRequests(
        app_url=running.url,
        signing_secret=settings.slack_signing_secret,
        fake=fake_slack,
        team_id=TEAM_ID,
    )
    answers = OnboardingAnswers("Speak up in planning", SelfPlacement.WHEN_ASKED, 50, True, TEAM)
    services = container.services
    services.coaching.start(
        team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="America/New_York"
    )
    buddy = services.buddies.invite(team_id=TEAM_ID, user_id=USER_ID, buddy_user_id=PRIYA)
    services.buddies.respond(team_id=TEAM_ID, buddy_user_id=PRIYA, buddy_id=buddy.id, accept=True)
    services.meetings.add(
        team_id=TEAM_ID,
        user_id=USER_ID,
        meeting=MeetingInput(
            "Weekly planning", weekdays_to_mask([0]), None, time(10, 0), 30, "America/New_York"
        ),
    )
    dispatcher = build_dispatcher(container)
    yield container, dispatcher, slack
    dispatcher.close()
    running.stop()


def _pre_checkin(container, dispatcher, fake, clock) -> dict:
    clock.instant = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)  # 09:45 in New York, Monday
    assert tick(container, dispatcher) == 1
    return {**dms(fake)[-1], "channel": fake.dm_channel(USER_ID)}


def _click(slack, fake, message: dict, action_id: str):
    updates = len(fake.calls_to("chat.update"))
    r = slack.block_action(
        user_id=USER_ID,
        action_id=action_id,
        value=button(message, action_id)["value"],
        message=message,
        channel_id=fake.dm_channel(USER_ID),
    )
    assert r.status == 200
    fake.wait_for("chat.update", count=updates + 1)
    return {**fake.message(fake.dm_channel(USER_ID), message["ts"]), "channel": message["channel"]}


def _plan_button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        if block.get("accessory", {}).get("action_id") == action_id:
            return block["accessory"]
    return button(message, action_id)


def _plans(db) -> list[IfThenPlan]:
    with db.session() as s:
        return list(s.exec(select(IfThenPlan)))


def _nothing_private_left_her_dm(fake, *words: str) -> None:
    """Every call the fake Slack received that reaches anyone but her, or a channel."""
    mine = fake.dm_channel(USER_ID)
    for call in fake.calls:
        if call.method.startswith("views.") or call.method in ("conversations.open", "users.info"):
            continue  # her own modals (opened by her clicks) and look-ups
        if call.args.get("channel") == mine:
            continue
        said = json.dumps(call.args, ensure_ascii=False)
        for word in words:
            assert word not in said, (call.method, call.args.get("channel"), word)


def test_one_tap_takes_todays_plan_her_own_replaces_it_and_she_says_it_fired(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    seen = texts(pre["blocks"])
    assert (
        "*A plan for today?* “When the facilitator asks for thoughts, I will say my point" in seen
    )
    assert "Why a plan: deciding the moment and the words ahead of time" in seen
    assert "It's yours alone." in seen
    suggested = seen.split("“", 1)[1].split("”", 1)[0]

    # One tap: the suggestion is hers, shown in place; the confidence menu stays.
    accepted = _click(slack, fake_slack, pre, "plan_accept")
    assert f"*Your plan:* “{suggested}”" in texts(accepted["blocks"])
    assert "How confident are you" in texts(accepted["blocks"])
    [plan] = _plans(db)
    assert (plan.text, plan.source, plan.fired) == (suggested, "suggested", None)
    assert plan.challenge_id == "answer-any-thoughts"

    # She changes it: the modal says what's wrong, kindly, and keeps her to 200.
    opened = len(fake_slack.calls_to("views.open"))
    r = slack.block_action(
        user_id=USER_ID,
        action_id="plan_write",
        value=_plan_button(accepted, "plan_write")["value"],
        message=accepted,
        channel_id=fake_slack.dm_channel(USER_ID),
    )
    assert r.status == 200
    modal = fake_slack.wait_for("views.open", count=opened + 1)[-1]["view"]
    assert modal["callback_id"] == "plan" and modal["title"]["text"] == "Your plan"
    field = next(b for b in modal["blocks"] if b.get("block_id") == "plan_text")
    assert field["element"]["initial_value"] == suggested
    assert field["element"]["max_length"] == 200
    r = slack.view_submission(
        user_id=USER_ID, callback_id="plan", values=state(plan_text=text("  "))
    )
    assert "“When …, I will …”" in r.json()["errors"]["plan_text"]
    long = "When it starts, I will " + "talk " * 40
    r = slack.view_submission(
        user_id=USER_ID, callback_id="plan", values=state(plan_text=text(long))
    )
    assert "keep it to 200" in r.json()["errors"]["plan_text"]
    updates = len(fake_slack.calls_to("chat.update"))
    r = slack.view_submission(
        user_id=USER_ID, callback_id="plan", values=state(plan_text=text(OWN_PLAN))
    )
    assert r.status == 200 and r.text == ""
    fake_slack.wait_for("chat.update", count=updates + 1)
    shown = fake_slack.message(fake_slack.dm_channel(USER_ID), pre["ts"])
    assert f"*Your plan:* “{OWN_PLAN}”" in texts(shown["blocks"])
    [plan] = _plans(db)
    assert (plan.text, plan.source) == (OWN_PLAN, "own")

    # After the meeting: how it went, then whether the plan fired; answered once.
    clock.instant = datetime(2026, 3, 2, 15, 35, tzinfo=UTC)  # 10:35 New York
    assert tick(container, dispatcher) == 1
    post = {**dms(fake_slack)[-1], "channel": fake_slack.dm_channel(USER_ID)}
    answered = _click(slack, fake_slack, post, "checkin_outcome_did_it")
    seen = texts(answered["blocks"])
    assert f"*Your plan was:* “{OWN_PLAN}”" in seen and "Did it fire" in seen
    fired = _click(slack, fake_slack, answered, "plan_fired_yes")
    assert "Your plan fired." in str(fired["blocks"])
    assert "Did it fire" not in texts(fired["blocks"])
    [plan] = _plans(db)
    assert (plan.fired, plan.fired_at) == ("yes", clock.instant)
    with pytest.raises(CheckinClosed):  # a second answer, however it comes
        container.services.checkins.plan_fired(
            team_id=TEAM_ID,
            user_id=USER_ID,
            checkin_id=int(button(answered, "plan_fired_no")["value"].split(":")[0]),
            fired="no",
        )
    [plan] = _plans(db)
    assert plan.fired == "yes"

    # She shares the win: the post, her buddy's notes, nothing carries the plan.
    question = wait(
        lambda: next((m for m in dms(fake_slack) if "Share this with" in texts(m["blocks"])), None)
    )
    question = {**question, "channel": fake_slack.dm_channel(USER_ID)}
    slack.block_action(
        user_id=USER_ID,
        action_id="share_win",
        value=button(question, "share_win")["value"],
        message=question,
        channel_id=question["channel"],
    )
    wait(lambda: fake_slack.messages(TEAM))
    assert fake_slack.messages(fake_slack.dm_channel(PRIYA))  # her buddy did hear from us
    _nothing_private_left_her_dm(fake_slack, OWN_PLAN, suggested, "Your plan", "vendor delay")


def test_a_miss_of_the_plan_is_information_and_export_and_forget_me_include_it(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    _click(slack, fake_slack, pre, "plan_accept")
    clock.instant = datetime(2026, 3, 2, 15, 35, tzinfo=UTC)
    assert tick(container, dispatcher) == 1
    post = {**dms(fake_slack)[-1], "channel": fake_slack.dm_channel(USER_ID)}
    answered = _click(slack, fake_slack, post, "checkin_outcome_not_this_time")
    missed = _click(slack, fake_slack, answered, "plan_fired_no")
    reply = str(missed["blocks"])
    assert "Useful to know." in reply and "fail" not in reply.lower()
    exported = json.loads(container.services.privacy.export(team_id=TEAM_ID, user_id=USER_ID))
    [row] = exported["if_then_plans"]
    assert row["fired"] == "no" and row["text"].startswith("When the facilitator asks")
    container.services.privacy.forget(team_id=TEAM_ID, user_id=USER_ID)
    assert _plans(db) == []
    _nothing_private_left_her_dm(fake_slack, row["text"], "Your plan")


def test_a_forged_plan_click_changes_nothing(world, fake_slack, clock, db):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    value = button(pre, "plan_accept")["value"]
    r = slack.block_action(
        user_id=PRIYA,
        action_id="plan_accept",
        value=value,
        message=pre,
        channel_id=fake_slack.dm_channel(PRIYA),
    )
    assert r.status == 200
    # Her modal is open; a submission naming her check-in from someone else is refused.
    opened = len(fake_slack.calls_to("views.open"))
    slack.block_action(
        user_id=USER_ID,
        action_id="plan_write",
        value=value,
        message=pre,
        channel_id=fake_slack.dm_channel(USER_ID),
    )
    fake_slack.wait_for("views.open", count=opened + 1)
    r = slack.view_submission(
        user_id=PRIYA,
        callback_id="plan",
        values=state(plan_text=text(OWN_PLAN)),
        private_metadata=value,
    )
    assert "closed" in r.json()["errors"]["plan_text"]
    assert _plans(db) == []
