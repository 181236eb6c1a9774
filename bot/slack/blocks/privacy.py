"""/voice export and /voice forget-me."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, SectionBlock

from bot.slack import ids

EXPORT_FILENAME = "voice-coach-export.json"
EXPORTING = "Gathering your data. It will arrive in our DM in a moment, as one JSON file."


def build_forget_question() -> dict:
    line = (
        "This deletes everything Voice Coach knows about you: your goal, meetings, check-ins, "
        "attempts, notes, shared wins (the posts too) and your buddy. Pending check-ins stop. "
        "It can't be undone; `/voice export` first if you'd like a copy."
    )
    blocks = [
        SectionBlock(text=line),
        ActionsBlock(
            block_id="forget",
            elements=[
                ButtonElement(
                    text="Delete everything",
                    action_id=ids.FORGET_CONFIRM,
                    value="forget",
                    style="danger",
                    confirm=ConfirmObject(
                        title="Delete everything?",
                        text="Your data will be gone for good.",
                        confirm="Delete",
                        deny="Keep it",
                    ),
                )
            ],
        ),
    ]
    return {
        "text": "Delete everything Voice Coach knows about you?",
        "blocks": [b.to_dict() for b in blocks],
    }


def build_forgotten() -> dict:
    line = (
        "Done. Everything Voice Coach knew about you is deleted, and nothing more will come. "
        "Thank you for practising. `/voice start` whenever you want to begin again."
    )
    return {"text": line, "blocks": [SectionBlock(text=line).to_dict()]}
