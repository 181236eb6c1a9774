"""The weekly round-up: turned on by a channel member, posted once on Friday afternoon
in her time zone with the week's shared wins, and not at all in a week without any."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlmodel import select

from bot.domain.placement import SelfPlacement
from bot.models import Celebration
from bot.services.coaching import OnboardingAnswers
from bot.slack.sharing import post_roundups
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import dms, log_meeting, texts, wait
from tests.support.view_state import settings

TEAM = "C0TEAM"


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_roundup(slack, fake_slack, running_app):
    container = running_app.container
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, "U0ANA"])
    with time_machine.travel(_utc(2026, 3, 4, 15, 0), tick=True) as clock:  # Wednesday
        container.services.coaching.start(
            team_id=TEAM_ID,
            user_id=USER_ID,
            answers=OnboardingAnswers("Speak up", SelfPlacement.WHEN_ASKED, 50, True, TEAM),
            tz="America/New_York",
        )
        values = settings(share=("yes", "roundup"), channel=TEAM)
        r = slack.view_submission(user_id=USER_ID, callback_id="settings", values=values)
        assert r.status == 200 and r.text == ""
        log_meeting(slack, fake_slack)
        question = wait(
            lambda: next(
                (
                    m
                    for m in dms(fake_slack)
                    if "took on a speaking challenge" in texts(m["blocks"])
                ),
                None,
            )
        )
        share = next(
            e
            for b in question["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "share_win"
        )
        slack.block_action(
            user_id=USER_ID,
            action_id="share_win",
            value=share["value"],
            message=question,
            channel_id=fake_slack.dm_channel(USER_ID),
        )
        wait(lambda: fake_slack.messages(TEAM))
        # Posted, then recorded as shared: the round-up counts what is recorded.
        wait(lambda: _shared_wins(container.db))

        clock.move_to(_utc(2026, 3, 6, 19, 59))  # Friday 14:59 in New York
        assert post_roundups(container.client, container.services) == 0
        clock.move_to(_utc(2026, 3, 6, 20, 0))  # 15:00
        assert post_roundups(container.client, container.services) == 1
        assert post_roundups(container.client, container.services) == 0  # once a week
        roundup = fake_slack.messages(TEAM)[-1]
        assert "This week's wins* (1)" in texts(roundup["blocks"])
        assert f"<@{USER_ID}> took on a speaking challenge" in texts(roundup["blocks"])

        clock.move_to(_utc(2026, 3, 13, 20, 30))  # next Friday: no wins that week
        assert post_roundups(container.client, container.services) == 0
        assert len(fake_slack.messages(TEAM)) == 2  # the shared win and one round-up

    modal_prefs = container.services.preferences.get(team_id=TEAM_ID, user_id=USER_ID)
    assert modal_prefs.roundup is True


def _shared_wins(db) -> list:
    with db.session() as s:
        return s.exec(select(Celebration).where(Celebration.shared_at.is_not(None))).all()
