"""/voice meetings: her list, and the add/edit modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.schedule import WEEKDAY_NAMES, describe_duration, mask_to_weekdays
from bot.services.meetings import MeetingInput, MeetingSummary
from bot.slack import ids
from bot.slack.blocks.common import option_for
from bot.slack.blocks.text import escape
from bot.slack.forms import DURATION_CHOICES, MAX_MEETING_NAME


def _when(m: MeetingSummary) -> str:
    line = f"{m.when}, {m.tz}"
    if m.next_start is not None:
        line += f"\nNext: {m.next_start:%a %-d %b, %H:%M}"
    return line


def build_meetings_message(meetings: list[MeetingSummary], note: str | None = None) -> dict:
    blocks: list[Block] = [SectionBlock(text=note)] if note else []
    if not meetings:
        blocks.append(
            SectionBlock(
                text="*Your practice meetings*\nNone yet. Add a meeting you'd like to practise "
                "in: I'll send a quick nudge before it and a one-tap check-in after."
            )
        )
    else:
        blocks.append(SectionBlock(text="*Your practice meetings*"))
    for m in meetings:
        blocks.append(
            SectionBlock(
                block_id=f"meeting_{m.id}",
                text=f"*{escape(m.name)}*\n{_when(m)}",
                accessory=None,
            )
        )
        blocks.append(
            ActionsBlock(
                block_id=f"meeting_actions_{m.id}",
                elements=[
                    ButtonElement(text="Edit", action_id=ids.MEETING_EDIT, value=str(m.id)),
                    ButtonElement(
                        text="Remove",
                        action_id=ids.MEETING_REMOVE,
                        value=str(m.id),
                        style="danger",
                        confirm=ConfirmObject(
                            title="Remove this meeting?",
                            text=f"No more check-ins for {escape(m.name, limit=200)}.",
                            confirm="Remove",
                            deny="Keep it",
                        ),
                    ),
                ],
            )
        )
    blocks.append(
        ActionsBlock(
            block_id="meetings_add",
            elements=[
                ButtonElement(
                    text="Add meeting", action_id=ids.MEETING_ADD, value="add", style="primary"
                )
            ],
        )
    )
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text="Times are shown in each meeting's zone.")])
    )
    return {
        "text": f"Your practice meetings ({len(meetings)})",
        "blocks": [b.to_dict() for b in blocks[:50]],
    }


def build_meeting_modal(meeting: MeetingInput | None, *, tz: str, meeting_id: int | None) -> dict:
    days = [Option(value=str(n), text=name) for n, name in enumerate(WEEKDAY_NAMES)]
    durations = [Option(value=str(m), text=describe_duration(m)) for m in DURATION_CHOICES]
    chosen = [days[n] for n in mask_to_weekdays(meeting.weekdays)] if meeting else []
    view = View(
        type="modal",
        callback_id=ids.MEETING_VIEW,
        private_metadata=str(meeting_id or ""),
        title="Edit meeting" if meeting else "Add a meeting",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.MEETING_NAME,
                label="Meeting",
                element=PlainTextInputElement(
                    action_id=ids.MEETING_NAME,
                    max_length=MAX_MEETING_NAME,
                    initial_value=meeting.name if meeting else None,
                    placeholder="e.g. Weekly planning",
                ),
            ),
            InputBlock(
                block_id=ids.WEEKDAYS,
                label="Repeats on",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.WEEKDAYS, options=days, initial_options=chosen or None
                ),
            ),
            InputBlock(
                block_id=ids.ON_DATE,
                label="…or just once, on",
                optional=True,
                element=DatePickerElement(
                    action_id=ids.ON_DATE,
                    initial_date=meeting.on_date.isoformat()
                    if meeting and meeting.on_date
                    else None,
                ),
            ),
            InputBlock(
                block_id=ids.START_TIME,
                label="Starts at",
                element=TimePickerElement(
                    action_id=ids.START_TIME,
                    initial_time=meeting.start.strftime("%H:%M") if meeting else "10:00",
                ),
            ),
            InputBlock(
                block_id=ids.DURATION,
                label="Lasts",
                element=StaticSelectElement(
                    action_id=ids.DURATION,
                    options=durations,
                    initial_option=option_for(
                        durations, meeting.duration_minutes if meeting else 30
                    ),
                ),
            ),
            InputBlock(
                block_id=ids.MEETING_TZ,
                label="Time zone",
                hint="From your Slack profile. Change it if the meeting runs on another zone.",
                element=PlainTextInputElement(
                    action_id=ids.MEETING_TZ,
                    max_length=64,
                    initial_value=meeting.tz if meeting else tz,
                ),
            ),
        ],
    )
    return view.to_dict()
