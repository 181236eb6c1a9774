"""The "Get started" modal (also used to edit her answers)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.placement import SELF_PLACEMENT_LABELS
from bot.services.coaching import OnboardingAnswers
from bot.slack import ids
from bot.slack.blocks.common import confidence_options, option_for, sharing_inputs
from bot.slack.forms import MAX_GOAL


def build_onboarding_modal(answers: OnboardingAnswers | None) -> dict:
    placements = [Option(value=p.value, text=label) for p, label in SELF_PLACEMENT_LABELS.items()]
    confidence = confidence_options()
    editing = answers is not None
    view = View(
        type="modal",
        callback_id=ids.ONBOARDING_VIEW,
        title="Voice Coach",
        submit="Save" if editing else "Let's go",
        close="Cancel",
        blocks=[
            SectionBlock(
                text="Let's find a first step that fits you. It takes a minute, and your "
                "answers stay private to you."
            ),
            InputBlock(
                block_id=ids.GOAL,
                label="What would you like to change about how you speak up in meetings?",
                element=PlainTextInputElement(
                    action_id=ids.GOAL,
                    multiline=True,
                    max_length=MAX_GOAL,
                    initial_value=answers.goal if editing else None,
                    placeholder="e.g. share my ideas in the weekly planning meeting",
                ),
            ),
            InputBlock(
                block_id=ids.PLACEMENT,
                label="Where are you today?",
                element=RadioButtonsElement(
                    action_id=ids.PLACEMENT,
                    options=placements,
                    initial_option=option_for(placements, answers.placement) if editing else None,
                ),
            ),
            InputBlock(
                block_id=ids.CONFIDENCE,
                label="How confident are you that you can speak up in meetings?",
                hint="0 = cannot do at all, 50 = moderately can do, 100 = highly certain can do",
                element=StaticSelectElement(
                    action_id=ids.CONFIDENCE,
                    placeholder="Pick a number",
                    options=confidence,
                    initial_option=option_for(confidence, answers.confidence) if editing else None,
                ),
            ),
            *sharing_inputs(
                editing and answers.share_wins, answers.share_channel_id if editing else None
            ),
        ],
    )
    return view.to_dict()
