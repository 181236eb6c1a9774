"""Celebrations: the question to share, the channel post with cheers, the fixes."""

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

from bot.services.celebrations import CelebrationView, CheerNews
from bot.slack import ids
from bot.slack.blocks.stories import story_offer_blocks
from bot.slack.blocks.text import quote
from bot.slack.forms import MAX_WORDING

_MILESTONE_INTROS = {
    "first_win": ":star: A milestone: your first win. Remember how it felt.",
    "streak": ":fire: A milestone: a streak of practice.",
    "step_up": ":arrow_up: A milestone: a step up the ladder.",
    "top_of_ladder": ":trophy: A milestone: the top of the ladder.",
}

FIXES = {
    "not_in_channel": "I'm not in <#{channel}> yet. Invite me there (type `/invite @Voice Coach` "
    "in the channel), then press Retry.",
    "channel_not_found": "I can't see <#{channel}>. If it's private, invite me there "
    "(`/invite @Voice Coach`), or pick another channel in `/voice settings`, then press Retry.",
    "is_archived": "<#{channel}> has been archived. Pick another channel in `/voice settings`, "
    "then press Retry.",
    "not_a_member": "You're not in <#{channel}> any more, so I won't post there. Join it again "
    "or pick another channel in `/voice settings`, then press Retry.",
}


# Cheers are named up to here, then counted: hundreds of names would overflow a block.
NAMED_CHEERS = 20


def _names(users: tuple[str, ...]) -> str:
    names = ", ".join(f"<@{u}>" for u in users[:NAMED_CHEERS])
    rest = len(users) - NAMED_CHEERS
    if rest > 0:
        names += f" and {rest} other" + ("s" if rest > 1 else "")
    return names


def _share_buttons(view: CelebrationView) -> ActionsBlock:
    value = str(view.id)
    return ActionsBlock(
        block_id=f"share_{value}",
        elements=[
            ButtonElement(text="Share", action_id=ids.SHARE_WIN, value=value, style="primary"),
            ButtonElement(text="Edit wording", action_id=ids.SHARE_EDIT, value=value),
            ButtonElement(text="Not this time", action_id=ids.SHARE_DECLINE, value=value),
        ],
    )


def build_celebration_dm(view: CelebrationView) -> dict | None:
    """Her DM about a win or milestone: a share question if she opted in."""
    blocks: list[Block] = []
    if view.kind in _MILESTONE_INTROS:
        blocks.append(SectionBlock(text=_MILESTONE_INTROS[view.kind]))
    if view.can_share and view.channel_id:
        blocks += [
            SectionBlock(
                text=f"Share this with <#{view.channel_id}>? It would say:\n>{view.headline}"
            ),
            _share_buttons(view),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Only this line is posted; your scores, misses and notes stay private."
                    )
                ]
            ),
        ]
    if view.kind == "win" and view.can_share and view.channel_id:
        # Where she already decides about sharing a win: also, anonymously, as a story.
        blocks += story_offer_blocks(view.id)
    if not blocks:
        return None
    return {"text": "Something to celebrate", "blocks": [b.to_dict() for b in blocks]}


def build_channel_post(view: CelebrationView) -> dict:
    """The public post: her win in warm words, her own line, and the Cheer button."""
    text = f":tada: {view.headline}"
    if view.wording:
        text += f"\n{quote(view.wording)}"
    count = len(view.cheers)
    label = "Cheer" if count == 0 else f"Cheer ({count})"
    blocks: list[Block] = [
        SectionBlock(text=text),
        ActionsBlock(
            block_id=f"cheer_{view.id}",
            elements=[
                ButtonElement(text=f":clap: {label}", action_id=ids.CHEER, value=str(view.id))
            ],
        ),
    ]
    if count:
        cheered = f"Cheered by {_names(view.cheers)}"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=cheered)]))
    return {"text": f"🎉 {view.headline}", "blocks": [b.to_dict() for b in blocks]}


def build_shared(view: CelebrationView) -> dict:
    line = (
        f"Shared in <#{view.channel_id}>. Your teammates can cheer it; I'll pass their cheers on."
    )
    return {"text": line, "blocks": [SectionBlock(text=line).to_dict()]}


def build_declined() -> dict:
    line = "Kept between us. It still counts just as much."
    return {"text": line, "blocks": [SectionBlock(text=line).to_dict()]}


def build_share_failed(view: CelebrationView, error: str) -> dict:
    fix = FIXES.get(error, "Slack wouldn't take the post just now. Press Retry in a minute.")
    line = fix.format(channel=view.channel_id) + " Your win is saved either way."
    blocks = [
        SectionBlock(text=line),
        ActionsBlock(
            block_id=f"retry_{view.id}",
            elements=[ButtonElement(text="Retry", action_id=ids.SHARE_RETRY, value=str(view.id))],
        ),
    ]
    return {"text": line, "blocks": [b.to_dict() for b in blocks]}


def build_wording_modal(view: CelebrationView) -> dict:
    modal = View(
        type="modal",
        callback_id=ids.SHARE_WORDING_VIEW,
        private_metadata=str(view.id),
        title="Share your win",
        submit="Share",
        close="Cancel",
        blocks=[
            SectionBlock(text=f"The post will say:\n>{view.headline}"),
            InputBlock(
                block_id=ids.WORDING,
                label="Add a line in your own words (optional)",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.WORDING,
                    max_length=MAX_WORDING,
                    initial_value=view.wording,
                    placeholder="e.g. Small step, but it felt big!",
                ),
            ),
        ],
    )
    return modal.to_dict()


def build_cheers_dm(news: CheerNews) -> dict:
    line = f":clap: {_names(news.cheerers)} cheered your win:\n>{news.headline}"
    more = "Your teammates noticed. That's what speaking up does."
    if news.shared_win:  # specific beats general: the real moment they saw
        more = f"What they saw: {news.shared_win}. That was you, and it counted."
    blocks = [SectionBlock(text=line), ContextBlock(elements=[MarkdownTextObject(text=more)])]
    return {
        "text": f"{len(news.cheerers)} cheers for your win",
        "blocks": [b.to_dict() for b in blocks],
    }


SECTION_TEXT = 3000  # Slack's limit for a section's text


def _whole_lines(headlines: list[str], most: int = 40) -> str:
    """One line per win, as many whole lines as fit (a cut line could end mid-mention)."""
    lines: list[str] = []
    room = SECTION_TEXT - len("\n…and 100000 more")
    for headline in headlines[:most]:
        line = f"• {headline}"
        if len("\n".join([*lines, line])) > room:
            break
        lines.append(line)
    if len(lines) < len(headlines):
        lines.append(f"…and {len(headlines) - len(lines)} more")
    return "\n".join(lines)


def build_roundup(headlines: list[str]) -> dict:
    """Friday's post: the week's shared wins, nothing else."""
    count = len(headlines)
    intro = f":sparkles: *This week's wins* ({count}). Small steps, said out loud:"
    blocks = [SectionBlock(text=intro), SectionBlock(text=_whole_lines(headlines))]
    return {"text": f"This week's wins: {count}", "blocks": [b.to_dict() for b in blocks]}
