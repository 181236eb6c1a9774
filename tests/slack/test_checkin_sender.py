"""Sending one check-in DM against the fake Slack: one call when her DM is known,
Slack's answers turned into what the dispatcher acts on."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import load_story_library
from bot.content import load_ladder
from bot.services.coaching import ChallengeCard
from bot.services.dispatch import CheckinMessage, RateLimited, RecipientGone, Refused
from bot.slack import checkin_sender
from bot.slack.app import make_client
from bot.slack.checkin_sender import SlackCheckinSender
from tests.conftest import make_settings
from tests.observability.support import with_option_without_text

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LIBRARY = load_story_library(load_ladder())


def _message(user_id: str, channel: str | None) -> CheckinMessage:
    ladder = load_ladder()
    step = ladder.step(3)
    card = ChallengeCard(3, step.name, ladder.top, ladder.challenge("answer-any-thoughts"))
    return CheckinMessage(
        checkin_id=7,
        kind="pre",
        team_id="T0TEAM",
        user_id=user_id,
        meeting_name="Planning",
        start_local=START,
        end_local=START + timedelta(minutes=30),
        card=card,
        answer_until_local=START,
        coachee_id=1,
        channel=channel,
    )


@pytest.fixture
def sender(fake_slack, database_url) -> SlackCheckinSender:
    return SlackCheckinSender(
        make_client(make_settings(fake_slack, database_url), retry_rate_limits=False)
    )


def test_a_known_dm_takes_one_call(fake_slack, sender):
    fake_slack.add_user("U1")
    channel, ts = sender.send(_message("U1", fake_slack.dm_channel("U1")))
    assert [c.method for c in fake_slack.calls] == ["chat.postMessage"]
    assert fake_slack.message(channel, ts)["text"].startswith("Planning starts at 15:00")


def test_an_unknown_or_stale_dm_is_opened_afresh(fake_slack, sender):
    fake_slack.add_user("U1")
    channel, _ = sender.send(_message("U1", None))
    assert channel == fake_slack.dm_channel("U1")
    fake_slack.reset_calls()
    sender.send(_message("U1", "DGONE"))  # a channel Slack no longer knows
    methods = [c.method for c in fake_slack.calls]
    assert methods == ["chat.postMessage", "conversations.open", "chat.postMessage"]


def test_ratelimited_is_handed_back_with_slacks_wait_not_slept_on(fake_slack, sender):
    fake_slack.add_user("U1")
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=7)
    with pytest.raises(RateLimited) as raised:
        sender.send(_message("U1", fake_slack.dm_channel("U1")))
    assert raised.value.retry_after == 7
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # no retry in this thread


def test_someone_deactivated_is_gone(fake_slack, sender):
    fake_slack.add_user("U1", deleted=True)
    with pytest.raises(RecipientGone):
        sender.send(_message("U1", None))


def test_a_message_slack_refuses_is_a_refusal_naming_where_it_broke(
    fake_slack, sender, monkeypatch
):
    fake_slack.add_user("U1")
    build = checkin_sender.BUILDERS["pre"]
    monkeypatch.setitem(
        checkin_sender.BUILDERS, "pre", lambda m: with_option_without_text(build(m))
    )
    with pytest.raises(Refused) as raised:
        sender.send(_message("U1", fake_slack.dm_channel("U1")))
    refused = raised.value
    assert (refused.method, refused.error) == ("chat.postMessage", "invalid_blocks")
    assert refused.pointers and refused.pointers[0].startswith("/blocks/2/accessory/options/")
    assert "Planning" not in str(refused)  # where it broke, not what it said
    assert [r.error for r in fake_slack.expect_refusals()] == ["invalid_blocks"]


def test_the_story_the_dispatcher_claimed_goes_beside_the_check_in(fake_slack, sender):
    fake_slack.add_user("U1")
    story = LIBRARY.at_step(3)[0]
    plain = sender.send(_message("U1", fake_slack.dm_channel("U1")))
    told = sender.send(replace(_message("U1", fake_slack.dm_channel("U1")), story=story))
    assert story.text not in json.dumps(fake_slack.message(*plain))
    assert story.text in json.dumps(fake_slack.message(*told)["blocks"])
