"""Journey 11, the body: an optional "Settle your nerves" button in her pre-meeting DM opens
a 60-second exercise from the content (a long breath out, calling it excitement, a line in
her own name); she says whether it helped, and what helps her is offered more often. She
can turn the offer off; a break, an old click or a slow Slack get a friendly line. Her
answers never leave her DM. Through the running app and the strict fake Slack, on SQLite
and PostgreSQL. Time is a FakeClock handed to the running app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.models import Coachee, NervesExercise
from tests.conftest import TEAM_ID, USER_ID
from tests.scenarios import test_plans as plans
from tests.support.journey import choose_confidence, command_reply, dms, texts, tick, wait
from tests.support.view_state import radio, settings, state

# Mila with a buddy (Priya), a team channel and a weekly planning meeting on Mondays, on
# a FakeClock: the same world as the if-then plans' journey, and the same privacy check.
clock, world = plans.clock, plans.world  # fixtures
PRIYA = plans.PRIYA
_nothing_private_left_her_dm = plans._nothing_private_left_her_dm

MONDAY_0945 = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)  # 09:45 in New York


def _pre_checkin(container, dispatcher, fake, clock, when=MONDAY_0945) -> dict:
    clock.instant = when
    assert tick(container, dispatcher) == 1
    return {**dms(fake)[-1], "channel": fake.dm_channel(USER_ID)}


def _nerves_button(message: dict) -> dict | None:
    for block in message["blocks"]:
        if block.get("accessory", {}).get("action_id") == "nerves_open":
            return block["accessory"]
    return None


def _click(slack, fake, message: dict, value: str | None = None, user_id: str = USER_ID):
    return slack.block_action(
        user_id=user_id,
        action_id="nerves_open",
        value=value or _nerves_button(message)["value"],
        message=message,
        channel_id=fake.dm_channel(user_id),
    )


def _open_exercise(slack, fake, message: dict) -> dict:
    """She taps the button; the modal Slack opened."""
    opened = len(fake.calls_to("views.open"))
    assert _click(slack, fake, message).status == 200
    return fake.wait_for("views.open", count=opened + 1)[-1]["view"]


def _done(slack, helped: str | None) -> dict:
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="nerves",
        values=state(nerves_helped=radio(helped) if helped else {"type": "radio_buttons"}),
    )
    assert r.status == 200, r.text
    ack = r.json()
    assert ack["response_action"] == "update"
    return ack["view"]


def _told(slack, fake, message: dict, value: str | None = None) -> str:
    """She taps the button and is told something, just for her (the response_url)."""
    r = _click(slack, fake, message, value)
    assert r.status == 200
    reply = fake.wait_for_response_url_post(r.response_url)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    return reply["text"]


def _rows(db) -> list[NervesExercise]:
    with db.session() as s:
        return list(s.exec(select(NervesExercise).order_by(NervesExercise.id)))


def test_she_settles_her_nerves_says_whether_it_helped_and_gets_what_helps_more_often(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    seen = texts(pre["blocks"])
    assert "Nerves before a meeting are normal. If you'd like, take a minute to settle." in seen
    button = _nerves_button(pre)
    assert button["text"]["text"] == "Settle your nerves" and "style" not in button

    # First: a long breath out, with its evidence and its limits; "Did it help?" optional.
    modal = _open_exercise(slack, fake_slack, pre)
    assert (modal["callback_id"], modal["title"]["text"]) == ("nerves", "Settle your nerves")
    assert (modal["submit"]["text"], modal["close"]["text"]) == ("Done", "Not now")
    shown = texts(modal["blocks"])
    assert "*A long breath out*  ·  about 60 seconds" in shown
    assert "1. Breathe in through your nose." in shown
    assert "for longer than you breathed in" in shown
    assert "Balban et al. 2023" in shown and "pretend exercise helped about as much" in shown
    assert "A new one to try." in shown and "Only you see your answer." in shown
    question = next(b for b in modal["blocks"] if b.get("block_id") == "nerves_helped")
    assert question["optional"] is True and question["label"]["text"] == "Did it help?"
    assert [o["text"]["text"] for o in question["element"]["options"]] == [
        "Yes",
        "A little",
        "Not really",
    ]
    thanks = _done(slack, "yes")
    assert "Glad it helped. I'll offer it more often." in texts(thanks["blocks"])
    # Slack sends the same submission again: it is kept once.
    slack.view_submission(
        user_id=USER_ID, callback_id="nerves", values=state(nerves_helped=radio("yes"))
    )
    [row] = _rows(db)
    checkin_id = int(button["value"])
    assert (row.exercise_id, row.helped, row.checkin_id) == ("long-exhale", "yes", checkin_id)
    assert row.done_at == clock.instant

    # She gives her confidence: the check-in updates in place, and the offer stays.
    choose_confidence(slack, fake_slack, pre, "60")
    answered = {**fake_slack.message(pre["channel"], pre["ts"]), "channel": pre["channel"]}
    assert "Confidence noted: *60*" in texts(answered["blocks"])
    assert _nerves_button(answered)["value"] == button["value"]

    # Then each of the others once: excitement (honest that it's about feeling, not
    # performing), and a line in her own name.
    modal = _open_exercise(slack, fake_slack, answered)
    shown = texts(modal["blocks"])
    assert "*Call it excitement*" in shown and "“I am excited.”" in shown
    assert "2025 replication found it didn't change how well they did" in shown
    assert "not a promise" in shown
    assert "Thanks for saying." in texts(_done(slack, "not_really")["blocks"])
    modal = _open_exercise(slack, fake_slack, answered)
    shown = texts(modal["blocks"])
    assert "“Mila, you've prepared for this." in shown and "“Mila, if your voice" in shown
    assert "{name}" not in shown and "Kross et al. 2014" in shown
    assert "A little counts." in texts(_done(slack, "a_little")["blocks"])

    # What helped her most comes back, and the modal says why; closing it saves nothing.
    modal = _open_exercise(slack, fake_slack, answered)
    shown = texts(modal["blocks"])
    assert "*A long breath out*" in shown
    assert "You said this one helped, so here it is again." in shown
    assert [(r.exercise_id, r.helped) for r in _rows(db)] == [
        ("long-exhale", "yes"),
        ("call-it-excitement", "not_really"),
        ("talk-to-yourself", "a_little"),
    ]
    # Done without an answer counts as done, with no answer.
    assert "Go well in your meeting." in texts(_done(slack, None)["blocks"])
    assert (_rows(db)[-1].exercise_id, _rows(db)[-1].helped) == ("long-exhale", None)
    # Next time, another gets a turn (one in four), so one "Not really" isn't final.
    modal = _open_exercise(slack, fake_slack, answered)
    assert "Taking turns, so you can find what suits you." in texts(modal["blocks"])
    assert "*Call it excitement*" in texts(modal["blocks"])


def test_she_can_turn_the_offer_off_in_settings_and_an_old_button_says_so_kindly(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    opened = len(fake_slack.calls_to("views.open"))
    assert slack.command("settings", user_id=USER_ID).status == 200
    modal = fake_slack.wait_for("views.open", count=opened + 1)[-1]["view"]
    box = next(b for b in modal["blocks"] if b.get("block_id") == "nerves_on")
    assert box["label"]["text"] == "Settle your nerves"
    assert box["element"]["initial_options"][0]["value"] == "yes"  # on unless she says
    assert "Never a reminder." in box["hint"]["text"]
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="settings",
        values=settings(stories=True, nerves=False),  # unticked
    )
    assert r.status == 200 and r.text == "", r.text
    with db.session() as s:
        coachee = s.exec(select(Coachee).where(Coachee.slack_user_id == USER_ID)).one()
        assert (coachee.nerves_on, coachee.stories_on) == (False, True)
    # The button she still has in the DM: a kind line, no modal.
    opened = len(fake_slack.calls_to("views.open"))
    line = _told(slack, fake_slack, pre)
    assert line.startswith("You've turned “Settle your nerves” off.")
    assert "`/voice settings`" in line
    assert len(fake_slack.calls_to("views.open")) == opened
    # The next check-in comes without it; the settings modal shows it off.
    nxt = _pre_checkin(
        container, dispatcher, fake_slack, clock, MONDAY_0945 + timedelta(days=7, hours=-1)
    )
    assert "Weekly planning" in texts(nxt["blocks"]) and _nerves_button(nxt) is None
    assert "take a minute to settle" not in texts(nxt["blocks"])
    assert slack.command("settings", user_id=USER_ID).status == 200
    modal = fake_slack.wait_for("views.open", count=opened + 1)[-1]["view"]
    box = next(b for b in modal["blocks"] if b.get("block_id") == "nerves_on")
    assert "initial_options" not in box["element"]


def test_a_break_an_expired_trigger_and_a_refused_modal_each_get_a_friendly_line(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    # Slack took too long to hand the click over: the trigger expired.
    fake_slack.trigger_ttl = -1.0
    assert _told(slack, fake_slack, pre).startswith("That took a moment too long to open.")
    fake_slack.trigger_ttl = 3.0
    # Slack refuses the modal for any other reason: the same kind line, no stack trace.
    fake_slack.fail_next("views.open", "internal_error")
    assert _told(slack, fake_slack, pre).startswith("That took a moment too long to open.")
    # Someone else's click naming her check-in opens nothing of hers (Priya hasn't
    # started: she is told how to), nor does a forged value.
    opened = len(fake_slack.calls_to("views.open"))
    r = _click(slack, fake_slack, pre, user_id=PRIYA)
    assert r.status == 200
    assert "haven't started" in fake_slack.wait_for_response_url_post(r.response_url)["text"]
    assert _told(slack, fake_slack, pre, value="not-a-checkin") == (
        "This check-in isn't available any more."
    )
    assert len(fake_slack.calls_to("views.open")) == opened
    # On a break: nothing is asked of her.
    command_reply(slack, fake_slack, "pause 2w")  # once she is told, the break is on
    assert _told(slack, fake_slack, pre).startswith("You're on a break")
    assert len(fake_slack.calls_to("views.open")) == opened
    # A forged submission (an exercise not in the content) is refused kindly.
    command_reply(slack, fake_slack, "resume")
    _open_exercise(slack, fake_slack, pre)
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="nerves",
        values=state(nerves_helped=radio("yes")),
        private_metadata=f"{_nerves_button(pre)['value']}:made-up",
    )
    assert "can't be saved" in r.json()["errors"]["nerves_helped"]
    assert _rows(db) == []


def test_her_answers_stay_hers_in_her_export_gone_with_forget_me_and_uninstall(
    world, fake_slack, clock, db
):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    wait(lambda: fake_slack.messages(fake_slack.dm_channel(PRIYA)))  # her buddy's nudge
    _open_exercise(slack, fake_slack, pre)
    _done(slack, "a_little")
    _open_exercise(slack, fake_slack, pre)
    _done(slack, "not_really")
    # Never in a channel, never to her buddy: not the offer, the exercise or her answers.
    _nothing_private_left_her_dm(
        fake_slack,
        "Settle your nerves",
        "settle",
        "A long breath out",
        "Call it excitement",
        "A little",
        "Not really",
        "nerves",
    )
    exported = json.loads(container.services.privacy.export(team_id=TEAM_ID, user_id=USER_ID))
    assert [(r["exercise_id"], r["helped"]) for r in exported["nerves_exercises"]] == [
        ("long-exhale", "a_little"),
        ("call-it-excitement", "not_really"),
    ]
    assert exported["profile"]["nerves_on"] is True
    container.services.privacy.forget(team_id=TEAM_ID, user_id=USER_ID)
    assert _rows(db) == []


def test_uninstall_takes_her_answers_with_the_workspace(world, fake_slack, clock, db):
    container, dispatcher, slack = world
    pre = _pre_checkin(container, dispatcher, fake_slack, clock)
    _open_exercise(slack, fake_slack, pre)
    _done(slack, "yes")
    assert len(_rows(db)) == 1
    workspaces = container.services.workspaces
    workspaces.uninstalled(team_id=TEAM_ID)
    clock.instant += timedelta(days=31)  # after the grace period
    assert workspaces.purge_uninstalled() == [TEAM_ID]
    assert _rows(db) == []
