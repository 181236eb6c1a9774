"""Progress: the /voice progress reply and the summary the Home tab shows."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.progress import sparkline
from bot.services.progress import Progress
from bot.slack import ids
from bot.slack.blocks.common import ladder_bar
from bot.slack.blocks.efficacy import growth_text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def confidence_lines(progress: Progress) -> str:
    weeks = progress.weeks
    if not any(w.before is not None or w.after is not None for w in weeks):
        return "_Your confidence over time shows up here once you've logged a meeting._"
    before = sparkline([w.before for w in weeks])
    after = sparkline([w.after for w in weeks])
    latest = next((w for w in reversed(weeks) if w.after is not None), None)
    now = f" (latest: {round(latest.after)})" if latest else ""
    return (
        f"*Confidence, week by week*{now}\n"
        f"`before {before}`\n`after  {after}`\n"
        f"_{_plural(len(weeks), 'week')}, oldest first; · is a week without meetings_"
    )


def summary_blocks(progress: Progress) -> list[Block]:
    ladder = (
        f"*Step {progress.step} of {progress.top}: {progress.step_name}*  "
        f"{ladder_bar(progress.step, progress.top)}"
    )
    if progress.step != progress.start_step:
        ladder += f"\nYou started at step {progress.start_step}: {progress.start_step_name}."
    else:
        ladder += "\nThis is where you started. The next step comes when you're ready."
    return [
        SectionBlock(text=ladder),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Wins*\n{progress.wins}"),
                MarkdownTextObject(
                    text=f"*Streak*\n{_plural(progress.streak, 'meeting')} practised"
                ),
            ]
        ),
        SectionBlock(text=confidence_lines(progress)),
        *([SectionBlock(text=growth_text(progress.growth))] if progress.growth else []),
    ]


def chart_button() -> ButtonElement:
    return ButtonElement(text="Send me a chart", action_id=ids.SEND_CHART, value="chart")


def build_progress_message(progress: Progress) -> dict:
    blocks = [
        *summary_blocks(progress),
        ActionsBlock(block_id="progress", elements=[chart_button()]),
        ContextBlock(elements=[MarkdownTextObject(text="Only you can see this.")]),
    ]
    return {
        "text": f"Step {progress.step} of {progress.top}, {progress.wins} wins",
        "blocks": [b.to_dict() for b in blocks],
    }


NOT_STARTED = (
    "You haven't started yet. `/voice start` takes a minute and gives you your first "
    "small challenge."
)


def build_not_started() -> dict:
    """For someone who hasn't started: one line and the button that starts."""
    blocks = [
        SectionBlock(text=NOT_STARTED),
        ActionsBlock(
            block_id="not_started",
            elements=[
                ButtonElement(text="Get started", action_id=ids.GET_STARTED, style="primary")
            ],
        ),
    ]
    return {"text": NOT_STARTED, "blocks": [b.to_dict() for b in blocks]}
