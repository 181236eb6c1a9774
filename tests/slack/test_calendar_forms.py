"""The calendar's two forms read back: the link's shape, and the ticked series by key,
whatever their length, from what the meeting list wrote (and from forged payloads)."""

from __future__ import annotations

import json

import pytest

from bot.domain.calendar import Series
from bot.services.calendars import CalendarChoice
from bot.slack.blocks.calendar import MAX_SHOWN, PROBLEMS, build_calendar_pick_modal
from bot.slack.forms import (
    MAX_OPTION_VALUE,
    NOT_A_LINK,
    FormErrors,
    parse_calendar_link,
    parse_calendar_pick,
    series_value,
)
from bot.slack.listeners.calendar import FAILED, NOT_STARTED, UNAVAILABLE
from tests.support.view_state import checkboxes, state, text


@pytest.mark.parametrize(
    "link",
    [
        "https://calendar.google.com/calendar/ical/me%40example.com/private-abc/basic.ics",
        "https://outlook.office365.com/owa/calendar/abc@example.com/def/calendar.ics",
        "webcal://p01-caldav.icloud.com/published/2/abc",
        "  http://127.0.0.1:8080/cal.ics  ",
    ],
)
def test_a_link_shape_is_accepted(link):
    assert parse_calendar_link(state(calendar_url=text(link))) == link.strip()


@pytest.mark.parametrize(
    "typed",
    [
        "calendar.google.com/calendar/ical/basic.ics",
        "https://calendar.google.com/a b.ics",
        '<iframe src="https://calendar.google.com/calendar/embed?src=x">',
        "https://",
        "http://[::1",
        "mailto:me@example.com",
    ],
)
def test_what_is_not_a_link_is_a_field_error(typed):
    with pytest.raises(FormErrors) as e:
        parse_calendar_link(state(calendar_url=text(typed)))
    assert e.value.errors == {"calendar_url": NOT_A_LINK}


def test_an_empty_or_overlong_link_is_a_field_error():
    for typed, says in ((None, "Please add"), ("https://x.example/" + "a" * 2000, "2000")):
        with pytest.raises(FormErrors) as e:
            parse_calendar_link(state(calendar_url=text(typed)))
        assert says in e.value.errors["calendar_url"]


KEYS = ["abc@google.com", "~starts-with-a-tilde", "X" * MAX_OPTION_VALUE, "Y" * 512]


def _submitted(view: dict, ticked: set[str]) -> dict:
    """state.values as Slack sends them for this view with these series ticked."""
    digests = json.loads(view.get("private_metadata") or '{"d": {}}')["d"]
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            chosen = [
                o["value"]
                for o in block["element"]["options"]
                if digests.get(o["value"], o["value"]) in ticked
            ]
            values[block["block_id"]] = {block["block_id"]: checkboxes(*chosen)}
    return values


def test_every_key_comes_back_whatever_its_length():
    series = [
        Series(k, f"Meeting {i}", f"Meeting {i} · Mon 09:00 · 30 min") for i, k in enumerate(KEYS)
    ]
    view = build_calendar_pick_modal(CalendarChoice("calendar.google.com", series, frozenset()))
    values = [
        o["value"] for b in view["blocks"] if b["type"] == "input" for o in b["element"]["options"]
    ]
    assert all(len(v) <= MAX_OPTION_VALUE for v in values)
    assert values[0] == KEYS[0] and values[2] == KEYS[2]  # short keys are their own value
    assert series_value(KEYS[1]).startswith("~") and series_value(KEYS[3]).startswith("~")
    ticked = {KEYS[1], KEYS[3], KEYS[0]}
    metadata = view["private_metadata"]
    assert parse_calendar_pick(_submitted(view, ticked), metadata, most=20) == ticked


def test_ticked_series_past_the_lists_end_stay_ticked():
    series = [Series(f"k{i}", f"M{i}", f"M{i} · Tue 10:00 · 1 h") for i in range(MAX_SHOWN + 30)]
    chosen = frozenset({"k0", f"k{MAX_SHOWN + 5}"})
    view = build_calendar_pick_modal(CalendarChoice("h", series, chosen))
    shown = [o for b in view["blocks"] if b["type"] == "input" for o in b["element"]["options"]]
    assert len(shown) == MAX_SHOWN and f"k{MAX_SHOWN + 5}" in {o["value"] for o in shown}
    assert "…and 30 more" in json.dumps(view, ensure_ascii=False)
    submitted = _submitted(view, {"k1"})  # she unticked k0 and k105, ticked k1
    assert parse_calendar_pick(submitted, view.get("private_metadata", ""), most=20) == {"k1"}


def test_more_ticked_than_the_list_shows_are_carried_and_stay_ticked():
    series = [Series(f"k{i}", f"M{i}", f"M{i} · Tue 10:00 · 1 h") for i in range(MAX_SHOWN + 5)]
    view = build_calendar_pick_modal(CalendarChoice("h", series, frozenset(s.key for s in series)))
    assert "The 5 ticked among them stay ticked." in json.dumps(view)
    keys = parse_calendar_pick(_submitted(view, set()), view["private_metadata"], most=20)
    assert keys == {f"k{i}" for i in range(MAX_SHOWN, MAX_SHOWN + 5)}


def test_more_ticks_than_the_most_is_a_field_error_on_the_first_list():
    values = {
        f"calendar_series_{n}": {
            f"calendar_series_{n}": checkboxes(*(f"{n}-{i}" for i in range(10)))
        }
        for n in range(3)
    }
    with pytest.raises(FormErrors) as e:
        parse_calendar_pick(values, "", most=20)
    assert set(e.value.errors) == {"calendar_series_0"}
    assert "untick 10" in e.value.errors["calendar_series_0"]


@pytest.mark.parametrize(
    "metadata", ["", "not json", "[1, 2]", '{"d": 5, "k": "x"}', '{"d": {"x": 1}, "k": [null]}']
)
def test_forged_values_and_metadata_name_nothing_beyond_themselves(metadata):
    values = state(
        calendar_series_0=checkboxes("~" + "0" * 32, "a@b", "z" * 200),
        other_block=checkboxes("c@d"),
    )
    assert parse_calendar_pick(values, metadata, most=20) == {"a@b"}


def test_every_reason_the_listeners_name_has_words():
    for why in (UNAVAILABLE, NOT_STARTED, FAILED):
        assert why in PROBLEMS
