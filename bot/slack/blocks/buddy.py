"""The buddy: invitation, answers, win notes, nudges and words of encouragement."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.services.buddies import Buddyship
from bot.slack import ids
from bot.slack.blocks.text import quote

MAX_ENCOURAGEMENT = 300
PRIVATE = "You'll only ever see her wins, never how confident she felt, her misses or notes."


def _message(blocks: list[Block], text: str) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def build_invitation(buddy: Buddyship) -> dict:
    value = str(buddy.id)
    who = f"<@{buddy.coachee_user_id}>"
    blocks: list[Block] = [
        SectionBlock(
            text=f"{who} is practising speaking up in meetings with Voice Coach and would like "
            "you as their buddy: a note from me when they have a win, and now and then a "
            "chance to send a word of encouragement before a practice meeting."
        ),
        ContextBlock(elements=[MarkdownTextObject(text=PRIVATE)]),
        ActionsBlock(
            block_id=f"buddy_{value}",
            elements=[
                ButtonElement(
                    text="Happy to", action_id=ids.BUDDY_ACCEPT, value=value, style="primary"
                ),
                ButtonElement(text="Not right now", action_id=ids.BUDDY_DECLINE, value=value),
            ],
        ),
    ]
    return _message(blocks, f"{who} would like you as their Voice Coach buddy")


def build_buddy_answered(buddy: Buddyship, accepted: bool) -> dict:
    who = f"<@{buddy.coachee_user_id}>"
    if accepted:
        line = f"Thank you. You're {who}'s buddy now; I'll let you know about their wins."
        blocks: list[Block] = [SectionBlock(text=line), _step_down(buddy)]
    else:
        line = f"No problem. I'll let {who} know kindly."
        blocks = [SectionBlock(text=line)]
    return _message(blocks, line)


def build_for_coachee(buddy: Buddyship, event: str) -> dict:
    who = f"<@{buddy.buddy_user_id}>"
    line = {
        "invited": f"I've asked {who} to be your buddy. I'll tell you when they answer.",
        "accepted": f"{who} is now your buddy. They'll hear about your wins, nothing else.",
        "declined": f"{who} can't be your buddy right now. That's okay; you can ask someone "
        "else any time with `/voice buddy @someone`.",
        "removed": f"{who} is no longer your buddy. Thanks for letting them cheer you on.",
        "stepped_down": f"{who} has stepped down as your buddy. You can invite someone else "
        "with `/voice buddy @someone`.",
    }[event]
    return _message([SectionBlock(text=line)], line)


def build_for_buddy_removed(buddy: Buddyship) -> dict:
    line = f"<@{buddy.coachee_user_id}> has ended the buddy arrangement. Thanks for your support."
    return _message([SectionBlock(text=line)], line)


def _step_down(buddy: Buddyship) -> ActionsBlock:
    return ActionsBlock(
        block_id=f"buddy_step_down_{buddy.id}",
        elements=[
            ButtonElement(
                text="Step down as buddy", action_id=ids.BUDDY_STEP_DOWN, value=str(buddy.id)
            )
        ],
    )


def _encourage(buddy: Buddyship) -> ButtonElement:
    return ButtonElement(
        text="Send encouragement",
        action_id=ids.BUDDY_ENCOURAGE,
        value=str(buddy.id),
        style="primary",
    )


def build_buddy_win(buddy: Buddyship, headline: str) -> dict:
    blocks: list[Block] = [
        SectionBlock(text=f":tada: {headline}\nA word from you would mean a lot."),
        ActionsBlock(block_id=f"buddy_win_{buddy.id}", elements=[_encourage(buddy)]),
    ]
    return _message(blocks, headline)


# Encouragement convinces when it names something real (Bandura: verbal persuasion works
# only when specific and credible), so the nudge points at a win she shared, if any.
SPECIFIC = "A real, specific moment convinces far more than general praise."


def build_buddy_nudge(buddy: Buddyship, start: str) -> dict:
    who = f"<@{buddy.coachee_user_id}>"
    line = (
        f"{who} has a practice meeting at {start} (their time). "
        "Want to send a word of encouragement?"
    )
    if buddy.shared_win:
        hint = f"Something real you could mention: {buddy.shared_win}."
    else:  # no shared win yet: ask for what they have seen, never hand them praise
        hint = "Mention something you've seen them do or say; that lands best."
    blocks: list[Block] = [
        SectionBlock(text=f"{line}\n{hint}"),
        ContextBlock(elements=[MarkdownTextObject(text=SPECIFIC)]),
        ActionsBlock(block_id=f"buddy_nudge_{buddy.id}", elements=[_encourage(buddy)]),
    ]
    return _message(blocks, line)


def build_encourage_modal(buddy: Buddyship) -> dict:
    view = View(
        type="modal",
        callback_id=ids.ENCOURAGE_VIEW,
        private_metadata=str(buddy.id),
        title="Encourage",
        submit="Send",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.ENCOURAGEMENT,
                label="A word for your colleague",
                element=PlainTextInputElement(
                    action_id=ids.ENCOURAGEMENT,
                    multiline=True,
                    max_length=MAX_ENCOURAGEMENT,
                    placeholder="e.g. Last week you opened the retro with a clear point. "
                    "Do that again today.",
                ),
            )
        ],
    )
    return view.to_dict()


def build_encouragement(buddy: Buddyship, words: str) -> dict:
    who = f"<@{buddy.buddy_user_id}>"
    line = f":speech_balloon: {who} sent you a word of encouragement:\n{quote(words)}"
    return _message([SectionBlock(text=line)], "A word of encouragement from your buddy")


def build_sent() -> dict:
    line = "Sent. Thank you for cheering them on."
    return _message([SectionBlock(text=line)], line)
