"""Journey 11, persuasion: her buddy's nudge and her team's cheers name a real win she
shared ("on Mon 2 Mar you took on …"), never generic praise, and never a win she kept
to herself. Runs the app with a FakeClock (fixtures shared with test_plans)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.slack.sharing import deliver_cheers
from tests.conftest import USER_ID
from tests.scenarios import test_plans
from tests.scenarios.test_plans import PRIYA, TEAM
from tests.support.journey import button, dms, texts, tick, wait

# The same world as the plans' journey: her, a meeting, Priya as buddy, #team, a FakeClock.
clock, world = test_plans.clock, test_plans.world


def _click(slack, fake, message: dict, action_id: str, user_id: str = USER_ID):
    return slack.block_action(
        user_id=user_id,
        action_id=action_id,
        value=button(message, action_id)["value"],
        message=message,
        channel_id=message["channel"],
    )


def _nudge(fake) -> str:
    return texts(fake.messages(fake.dm_channel(PRIYA))[-1]["blocks"])


def test_the_buddy_and_the_team_name_a_win_she_shared_and_nothing_else(world, fake_slack, clock):
    container, dispatcher, slack = world
    do = container.services.coaching.ladder.challenge("answer-any-thoughts").do
    assert do.startswith('When the facilitator asks "Any thoughts?"')
    mine = fake_slack.dm_channel(USER_ID)

    # No shared win yet: the buddy is asked for something real, and handed no praise.
    clock.instant = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)  # Mon 09:45 New York
    assert tick(container, dispatcher) == 1
    first = _nudge(fake_slack)
    assert "Mention something you've seen them do or say" in first
    assert "took on" not in first
    assert "A real, specific moment convinces far more than general praise." in first

    # Her win that meeting; she shares it, Priya cheers it.
    clock.instant = datetime(2026, 3, 2, 15, 35, tzinfo=UTC)
    assert tick(container, dispatcher) == 1
    post = {**dms(fake_slack)[-1], "channel": mine}
    assert _click(slack, fake_slack, post, "checkin_outcome_did_it").status == 200
    question = wait(
        lambda: next((m for m in dms(fake_slack) if "Share this with" in texts(m["blocks"])), None)
    )
    _click(slack, fake_slack, {**question, "channel": mine}, "share_win")
    shared = {**wait(lambda: fake_slack.messages(TEAM))[0], "channel": TEAM}
    assert _click(slack, fake_slack, shared, "cheer", user_id=PRIYA).status == 200
    wait(lambda: "Cheer (1)" in str(fake_slack.message(TEAM, shared["ts"])["blocks"]))
    clock.instant += timedelta(seconds=61)  # cheers are gathered for a quiet minute
    wait(lambda: deliver_cheers(container.client, container.services) == 1)
    cheers = texts(fake_slack.messages(mine)[-1]["blocks"])
    assert f"<@{PRIYA}> cheered your win" in cheers
    assert f"What they saw: on Mon 2 Mar you took on “{do.rstrip('.')}” and did it." in cheers

    # A week on, her buddy's nudge names that very win, in the ladder's words.
    clock.instant = datetime(2026, 3, 9, 13, 45, tzinfo=UTC)  # Mon 09:45 EDT
    assert tick(container, dispatcher) == 1
    second = _nudge(fake_slack)
    assert (
        f"Something real you could mention: on Mon 2 Mar they took on “{do.rstrip('.')}”" in second
    )
    assert "Weekly planning" not in second  # never the meeting, her answers or her plan
