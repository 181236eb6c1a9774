"""Builders of ``view.state.values`` as Slack sends them in a view_submission."""

from __future__ import annotations


def _option(value: str) -> dict:
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def text(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def radio(value: str | None) -> dict:
    return {"type": "radio_buttons", "selected_option": _option(value) if value else None}


def select(value: str | int | None) -> dict:
    return {
        "type": "static_select",
        "selected_option": _option(str(value)) if value is not None else None,
    }


def checkboxes(*values: str) -> dict:
    return {"type": "checkboxes", "selected_options": [_option(v) for v in values]}


def conversation(channel_id: str | None) -> dict:
    return {"type": "conversations_select", "selected_conversation": channel_id}


def timepicker(value: str | None) -> dict:
    return {"type": "timepicker", "selected_time": value}


def state(**fields: dict) -> dict:
    """block_id=element-state → Slack's {block_id: {action_id: state}} (ids are the same)."""
    return {block: {block: value} for block, value in fields.items()}


_LEFT_OUT = object()


def settings(
    *,
    pre: int = 15,
    post: int = 5,
    start: str = "09:00",
    end: str = "18:00",
    share: tuple[str, ...] = (),
    channel: str | object | None = _LEFT_OUT,
    stories: bool | object = _LEFT_OUT,
    nerves: bool | object = _LEFT_OUT,
) -> dict:
    """The /voice settings modal as she submits it: check-in minutes, her working day,
    sharing (``share``: the ticked options), and the on/off boxes. A block left out is
    left out of the state, as when the modal didn't show it."""
    fields = dict(
        pre_minutes=select(pre),
        post_minutes=select(post),
        work_start=timepicker(start),
        work_end=timepicker(end),
        share_wins=checkboxes(*share),
    )
    if channel is not _LEFT_OUT:
        fields["share_channel"] = conversation(channel)
    for block, on in (("stories_on", stories), ("nerves_on", nerves)):
        if on is not _LEFT_OUT:
            fields[block] = checkboxes("yes") if on else checkboxes()
    return state(**fields)
