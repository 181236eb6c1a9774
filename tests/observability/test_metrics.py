"""The metrics page, and the counts that every Slack call leaves in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.clock import SystemClock
from bot.models import Checkin, Coachee
from bot.observability import metrics
from bot.slack.app import make_client
from bot.storage.db import Database
from bot.storage.engine import make_engine
from tests.conftest import make_settings
from tests.observability.support import grew, value
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)


def _page(db, clock=None) -> str:
    return metrics.render(db, clock or SystemClock(), None)[0].decode()


def test_every_reason_a_checkin_fails_is_on_the_page_from_the_start(db):
    page = _page(db)
    for reason in ("refused", "recipient_gone", "gave_up"):
        assert f'voice_coach_checkins_failed_total{{reason="{reason}"}}' in page
    assert "_created" not in page  # the same samples as under gunicorn


def test_checkins_due_and_overdue_are_counted_in_the_database(db):
    with db.session() as s:
        coachee = Coachee(team_id="T1", slack_user_id="U1")
        s.add(coachee)
        s.flush()
        for minutes_ago, status in [(-10, "pending"), (0, "pending"), (4, "pending"),
                                    (6, "pending"), (60, "pending"), (60, "sent")]:  # fmt: skip
            due = NOW - timedelta(minutes=minutes_ago)
            s.add(
                Checkin(
                    team_id="T1",
                    coachee_id=coachee.id,
                    kind="post",
                    occurrence_start=due + timedelta(minutes=minutes_ago),
                    due_at=due,
                    send_until=due + timedelta(hours=12),
                    expires_at=due + timedelta(hours=24),
                    status=status,
                )
            )
    page = _page(db, FakeClock(NOW))
    assert value(page, "voice_coach_checkins_due") == 4  # not the one planned ahead
    assert value(page, "voice_coach_checkins_overdue") == 2  # over 5 minutes late


def test_the_page_is_served_without_the_queue_when_the_database_is_gone():
    gone = Database(make_engine("sqlite:////nonexistent/dir/voice_coach.db"))
    page = _page(gone)
    assert "voice_coach_checkins_due" not in page
    assert "voice_coach_checkins_sent_total" in page


def test_slacks_errors_and_waits_are_counted_on_every_call(fake_slack, database_url, db):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.add_user("U1")
    before = _page(db)
    fake_slack.fail_next("users.info", "ratelimited", retry_after=1)
    assert client.users_info(user="U1")["ok"]  # the client waited and tried again
    fake_slack.fail_next("users.info", status=500)
    assert client.users_info(user="U1")["ok"]
    fake_slack.fail_next("users.info", "user_not_found")
    with pytest.raises(SlackApiError):
        client.users_info(user="U1")
    after = _page(db)
    for error in ("ratelimited", "internal_error", "user_not_found"):
        assert grew(before, after, "voice_coach_slack_api_errors_total", method="users.info",
                    error=error) == 1, error  # fmt: skip
    assert grew(before, after, "voice_coach_slack_rate_limit_waits_total", by="client") == 1
    waited = grew(before, after, "voice_coach_slack_rate_limit_wait_seconds_total", by="client")
    assert 1 <= waited < 3


def test_a_label_from_slacks_answer_keeps_the_shape_of_an_error_code():
    assert metrics.label("invalid_blocks") == "invalid_blocks"
    assert metrics.label("<html>502 Bad Gateway</html>", "http_502") == "http_502"
    assert metrics.label("x" * 200) == "other"
