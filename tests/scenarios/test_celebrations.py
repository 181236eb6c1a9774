"""Journey 6: wins shared only with consent, cheers that come back batched, channel fixes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import time_machine
from sqlmodel import select

from bot.domain.placement import SelfPlacement
from bot.models import Celebration
from bot.services.coaching import OnboardingAnswers
from bot.slack.sharing import deliver_cheers
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import button, dms, log_meeting, texts, wait

TEAM = "C0TEAM"
ANA, BEN = "U0ANA", "U0BEN"


def _onboard(container, *, share: bool) -> None:
    answers = OnboardingAnswers(
        "Speak up in planning", SelfPlacement.WHEN_ASKED, 50, share, TEAM if share else None
    )
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=USER_ID, answers=answers, tz="America/New_York"
    )


def _share_question(fake) -> dict:
    """The DM asking to share the win itself (not the first-win milestone)."""
    message = wait(
        lambda: next(
            (m for m in dms(fake) if "took on a speaking challenge" in texts(m["blocks"])), None
        )
    )
    return {**message, "channel": fake.dm_channel(USER_ID)}


def _click(slack, fake, message: dict, action_id: str, user_id: str = USER_ID):
    channel = message.get("channel") or fake.dm_channel(user_id)
    return slack.block_action(
        user_id=user_id,
        action_id=action_id,
        value=button(message, action_id)["value"],
        message=message,
        channel_id=channel,
    )


def test_an_opted_in_win_is_posted_only_after_share_and_says_nothing_private(
    slack, fake_slack, running_app, db
):
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, ANA, BEN])
    _onboard(running_app.container, share=True)
    log_meeting(slack, fake_slack, after=70)  # reflection: "Said it in the first five minutes."
    question = _share_question(fake_slack)
    assert "Share this with <#C0TEAM>?" in texts(question["blocks"])
    time.sleep(0.3)
    assert fake_slack.messages(TEAM) == []  # nothing before she says so
    _click(slack, fake_slack, question, "share_win")
    post = wait(lambda: fake_slack.messages(TEAM))[0]
    public = texts(post["blocks"]) + post.get("text", "")
    assert f"<@{USER_ID}> took on a speaking challenge and did it" in public
    for private in ("70", "first five minutes", "Design review", "About right", "confidence"):
        assert private not in public, private
    done = wait(
        lambda: (
            "Shared in" in texts(fake_slack.message(question["channel"], question["ts"])["blocks"])
        )
    )
    assert done
    with db.session() as s:
        win = s.get(Celebration, int(post["blocks"][1]["elements"][0]["value"]))
    assert (win.status, win.channel_id, win.message_ts) == ("shared", TEAM, post["ts"])


def test_an_opted_out_win_posts_nothing_anywhere(slack, fake_slack, running_app):
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID])
    _onboard(running_app.container, share=False)
    log_meeting(slack, fake_slack)
    time.sleep(0.5)
    channels = {c["channel"] for c in fake_slack.calls_to("chat.postMessage")}
    assert channels == {fake_slack.dm_channel(USER_ID)}
    assert "Share" not in str([texts(m["blocks"]) for m in dms(fake_slack)])


def test_cheers_count_once_per_teammate_and_reach_her_batched(slack, fake_slack, running_app):
    container = running_app.container
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, ANA, BEN])
    _onboard(container, share=True)
    log_meeting(slack, fake_slack)
    _click(slack, fake_slack, _share_question(fake_slack), "share_win")
    post = wait(lambda: fake_slack.messages(TEAM))[0]
    post["channel"] = TEAM
    for who in (ANA, ANA, ANA, BEN):  # Ana cheers, takes it back, cheers again
        assert _click(slack, fake_slack, post, "cheer", user_id=who).status == 200
    own = _click(slack, fake_slack, post, "cheer", user_id=USER_ID)
    refusal = fake_slack.wait_for_response_url_post(own.response_url)
    assert "It's your win" in refusal["text"]
    updated = wait(
        lambda: (
            "Cheer (2)" in str(fake_slack.message(TEAM, post["ts"])["blocks"])
            and fake_slack.message(TEAM, post["ts"])
        )
    )
    assert "Cheered by <@U0ANA>, <@U0BEN>" in texts(updated["blocks"]) or (
        "Cheered by <@U0BEN>, <@U0ANA>" in texts(updated["blocks"])
    )
    before = len(dms(fake_slack))
    with time_machine.travel(time.time() + 30, tick=True):
        assert deliver_cheers(container.client, container.services) == 0  # still gathering
    with time_machine.travel(time.time() + 61, tick=True):
        assert deliver_cheers(container.client, container.services) == 1
        assert deliver_cheers(container.client, container.services) == 0
    news = dms(fake_slack)[before:]
    assert len(news) == 1
    # The clicks' listeners run side by side, so either may have been recorded first.
    assert any(
        f"{names} cheered your win" in texts(news[0]["blocks"])
        for names in (f"<@{ANA}>, <@{BEN}>", f"<@{BEN}>, <@{ANA}>")
    )
    # A later cheer updates that same DM instead of sending another.
    _click(slack, fake_slack, post, "cheer", user_id="U0CAL")
    # Acknowledged on arrival: the cheer is recorded once the post shows it.
    wait(lambda: "Cheer (3)" in str(fake_slack.message(TEAM, post["ts"])["blocks"]))
    with time_machine.travel(time.time() + 61, tick=True):
        assert deliver_cheers(container.client, container.services) == 1
    assert len(dms(fake_slack)) == before + 1
    dm = fake_slack.message(fake_slack.dm_channel(USER_ID), news[0]["ts"])
    assert "<@U0CAL>" in texts(dm["blocks"])


def test_a_burst_of_cheers_leaves_the_post_showing_every_one(slack, fake_slack, running_app):
    teammates = [f"U0MATE{i}" for i in range(8)]
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, *teammates])
    _onboard(running_app.container, share=True)
    log_meeting(slack, fake_slack)
    _click(slack, fake_slack, _share_question(fake_slack), "share_win")
    post = {**wait(lambda: fake_slack.messages(TEAM))[0], "channel": TEAM}
    fake_slack.jitter = 0.05  # so one click's update may land after a later click's
    with ThreadPoolExecutor(len(teammates)) as pool:
        clicks = pool.map(
            lambda who: _click(slack, fake_slack, post, "cheer", user_id=who), teammates
        )
        assert all(r.status == 200 for r in clicks)

    def settled():
        count = len(fake_slack.calls_to("chat.update"))
        time.sleep(0.5)
        return count == len(fake_slack.calls_to("chat.update"))

    wait(settled, timeout=20)
    assert "Cheer (8)" in str(fake_slack.message(TEAM, post["ts"])["blocks"])


def test_a_channel_that_refuses_gets_her_the_fix_and_loses_nothing(
    slack, fake_slack, running_app, db
):
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID], bot_is_member=False)
    _onboard(running_app.container, share=True)
    log_meeting(slack, fake_slack)
    question = _share_question(fake_slack)
    _click(slack, fake_slack, question, "share_win")
    fixed = wait(
        lambda: (
            "Retry" in str(fake_slack.message(question["channel"], question["ts"])["blocks"])
            and fake_slack.message(question["channel"], question["ts"])
        )
    )
    assert "Invite me there" in texts(fixed["blocks"])
    assert "saved either way" in texts(fixed["blocks"])
    with db.session() as s:
        statuses = {c.kind: c.status for c in s.exec(select(Celebration))}
    assert statuses["win"] == "failed"
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID])  # she invited the bot
    fixed["channel"] = question["channel"]
    _click(slack, fake_slack, fixed, "share_retry")
    assert wait(lambda: fake_slack.messages(TEAM))


def test_she_left_the_channel_so_nothing_is_posted(slack, fake_slack, running_app):
    fake_slack.add_channel(TEAM, name="team", members=[ANA])
    _onboard(running_app.container, share=True)
    log_meeting(slack, fake_slack)
    question = _share_question(fake_slack)
    _click(slack, fake_slack, question, "share_win")
    fixed = wait(
        lambda: (
            "not in" in texts(fake_slack.message(question["channel"], question["ts"])["blocks"])
            and fake_slack.message(question["channel"], question["ts"])
        )
    )
    assert "You're not in <#C0TEAM> any more" in texts(fixed["blocks"])
    assert fake_slack.messages(TEAM) == []


def test_someone_else_cannot_share_or_decline_her_win(slack, fake_slack, running_app, db):
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, ANA])
    _onboard(running_app.container, share=True)
    running_app.container.services.coaching.start(
        team_id=TEAM_ID,
        user_id=ANA,
        answers=OnboardingAnswers("Mine", SelfPlacement.WHEN_ASKED, 50, True, TEAM),
        tz="Europe/London",
    )
    log_meeting(slack, fake_slack)
    question = _share_question(fake_slack)
    for action_id in ("share_win", "share_decline", "share_edit"):
        r = _click(slack, fake_slack, question, action_id, user_id=ANA)
        assert r.status == 200
    time.sleep(0.5)
    assert fake_slack.messages(TEAM) == []
    assert fake_slack.calls_to("views.open") == [
        c for c in fake_slack.calls_to("views.open") if c["view"]["callback_id"] == "log_attempt"
    ]
    with db.session() as s:
        win = s.exec(select(Celebration)).all()
    assert {c.status for c in win if c.kind == "win"} == {"offered"}


def test_a_win_logged_while_slack_says_wait_still_reaches_her(slack, fake_slack, running_app):
    """A burst of 429s (Slack's limits, or another process posting to her DM) delays her
    DMs by a moment; it doesn't cost her the win's DM or bring her an apology."""
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID])
    _onboard(running_app.container, share=True)
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=0, times=4)
    logged = log_meeting(slack, fake_slack, after=70)
    assert "That's a win, and it counts." in texts(logged["blocks"])
    question = _share_question(fake_slack)
    assert "Share this with <#C0TEAM>?" in texts(question["blocks"])
    said = "\n".join(texts(m["blocks"]) + m.get("text", "") for m in dms(fake_slack))
    assert "went wrong" not in said
    statuses = [c.status for c in fake_slack.calls if c.method == "chat.postMessage"]
    assert statuses.count(429) == 4
