"""Payload bugs the surface catalogue (tests/slack/test_catalogue.py) found, each read back
through the running app as she would see it: what the fake Slack stored or was posted."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as clock_time

import pytest

from bot.bootstrap import build_dispatcher
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from bot.services.planner import extend_horizons
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import command_reply

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


def _tick(container, dispatcher) -> int:
    extend_horizons(container.db, container.clock)
    return dispatcher.tick()


# -- /voice: what she typed, cut short ------------------------------------------------------------


def test_what_she_typed_is_cut_between_her_characters(slack, fake_slack):
    """Regression: `/voice progress <&&&…>` quoted her text escaped and then cut at 40
    characters, which can cut inside "&amp;" and show her "&am…"."""
    reply = command_reply(slack, fake_slack, "progress " + "&" * 50)
    assert "(you added `" + "&amp;" * 7 + "…`)" in reply["text"]
