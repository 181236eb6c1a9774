"""Journey 12, an honest measure of growth: the six-item self-efficacy check offered
when she starts and every 4 weeks (one DM, skippable, never a reminder), answered in a
modal, shown in progress as a mean whose change is called "within the noise" below the
scale's reliable-change threshold. Her answers never leave her DM. Time is a FakeClock."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.domain import efficacy
from bot.domain.placement import SelfPlacement
from bot.models import EfficacyCheck
from bot.playground.fakeslack.slack_requests import SlackRequests
from bot.scheduler import offer_efficacy_checks
from bot.services.coaching import OnboardingAnswers
from bot.services.efficacy import CheckAnswers, EfficacyService
from bot.storage import ratelimits
from tests.conftest import TEAM_ID, USER_ID, make_settings
from tests.support.app_runner import serve_in_thread
from tests.support.clock import FakeClock
from tests.support.journey import (
    button,
    command_reply,
    dms,
    nothing_private_left_her_dm,
    texts,
    wait,
)
from tests.support.view_state import radio, state, text
from tests.support.view_state import select as pick

PRIYA = "U0PRIYA"  # her buddy
TEAM = "C0TEAM"  # the channel she shares wins in
ITEMS = [f"efficacy_item_{n}" for n in range(1, 7)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def world(settings, fake_slack, clock):
    fake_slack.add_user(PRIYA, tz="America/New_York", real_name="Priya Iyer")
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, PRIYA])
    running = serve_in_thread(settings, clock=clock)
    slack = SlackRequests(
        app_url=running.url,
        signing_secret=settings.slack_signing_secret,
        fake=fake_slack,
        team_id=TEAM_ID,
    )
    yield running, slack
    running.stop()


def _start(slack, fake, running) -> dict:
    """/voice start, the modal submitted: her first challenge, then the check's offer
    (returned once the app has recorded it, not just sent it)."""
    assert slack.command("start", user_id=USER_ID).status == 200
    fake.wait_for("views.open")
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="onboarding",
        values=state(
            goal=text("Speak up in planning"),
            placement=radio("when_asked"),
            confidence=pick(40),
            share_wins={"type": "checkboxes", "selected_options": []},
            share_channel={"type": "conversations_select", "selected_conversation": None},
        ),
    )
    assert r.status == 200 and r.text == "", r.text
    offer = wait(lambda: dms(fake)[1:])[0]
    running.settle()
    return {**offer, "channel": fake.dm_channel(USER_ID)}


def _click(slack, fake, message: dict, action_id: str) -> None:
    r = slack.block_action(
        user_id=USER_ID,
        action_id=action_id,
        value=button(message, action_id)["value"],
        message=message,
        channel_id=fake.dm_channel(USER_ID),
    )
    assert r.status == 200


def _answer(slack, fake, offer: dict, answers: list[int], looking_back: int | None = None):
    """She opens the modal from the offer and submits; returns the modal she saw."""
    opened = len(fake.calls_to("views.open"))
    _click(slack, fake, offer, "efficacy_open")
    modal = fake.wait_for("views.open", count=opened + 1)[-1]["view"]
    assert modal["callback_id"] == "efficacy"
    values = {item: pick(a) for item, a in zip(ITEMS, answers, strict=True)}
    if looking_back is not None:
        values["looking_back"] = pick(looking_back)
    updates = len(fake.calls_to("chat.update"))
    r = slack.view_submission(user_id=USER_ID, callback_id="efficacy", values=state(**values))
    assert r.status == 200 and r.text == "", r.text
    fake.wait_for("chat.update", count=updates + 1)
    return modal


def _checks(db) -> list[EfficacyCheck]:
    with db.session() as s:
        return list(s.exec(select(EfficacyCheck).order_by(EfficacyCheck.round)))


def _progress(slack, fake) -> str:
    return texts(command_reply(slack, fake, "progress")["blocks"])


def test_offered_at_start_answered_in_a_modal_progress_shows_the_mean(world, fake_slack, db):
    running, slack = world
    container = running.container
    offer = _start(slack, fake_slack, running)
    seen = texts(offer["blocks"])
    assert "six questions" in seen and "I won't remind you" in seen
    assert [b["action_id"] for b in offer["blocks"][1]["elements"]] == [
        "efficacy_open",
        "efficacy_skip",
    ]
    assert [(c.round, c.status, c.message_ts) for c in _checks(db)] == [(0, "offered", offer["ts"])]

    # The modal: Bandura's stem, six 0-100 menus with labelled ends, easy to hard; no
    # looking-back item at the first check.
    opened = len(fake_slack.calls_to("views.open"))
    _click(slack, fake_slack, offer, "efficacy_open")
    modal = fake_slack.wait_for("views.open", count=opened + 1)[-1]["view"]
    assert "How certain are you that you can" in texts(modal["blocks"])
    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ITEMS
    scale = container.services.efficacy.scale
    assert [b["label"]["text"] for b in inputs] == [f"…{i.text}" for i in scale.items]
    menu = [o["text"]["text"] for o in inputs[0]["element"]["options"]]
    assert menu[0] == "0 — cannot do at all" and menu[-1] == "100 — highly certain can do"

    # Friendly errors: every item needs a number (a guess is fine); nothing is stored.
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="efficacy",
        values=state(**{item: pick(50) for item in ITEMS[:4]}),
    )
    errors = r.json()["errors"]
    assert set(errors) == set(ITEMS[4:])
    assert "a rough guess is fine" in errors[ITEMS[4]]
    assert _checks(db)[0].status == "offered"

    updates = len(fake_slack.calls_to("chat.update"))
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="efficacy",
        values=state(**dict(zip(ITEMS, map(pick, [90, 70, 60, 40, 30, 10]), strict=True))),
    )
    assert r.status == 200 and r.text == ""
    fake_slack.wait_for("chat.update", count=updates + 1)
    thanked = fake_slack.message(fake_slack.dm_channel(USER_ID), offer["ts"])
    assert "your answers are in" in texts(thanked["blocks"])
    assert not any(b["type"] == "actions" for b in thanked["blocks"])
    (check,) = _checks(db)
    assert check.status == "answered" and check.looking_back is None
    assert [check.item_1, check.item_2, check.item_3, check.item_4, check.item_5, check.item_6] == [
        90,
        70,
        60,
        40,
        30,
        10,
    ]

    # A second submission (a retry, a double click) changes nothing.
    r = slack.view_submission(
        user_id=USER_ID, callback_id="efficacy", values=state(**{i: pick(0) for i in ITEMS})
    )
    assert "already has your answers" in json.dumps(r.json())
    assert _checks(db)[0].item_1 == 90

    progress = _progress(slack, fake_slack)
    assert "How sure you are you can speak up* (6 questions): *50*/100" in progress
    assert "next check, in 4 weeks" in progress
    home = texts(wait(lambda: fake_slack.home_view(USER_ID))["blocks"])
    assert "*50*/100" in home

    # In her export, and gone with forget-me.
    exported = json.loads(container.services.privacy.export(team_id=TEAM_ID, user_id=USER_ID))
    assert [c["item_1"] for c in exported["efficacy_checks"]] == [90]
    container.services.privacy.forget(team_id=TEAM_ID, user_id=USER_ID)
    assert _checks(db) == []


def test_every_4_weeks_one_dm_skipping_leaves_nothing_until_the_next(world, fake_slack, db, clock):
    running, slack = world
    container = running.container
    services = container.services
    offer = _start(slack, fake_slack, running)
    buddy = services.buddies.invite(team_id=TEAM_ID, user_id=USER_ID, buddy_user_id=PRIYA)
    services.buddies.respond(team_id=TEAM_ID, buddy_user_id=PRIYA, buddy_id=buddy.id, accept=True)
    _answer(slack, fake_slack, offer, [80, 60, 50, 40, 20, 10])  # mean 43.3

    clock.advance(days=27, hours=23)
    assert offer_efficacy_checks(container) == 0  # not yet 4 weeks
    clock.advance(hours=2)
    before = len(dms(fake_slack))
    assert offer_efficacy_checks(container) == 1
    assert offer_efficacy_checks(container) == 0  # once per round
    # Another process (its own service on the same database) finds nothing to claim.
    assert EfficacyService(container.db, clock, services.efficacy.scale).claim_due() == []
    second = {**dms(fake_slack)[-1], "channel": fake_slack.dm_channel(USER_ID)}
    assert len(dms(fake_slack)) == before + 1
    assert "4 weeks on" in texts(second["blocks"])

    # She skips: the DM says so in place, and nothing follows, however often the job runs.
    updates = len(fake_slack.calls_to("chat.update"))
    _click(slack, fake_slack, second, "efficacy_skip")
    fake_slack.wait_for("chat.update", count=updates + 1)
    skipped = fake_slack.message(fake_slack.dm_channel(USER_ID), second["ts"])
    assert "Skipped, no problem" in texts(skipped["blocks"])
    for _ in range(4):
        clock.advance(days=6)
        assert offer_efficacy_checks(container) == 0
    assert len(dms(fake_slack)) == before + 1
    assert [c.status for c in _checks(db)] == ["answered", "skipped"]

    # The next 4-week point: she answers, with the looking-back item.
    clock.advance(days=4)
    assert offer_efficacy_checks(container) == 1
    third = {**dms(fake_slack)[-1], "channel": fake_slack.dm_channel(USER_ID)}
    modal = _answer(slack, fake_slack, third, [90, 80, 70, 60, 50, 40], looking_back=20)
    assert "4 weeks ago" in texts(modal["blocks"]) or any(
        "4 weeks ago" in b.get("label", {}).get("text", "") for b in modal["blocks"]
    )
    assert [(c.round, c.status, c.looking_back) for c in _checks(db)] == [
        (0, "answered", None),
        (1, "skipped", None),
        (2, "answered", 20),
    ]
    progress = _progress(slack, fake_slack)
    assert "*65*/100" in progress
    assert "Up 22 since your first check" in progress  # 65 - 43.3, over ~16: real
    assert "within the noise" not in progress.split("\n")[1]
    assert "Changes under 16 points are within the noise" in progress
    # Her previous answered check was 8 weeks ago: the looking-back line needs the one
    # 4 weeks ago, so it says nothing rather than compare the wrong thing.
    assert "Looking back" not in progress

    # Her answers and the check never reached #team or her buddy.
    nothing_private_left_her_dm(
        fake_slack,
        "How sure",
        "4 weeks on",
        "six questions",
        *services.efficacy.scale.items[0].text.split("?")[:1],
    )


def test_looking_back_lower_than_then_reads_as_standards_moving_up(world, fake_slack, db, clock):
    running, slack = world
    container = running.container
    offer = _start(slack, fake_slack, running)
    _answer(slack, fake_slack, offer, [70, 60, 50, 50, 40, 30])  # mean 50
    clock.advance(weeks=4, minutes=1)
    assert offer_efficacy_checks(container) == 1
    offer = {**dms(fake_slack)[-1], "channel": fake_slack.dm_channel(USER_ID)}
    _answer(slack, fake_slack, offer, [70, 60, 60, 50, 40, 30], looking_back=20)  # mean 51.7
    progress = _progress(slack, fake_slack)
    assert "Up 2 since your first check (within the noise)" in progress
    assert "you now rate 4 weeks ago at 20; then you said 50" in progress
    assert "Your standards moved up" in progress


def test_with_30_people_the_threshold_comes_from_their_answers(world, fake_slack, db, clock):
    running, slack = world
    container = running.container
    services = container.services
    rng = random.Random(7)
    people = []
    for n in range(30):  # colleagues in her workspace, answering through the service
        user = f"U0P{n:03d}"
        fake_slack.add_user(user, tz="UTC", real_name=f"Person {n}")
        services.coaching.start(
            team_id=TEAM_ID,
            user_id=user,
            answers=OnboardingAnswers("Speak", SelfPlacement.WHEN_ASKED, 40, False, None),
            tz="UTC",
        )
        check = services.efficacy.offer_at_start(team_id=TEAM_ID, user_id=user)
        level = rng.uniform(20, 80)
        answers = tuple(max(0, min(100, round(level + rng.gauss(0, 8), -1))) for _ in range(6))
        services.efficacy.answer(
            team_id=TEAM_ID,
            user_id=user,
            check_id=check.check_id,
            answers=CheckAnswers(answers, None),
        )
        people.append(answers)
    offer = _start(slack, fake_slack, running)
    mine = [60, 50, 50, 40, 30, 20]
    _answer(slack, fake_slack, offer, mine)
    threshold = efficacy.reliable_change([*people, tuple(mine)])
    assert threshold.from_people == 31
    assert round(threshold.points) != round(efficacy.reliable_change([]).points)
    clock.advance(weeks=4, minutes=1)
    assert offer_efficacy_checks(container) == 31  # hers and each colleague's, one DM each
    progress_text = _progress(slack, fake_slack)
    assert "from 31 people's answers here" not in progress_text  # one check: no change yet
    offer = next(m for m in reversed(dms(fake_slack)) if "4 weeks on" in texts(m["blocks"]))
    _answer(
        slack,
        fake_slack,
        {**offer, "channel": fake_slack.dm_channel(USER_ID)},
        [70, 60, 60, 50, 40, 30],
        looking_back=40,
    )
    # Her latest answers now stand for her among the 31.
    threshold = efficacy.reliable_change([*people, (70, 60, 60, 50, 40, 30)])
    progress = _progress(slack, fake_slack)
    assert f"Changes under {round(threshold.points)} points" in progress
    assert "from 31 people's answers here" in progress


@pytest.fixture
def slow_world(fake_slack, database_url, clock):
    """A workspace allowed 60 messages a minute (a bucket of 5)."""
    settings = make_settings(fake_slack, database_url, SLACK_MESSAGES_PER_MINUTE="60")
    running = serve_in_thread(settings, clock=clock)
    yield running.container
    running.stop()


def _colleagues_started(container, fake_slack, count: int) -> list[str]:
    users = []
    for n in range(count):
        user = f"U0Q{n:03d}"
        fake_slack.add_user(user, tz="UTC", real_name=f"Person {n}")
        container.services.coaching.start(
            team_id=TEAM_ID,
            user_id=user,
            answers=OnboardingAnswers("Speak", SelfPlacement.WHEN_ASKED, 40, False, None),
            tz="UTC",
        )
        container.services.efficacy.offer_at_start(team_id=TEAM_ID, user_id=user)
        users.append(user)
    return users


def _four_weeks_on(fake_slack, users) -> list[str]:
    """Whose DM holds a 4-week check (messages Slack took, not calls it refused)."""
    return [
        user
        for user in users
        for m in dms(fake_slack, user)
        if "4 weeks on" in texts(m.get("blocks", []))
    ]


def test_a_workspace_that_started_together_gets_its_checks_paced(slow_world, fake_slack, clock):
    users = _colleagues_started(slow_world, fake_slack, 12)
    clock.advance(weeks=4, minutes=1)
    assert offer_efficacy_checks(slow_world) == 5  # what its bucket holds
    assert offer_efficacy_checks(slow_world) == 0  # and nothing more until it refills
    clock.advance(seconds=3)
    assert offer_efficacy_checks(slow_world) == 3
    clock.advance(seconds=60)
    assert offer_efficacy_checks(slow_world) == 4
    assert offer_efficacy_checks(slow_world) == 0
    assert _four_weeks_on(fake_slack, users) == users  # once each


def test_a_run_claims_at_most_its_share_and_leaves_the_rest_due(world, fake_slack, clock, db):
    running, _ = world
    container = running.container
    users = _colleagues_started(container, fake_slack, 5)
    clock.advance(weeks=4, minutes=1)
    service = EfficacyService(container.db, clock, container.services.efficacy.scale)
    claimed = [service.claim_due(most=2) for _ in range(4)]
    assert [len(c) for c in claimed] == [2, 2, 1, 0]
    assert sorted(o.user_id for run in claimed for o in run) == sorted(users)  # each once


def test_when_slack_asks_to_wait_no_round_is_lost(slow_world, fake_slack, clock, db):
    users = _colleagues_started(slow_world, fake_slack, 7)
    clock.advance(weeks=4, minutes=1)
    # Slack refuses the first offer with a 429 whose wait is past what the client sleeps.
    fake_slack.fail_next("chat.postMessage", error="ratelimited", retry_after=11)
    assert offer_efficacy_checks(slow_world) == 0
    assert len(_four_weeks_on(fake_slack, users)) == 0
    # Every process holds back from the workspace (its check-ins too) while it waits.
    with db.session() as s:
        assert ratelimits.blocked_until(s, team_id=TEAM_ID, now=clock.now()) is not None
    clock.advance(seconds=10)
    assert offer_efficacy_checks(slow_world) == 0
    clock.advance(seconds=2)  # the wait is over; still paced by the bucket (5)
    assert offer_efficacy_checks(slow_world) == 5
    assert offer_efficacy_checks(slow_world) == 0
    clock.advance(seconds=2)
    assert offer_efficacy_checks(slow_world) == 2
    assert _four_weeks_on(fake_slack, users) == users
    assert [c.status for c in _checks(db) if c.round == 1] == ["offered"] * 7
