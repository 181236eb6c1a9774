"""Steps of a user's journey, driven through the running app like Slack would."""

from __future__ import annotations

import json
import time

from bot.services.planner import extend_horizons
from tests.conftest import USER_ID
from tests.support.view_state import radio, state, text
from tests.support.view_state import select as pick


def texts(blocks: list[dict]) -> str:
    out = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        for field in block.get("fields", []) or []:
            out.append(field["text"])
        for element in block.get("elements", []) or []:
            if isinstance(element.get("text"), dict):
                out.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                out.append(element["text"])
    return "\n".join(out)


def wait(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def dms(fake, user=USER_ID) -> list[dict]:
    return fake.messages(fake.dm_channel(user))


def open_log(slack, fake) -> dict:
    """``/voice log``: the "Log a meeting" form it opens."""
    calls = len(fake.calls_to("views.open"))
    assert slack.command("log", user_id=USER_ID).status == 200
    modal = fake.wait_for("views.open", count=calls + 1)[-1]["view"]
    assert modal["callback_id"] == "log_attempt"
    return modal


def log_meeting(slack, fake, *, outcome="did_it", felt="about_right", tried=None, after=70):
    modal = open_log(slack, fake)
    tried = (
        tried
        or next(b for b in modal["blocks"] if b.get("block_id") == "tried")["element"][
            "initial_option"
        ]["value"]
    )
    dm_count = len(dms(fake))
    r = slack.view_submission(
        user_id=USER_ID,
        callback_id="log_attempt",
        values=state(
            meeting_name=text("Design review"),
            tried=pick(tried),
            outcome=radio(outcome),
            felt=radio(felt),
            confidence_before=pick(50),
            confidence_after=pick(after),
            reflection=text("Said it in the first five minutes."),
        ),
    )
    assert r.status == 200 and r.text == "", r.text
    return wait(lambda: dms(fake)[dm_count:])[0]


def tick(container, dispatcher) -> int:
    """One scheduler round at the clock's time: plan ahead, then send what is due."""
    extend_horizons(container.db, container.clock)
    return dispatcher.tick()


def choose_confidence(slack, fake, pre: dict, shown: str) -> dict:
    """She picks the option showing ``shown`` in a pre-meeting check-in's menu; returns it
    once the check-in has been updated in place."""
    menu = next(b["accessory"] for b in pre["blocks"] if b.get("accessory"))
    option = next(o for o in menu["options"] if o["text"]["text"] == shown)
    updates = len(fake.calls_to("chat.update"))
    r = slack.block_action(
        user_id=USER_ID,
        action_id=menu["action_id"],
        action_type="static_select",
        selected_option=option,
        message=pre,
        channel_id=fake.dm_channel(USER_ID),
    )
    assert r.status == 200
    fake.wait_for("chat.update", count=updates + 1)
    return option


def button(message: dict, action_id: str) -> dict:
    """The button with this action_id in a message's actions blocks."""
    return next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def command_reply(slack, fake, text: str = "", *, user_id: str = USER_ID) -> dict:
    """What she sees after `/voice <text>`: an ephemeral message.

    Replies that need no data are the acknowledgement itself; the others are posted to the
    command's response_url once the app has acknowledged (with an empty body).
    """
    r = slack.command(text, user_id=user_id)
    assert r.status == 200, r.text
    message = r.json() if r.text else fake.wait_for_response_url_post(r.response_url)
    assert message.get("response_type", "ephemeral") == "ephemeral", message
    return message


def nothing_private_left_her_dm(fake, *words: str, user=USER_ID) -> None:
    """None of ``words`` in any call the fake Slack received that reaches a channel or
    anyone but her (her own modals and Home, opened by her clicks, and look-ups aside)."""
    mine = fake.dm_channel(user)
    for call in fake.calls:
        if call.method.startswith("views.") or call.method in ("conversations.open", "users.info"):
            continue
        if call.args.get("channel") == mine:
            continue
        said = json.dumps(call.args, ensure_ascii=False)
        for word in words:
            assert word not in said, (call.method, call.args.get("channel"), word)
