"""The calendar jobs of bot.scheduler: a day-long failure becomes one DM, held to
Slack's rules by the strict fake."""

from __future__ import annotations

from types import SimpleNamespace

from bot.scheduler import tell_failing_calendars
from bot.services.calendars import FailingNotice
from bot.slack.app import make_client
from bot.slack.blocks.calendar import build_calendar_failing
from tests.conftest import USER_ID, make_settings
from tests.support.journey import dms


class Calendars:
    def __init__(self, notices: list[FailingNotice]):
        self.notices = notices

    def failing_for_a_day(self) -> list[FailingNotice]:
        notices, self.notices = self.notices, []
        return notices


def test_each_calendar_failing_for_a_day_gets_her_one_dm(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    notice = FailingNotice(team_id="T0TEAM", user_id=USER_ID, why="not_found", host="<b>&x")
    container = SimpleNamespace(
        client=client, services=SimpleNamespace(calendars=Calendars([notice]))
    )

    assert tell_failing_calendars(container) == 1
    assert tell_failing_calendars(container) == 0

    [dm] = dms(fake_slack)
    assert dm["text"] == build_calendar_failing(notice)["text"]
    assert "<b>" not in str(dm)
