"""Modelling (issue 15, piece 3): coping stories at her step, at most once a week, beside
her pre-meeting check-in; colleagues' wins shared anonymously, shown only once 5 other
people at that step have shared, only by DM, never to the author, never with a name, a
meeting, a confidence or a date. Through the running app and the strict fake Slack."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlmodel import select

from bot.bootstrap import build_dispatcher
from bot.content import load_ladder
from bot.content.stories import load_stories
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.domain.stories import slot_of
from bot.models import Coachee, SharedStory
from bot.services.coaching import OnboardingAnswers
from bot.services.meetings import MeetingInput
from bot.storage import coachees
from bot.storage import stories as story_store
from tests.conftest import TEAM_ID, USER_ID
from tests.support.journey import button, texts, tick, wait
from tests.support.view_state import radio, settings, state, text
from tests.support.view_state import select as pick

TEAM = "C0TEAM"
AUTHORS = [f"U0AUTH{i}" for i in range(6)]
MON_WED = weekdays_to_mask([0, 2])
LIBRARY = load_stories(load_ladder())


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def app(running_app, fake_slack):
    for i, author in enumerate(AUTHORS):
        fake_slack.add_user(author, tz="Europe/London", real_name=f"Author Person{i}")
    fake_slack.add_channel(TEAM, name="team", members=[USER_ID, *AUTHORS])
    dispatcher = build_dispatcher(running_app.container)
    yield running_app.container, dispatcher
    dispatcher.close()


def _onboard(container, user_id: str, *, share: bool = False) -> None:
    answers = OnboardingAnswers(
        "Speak up in planning", SelfPlacement.WHEN_ASKED, 50, share, TEAM if share else None
    )
    container.services.coaching.start(
        team_id=TEAM_ID, user_id=user_id, answers=answers, tz="America/New_York"
    )


def _add_meeting(container, user_id: str = USER_ID) -> None:
    meeting = MeetingInput("Weekly planning", MON_WED, None, time(10, 0), 30, "America/New_York")
    container.services.meetings.add(team_id=TEAM_ID, user_id=user_id, meeting=meeting)


def _pre_checkin(container, dispatcher, fake, clock, when: datetime) -> dict:
    clock.move_to(when)
    assert tick(container, dispatcher) == 1
    return fake.messages(fake.dm_channel(USER_ID))[-1]


def _story(message: dict) -> str | None:
    block = next((b for b in message["blocks"] if b.get("block_id") == "coping_story"), None)
    return None if block is None else block["text"]["text"]


def _her_step(db, user_id: str = USER_ID) -> int:
    with db.session() as s:
        return s.exec(select(Coachee).where(Coachee.slack_user_id == user_id)).one().current_step


def test_a_library_story_at_her_step_comes_beside_a_check_in_at_most_once_a_week(
    slack, fake_slack, app, db
):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID)
        _add_meeting(container)
        step_stories = [s.text for s in LIBRARY.at_step(_her_step(db))]
        monday = _pre_checkin(container, dispatcher, fake_slack, clock, _utc(2026, 3, 2, 14, 45))
        first = _story(monday)
        assert first is not None and first.split("\n>", 1)[1] in step_stories
        assert "Someone at your step" in first
        assert "like you be nervous and do it anyway" in texts(monday["blocks"])  # the why
        # Wednesday: a check-in, and no story (one a week at most).
        wednesday = _pre_checkin(container, dispatcher, fake_slack, clock, _utc(2026, 3, 4, 14, 45))
        assert "Weekly planning" in texts(wednesday["blocks"]) and _story(wednesday) is None
        # A week after the first: another story, a different one.
        next_monday = _pre_checkin(
            container,
            dispatcher,
            fake_slack,
            clock,
            _utc(2026, 3, 9, 13, 45),  # EDT now
        )
        second = _story(next_monday)
        assert second is not None and second != first
        assert second.split("\n>", 1)[1] in step_stories


def test_she_can_turn_stories_off_in_settings(slack, fake_slack, app, db):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID)
        _add_meeting(container)
        assert slack.command("settings", user_id=USER_ID).status == 200
        modal = fake_slack.wait_for("views.open")[-1]["view"]
        box = next(b for b in modal["blocks"] if b.get("block_id") == "stories_on")
        assert box["element"]["initial_options"][0]["value"] == "yes"  # on unless she says
        r = slack.view_submission(
            user_id=USER_ID,
            callback_id="settings",
            values=settings(stories=False),  # unticked
        )
        assert r.status == 200 and r.text == "", r.text
        for day in (2, 9, 16):
            when = _utc(2026, 3, day, 14 if day == 2 else 13, 45)
            assert _story(_pre_checkin(container, dispatcher, fake_slack, clock, when)) is None


def _share_anonymously(slack, fake, user_id: str, phrase: str | None) -> None:
    """She logs a win (with a meeting name, confidences and a reflection of her own),
    and shares it anonymously from the share question in her DM."""
    opened = len(fake.calls_to("views.open"))
    assert slack.command("log", user_id=user_id).status == 200
    modal = fake.wait_for("views.open", count=opened + 1)[-1]["view"]
    tried = next(b for b in modal["blocks"] if b.get("block_id") == "tried")["element"]
    r = slack.view_submission(
        user_id=user_id,
        callback_id="log_attempt",
        values=state(
            meeting_name=text(f"Secret board meeting of {user_id}"),
            tried=pick(tried["initial_option"]["value"]),
            outcome=radio("did_it"),
            felt=radio("about_right"),
            confidence_before=pick(30),
            confidence_after=pick(90),
            reflection=text(f"Priya from legal saw me on 2026-03-0{user_id[-1]}"),
        ),
    )
    assert r.status == 200 and r.text == "", r.text
    question = wait(
        lambda: next(
            (
                m
                for m in fake.messages(fake.dm_channel(user_id))
                if any(b.get("block_id", "").startswith("story_") for b in m["blocks"])
            ),
            None,
        )
    )
    offer = button(question, "story_share")
    opened = len(fake.calls_to("views.open"))
    r = slack.block_action(
        user_id=user_id,
        action_id="story_share",
        value=offer["value"],
        message=question,
        channel_id=fake.dm_channel(user_id),
    )
    assert r.status == 200
    share_modal = fake.wait_for("views.open", count=opened + 1)[-1]["view"]
    assert share_modal["callback_id"] == "story_share_view"
    assert "Never your name, the meeting, your confidence or the date" in texts(
        share_modal["blocks"]
    )
    r = slack.view_submission(
        user_id=user_id,
        callback_id="story_share_view",
        values=state(story_phrase=radio(phrase)),
    )
    assert r.status == 200
    assert json.loads(r.text)["response_action"] == "update"


def _everything_sent(fake) -> list[tuple[str, str]]:
    """(channel, all its words) of every message and view the fake Slack received."""
    sent = []
    for method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        for call in fake.calls_to(method):
            sent.append((call.get("channel", ""), json.dumps(call, ensure_ascii=False)))
    return sent


def test_colleagues_stories_appear_only_after_five_shared_only_by_dm_and_never_leak(
    slack, fake_slack, app, db
):
    container, dispatcher = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False) as clock:
        _onboard(container, USER_ID)
        _add_meeting(container)
        for author in AUTHORS:
            _onboard(container, author, share=True)
        phrases = [p.id for p in LIBRARY.phrases]
        for i, author in enumerate(AUTHORS[:4]):
            _share_anonymously(slack, fake_slack, author, phrases[i % len(phrases)])
        assert _her_step(db) == _her_step(db, AUTHORS[0])
        # Four people have shared at her step: two weeks of stories, both from the library.
        seen = []
        for when in (_utc(2026, 3, 2, 14, 45), _utc(2026, 3, 9, 13, 45)):
            story = _story(_pre_checkin(container, dispatcher, fake_slack, clock, when))
            assert story is not None and "A colleague" not in story
            seen.append(story)
        # A fifth: now colleagues' stories take turns with the library's.
        _share_anonymously(slack, fake_slack, AUTHORS[4], None)
        for when in (_utc(2026, 3, 16, 13, 45), _utc(2026, 3, 23, 13, 45)):
            seen.append(_story(_pre_checkin(container, dispatcher, fake_slack, clock, when)))
        colleague = [s for s in seen if "A colleague at your step" in s]
        assert len(colleague) == 1, seen
        assert "They did it." in colleague[0]

    # Only by DM: nothing was posted in the team channel, and no story anywhere but a DM.
    assert fake_slack.messages(TEAM) == []
    for channel, words in _everything_sent(fake_slack):
        if "coping_story" in words:
            assert channel.startswith("D") and channel == fake_slack.dm_channel(USER_ID)
    # Nothing of the authors reached her: no id, name, meeting, confidence, date or words.
    her_dm = [w for c, w in _everything_sent(fake_slack) if c == fake_slack.dm_channel(USER_ID)]
    for words in her_dm:
        for author in AUTHORS:
            assert author not in words
        for leak in ("Author Person", "Secret board meeting", "Priya", "legal", "2026-03"):
            assert leak not in words, leak
    story_text = colleague[0]
    assert not re.search(r"\d", story_text)  # no confidence, no date
    # The authors never got a colleague's story (nor their own) in their DMs.
    for author in AUTHORS:
        assert "A colleague at your step" not in json.dumps(
            fake_slack.messages(fake_slack.dm_channel(author))
        )


def test_the_author_never_reads_her_own_story_and_forget_me_takes_it_away(
    slack, fake_slack, app, db
):
    """Six authors at one step: each has five others, so stories flow, but never her own
    (each shared with a phrase no one else chose). Her export lists her share; forget-me
    deletes it, and her colleagues drop back below five."""
    container, _ = app
    with time_machine.travel(_utc(2026, 3, 1, 12, 0), tick=False):
        for author in AUTHORS:
            _onboard(container, author, share=True)
        phrases = [p.id for p in LIBRARY.phrases]
        own = dict(zip(AUTHORS, [*phrases, None], strict=True))
        for author, phrase in own.items():
            _share_anonymously(slack, fake_slack, author, phrase)
    reader = AUTHORS[0]
    mine = LIBRARY.phrase(own[reader]).text
    for week in range(4):
        with time_machine.travel(_utc(2026, 3, 2, 12, 0) + timedelta(weeks=week), tick=False):
            story = _story_for(container, reader)
        assert story is not None and mine not in story.text
    exported = json.loads(container.services.privacy.export(team_id=TEAM_ID, user_id=reader))
    [share] = exported["anonymous_stories_shared"]
    assert share["phrase_id"] == own[reader] and share["outcome"] == "did_it"
    container.services.privacy.forget(team_id=TEAM_ID, user_id=AUTHORS[5])
    with db.session() as s:
        assert len(s.exec(select(SharedStory)).all()) == 5
    # AUTHORS[1] now has four others: only library stories from here on.
    for week in range(4, 8):
        with time_machine.travel(_utc(2026, 3, 2, 12, 0) + timedelta(weeks=week), tick=False):
            story = _story_for(container, AUTHORS[1])
        assert story is not None and story.source == "library"


def _story_for(container, user_id: str):
    """This week's story for her, picked and its slot claimed now, as the dispatcher
    does before her pre-meeting check-in."""
    now = container.clock.now()
    with container.db.reading() as connection:
        coachee = coachees.coachee_row(connection, team_id=TEAM_ID, slack_user_id=user_id)
    slot = slot_of(coachee, now)
    if slot is None:
        return None
    story = container.services.stories.pick(team_id=TEAM_ID, slot=slot)
    with container.db.session() as session:
        if not story_store.claim_story_slot(
            session, coachee_id=slot.coachee_id, now=now, not_since=slot.week_start
        ):
            return None
    return story
