"""The calendar jobs of bot.scheduler: a day-long failure becomes one DM, held to
Slack's rules by the strict fake."""

from __future__ import annotations

import sys
from types import SimpleNamespace

from bot.scheduler import calendar_failing_message, tell_failing_calendars
from bot.services.calendars import FailingNotice
from bot.slack.app import make_client
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
    assert dm["text"] == calendar_failing_message(notice)["text"]
    assert "<b>" not in str(dm)


def test_without_the_calendar_blocks_the_dm_is_plain_words(monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.slack.blocks.calendar", None)  # import fails
    notice = FailingNotice(team_id="T1", user_id="U1", why="timeout", host="<!channel>")

    message = calendar_failing_message(notice)

    assert set(message) == {"text"}
    assert "&lt;!channel&gt;" in message["text"] and "/voice calendar" in message["text"]
