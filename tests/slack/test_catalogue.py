"""Every Block Kit surface, in every state and with the worst she can type, is one Slack
would accept (held to the rules bot/playground/fakeslack/blockkit.py holds the fake Slack to), has a
notification text, and shows her words as typed, never as mentions or links."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from bot.playground.fakeslack.blockkit import message_problems, view_problems
from tests.slack.catalogue import (
    CATALOGUE,
    HOSTILE,
    Words,
    builders_in_the_package,
    name_of,
    render,
    words,
)

BUILDERS = sorted(CATALOGUE, key=name_of)
by_name = {name_of(b): b for b in BUILDERS}.__getitem__
HOSTILE_EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def problems(payload: dict | None) -> list[str]:
    """What Slack would refuse in a message or a view (None: nothing is sent)."""
    if payload is None:
        return []
    if payload.get("type") in ("modal", "home"):
        found = view_problems(payload)
    else:
        found = message_problems(payload)
        if not str(payload.get("text") or "").strip():
            found.append("[ERROR] a message needs a notification text [json-pointer:/text]")
    return found + markup_problems(payload)


# Slack's markup in mrkdwn: <@U…>, <#C…>, <!here>, <https://…|…>; entities &amp; &lt; &gt;.
TOKEN = re.compile(r"<[@#!][A-Za-z0-9^|]+>|<https?://[^<>\s]+>")
ENTITY = re.compile(r"&(amp|lt|gt);")
QUOTE = re.compile(r"^>", re.MULTILINE)


def markup_problems(payload: dict) -> list[str]:
    """Not Slack's rules but what she sees: a text cut inside a mention or an entity
    shows its raw pieces (``<@U0MI`` or ``&am…``)."""
    found = []
    for text in mrkdwn_texts(payload):
        rest = ENTITY.sub("", TOKEN.sub("", QUOTE.sub("", text)))
        if set(rest) & set("<>&"):
            found.append(f"[ERROR] broken markup in mrkdwn: {text[-200:]!r}")
    return found


def refused(builder, typed: Words) -> dict[str, list[str]]:
    """The problems of each state Slack would refuse; a builder that raises is one too."""
    bad, state = {}, None
    try:
        for state, payload in CATALOGUE[builder](typed):
            if found := problems(payload):
                bad[state] = found
    except Exception as e:
        bad[f"the state after {state!r}"] = [f"raised {e!r}"]
    return bad


def report(builder, bad: dict[str, list[str]]) -> str:
    lines = [f"{name_of(builder)}: Slack would refuse (or she would see broken markup):"]
    for state, found in list(bad.items())[:10]:
        lines += [f"  {state}:", *(f"    {p}" for p in found[:10])]
    return "\n".join(lines)


def test_the_catalogue_covers_every_builder():
    """A new surface must be added to tests/slack/catalogue.py to be checked."""
    covered = {name_of(b) for b in CATALOGUE}
    assert builders_in_the_package() - covered == set(), "build_* functions not in the catalogue"
    assert covered - builders_in_the_package() == set(), "catalogued but not in bot.slack.blocks"


@pytest.mark.parametrize("builder", BUILDERS, ids=name_of)
def test_every_state_is_accepted(builder):
    """New user, every step, paused, two years in, every check-in and milestone, ..."""
    bad = refused(builder, Words())
    assert not bad, report(builder, bad)


def shows_her_words(builder) -> bool:
    try:
        return render(builder, Words()) != render(builder, HOSTILE)
    except Exception:
        return True  # the tests report what it raised


WORDY = [b for b in BUILDERS if shows_her_words(b)]


@pytest.mark.parametrize("builder", WORDY, ids=name_of)
@HOSTILE_EXAMPLES
@given(typed=words())
def test_what_she_types_is_accepted(builder, typed):
    """The longest text each form accepts, emoji, other scripts, mrkdwn and mentions."""
    bad = refused(builder, typed)
    assert not bad, report(builder, bad)


# -- her words, as typed -------------------------------------------------------------------------


def mrkdwn_texts(payload: dict | None) -> list[str]:
    """Every string Slack reads as mrkdwn: mrkdwn text objects and a message's text."""
    payload = payload or {}
    found = [payload["text"]] if isinstance(payload.get("text"), str) else []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return found


def plain_inputs(payload: dict | None) -> list[str]:
    """The initial values of a view's text inputs (plain text: shown exactly as stored)."""
    return [
        b["element"]["initial_value"]
        for b in (payload or {}).get("blocks", [])
        if b.get("type") == "input" and "initial_value" in b["element"]
    ]


RAW = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://")


@pytest.mark.parametrize("builder", BUILDERS, ids=name_of)
def test_her_words_never_become_mentions_or_links(builder):
    for state, payload in render(builder, HOSTILE):
        for text in mrkdwn_texts(payload):
            leaked = [r for r in RAW if r in text]
            assert not leaked, f"{name_of(builder)}, {state}: {leaked} unescaped in {text!r}"


SHOWN = {  # builders that show her words, and which
    "checkins.build_pre_checkin": HOSTILE.meeting,
    "checkins.build_post_checkin": HOSTILE.meeting,
    "checkins.build_reminder": HOSTILE.meeting,
    "checkins.build_checkin_state": HOSTILE.meeting,
    "meetings.build_meetings_message": HOSTILE.meeting,
    "home.build_home_dashboard": HOSTILE.goal,
    "celebrations.build_channel_post": HOSTILE.wording,
    "buddy.build_encouragement": HOSTILE.encouragement,
}


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("name", sorted(SHOWN))
def test_her_words_are_shown_escaped(name):
    """Escaped, not dropped: Slack shows &lt;!channel&gt; as <!channel>, a mention as text."""
    shown = escaped(SHOWN[name])
    texts = [t for _, payload in render(by_name(name), HOSTILE) for t in mrkdwn_texts(payload)]
    assert any(shown in t for t in texts), f"{name} never shows {shown!r}"


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("meetings.build_meeting_modal", HOSTILE.meeting),
        ("onboarding.build_onboarding_modal", HOSTILE.goal),
        ("celebrations.build_wording_modal", HOSTILE.wording),
    ],
)
def test_what_she_edits_is_what_she_typed(name, typed):
    """A text input's initial value is plain text: escaping it would show her &amp;."""
    values = [v for _, payload in render(by_name(name), HOSTILE) for v in plain_inputs(payload)]
    assert typed in values
    assert not [v for v in values if "&amp;" in v or "&lt;" in v]
