"""The /voice settings modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.services.preferences import POST_MINUTES_CHOICES, PRE_MINUTES_CHOICES, Preferences
from bot.slack import ids
from bot.slack.blocks.common import option_for, sharing_inputs

STORIES = Option(value="yes", text="Show me a short story now and then")
NERVES = Option(value="yes", text="Offer a 60-second exercise before meetings")


def build_settings_modal(prefs: Preferences) -> dict:
    pre = [Option(value=str(m), text=f"{m} minutes before") for m in PRE_MINUTES_CHOICES]
    post = [
        Option(value=str(m), text="as it ends" if m == 0 else f"{m} minutes after it ends")
        for m in POST_MINUTES_CHOICES
    ]
    view = View(
        type="modal",
        callback_id=ids.SETTINGS_VIEW,
        title="Your settings",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.PRE_MINUTES,
                label="Nudge me before a practice meeting",
                element=StaticSelectElement(
                    action_id=ids.PRE_MINUTES,
                    options=pre,
                    initial_option=option_for(pre, prefs.pre_minutes),
                ),
            ),
            InputBlock(
                block_id=ids.POST_MINUTES,
                label="Ask how it went",
                element=StaticSelectElement(
                    action_id=ids.POST_MINUTES,
                    options=post,
                    initial_option=option_for(post, prefs.post_minutes),
                ),
            ),
            InputBlock(
                block_id=ids.WORK_START,
                label="My working day starts at",
                hint="Reminders only come inside your working hours.",
                element=TimePickerElement(
                    action_id=ids.WORK_START, initial_time=prefs.work_start.strftime("%H:%M")
                ),
            ),
            InputBlock(
                block_id=ids.WORK_END,
                label="and ends at",
                element=TimePickerElement(
                    action_id=ids.WORK_END, initial_time=prefs.work_end.strftime("%H:%M")
                ),
            ),
            *sharing_inputs(prefs.share_wins, prefs.share_channel_id, prefs.roundup),
            _switch(
                ids.STORIES_ON,
                "Stories from people at your step",
                "At most one a week, beside a check-in: someone who was nervous and did it.",
                STORIES,
                prefs.stories,
            ),
            _switch(
                ids.NERVES_ON,
                "Settle your nerves",
                "A button in your pre-meeting check-in: a minute of slow breathing or a few "
                "words to yourself. Never a reminder.",
                NERVES,
                prefs.nerves,
            ),
        ],
    )
    return view.to_dict()


def _switch(block_id: str, label: str, hint: str, option: Option, on: bool) -> InputBlock:
    """An optional setting as one checkbox, ticked while it is on."""
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint=hint,
        element=CheckboxesElement(
            action_id=block_id, options=[option], initial_options=[option] if on else None
        ),
    )
