"""Her progress as a picture: confidence before and after meetings, week by week.

matplotlib is imported only when a chart is drawn, so importing this module (and the
app) stays fast. The chart is drawn on its own `Figure` with the Agg canvas: no pyplot,
no global state, safe to call from several threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

from bot.domain.progress import WeekConfidence

PNG_FILENAME = "voice-coach-confidence.png"

WIDTH_PX, HEIGHT_PX, DPI = 800, 400, 100
MAX_TICK_LABELS = 10

BEFORE_COLOUR = "#9aa5b1"  # a calm grey-blue: how it felt going in
AFTER_COLOUR = "#2a9d8f"  # a warm teal: how it felt afterwards
CHECK_COLOUR = "#e9a23b"  # amber: her self-efficacy check's average, every 4 weeks
TEXT_COLOUR = "#3d4852"
GRID_COLOUR = "#e6e9ed"


def _week_of(weeks: Sequence[WeekConfidence], day: date) -> int | None:
    for i, week in enumerate(weeks):
        if week.week_start <= day < week.week_start + timedelta(days=7):
            return i
    return None


def _week_label(day) -> str:
    return f"{day.day} {day:%b}"


def render_confidence_chart(
    weeks: Sequence[WeekConfidence],
    *,
    title: str = "Your confidence, week by week",
    checks: Sequence[tuple[date, float]] = (),
) -> bytes:
    """A PNG (about 800x400 px) with two lines, confidence before and after meetings,
    on a 0-100 scale; weeks without data leave a gap in the line. ``checks``: her
    self-efficacy check's averages by day, drawn as diamonds in their weeks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    nan = float("nan")
    xs = list(range(len(weeks)))
    before = [nan if w.before is None else w.before for w in weeks]
    after = [nan if w.after is None else w.after for w in weeks]

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    try:
        ax = fig.add_subplot()
        markersize = 6 if len(weeks) <= 20 else 4
        line_style = {"linewidth": 2.2, "marker": "o", "markersize": markersize, "clip_on": False}
        ax.plot(xs, before, color=BEFORE_COLOUR, label="Before meetings", **line_style)
        ax.plot(xs, after, color=AFTER_COLOUR, label="After meetings", **line_style)
        shown = [(i, mean) for day, mean in checks if (i := _week_of(weeks, day)) is not None]
        if shown:
            ax.plot(
                [i for i, _ in shown],
                [m for _, m in shown],
                color=CHECK_COLOUR,
                label="6-question check (average)",
                linestyle="none",
                marker="D",
                markersize=8,
                clip_on=False,
            )

        ax.set_title(title, loc="left", fontsize=13, color=TEXT_COLOUR, pad=14)
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_xlim(-0.5, max(len(weeks) - 0.5, 0.5))
        step = max(1, -(-len(weeks) // MAX_TICK_LABELS))  # ceiling division
        ticks = xs[::-1][::step][::-1]  # always label the latest week
        ax.set_xticks(ticks, [_week_label(weeks[i].week_start) for i in ticks])

        ax.grid(axis="y", color=GRID_COLOUR, linewidth=1)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(GRID_COLOUR)
        ax.tick_params(colors=TEXT_COLOUR, labelsize=9, length=0, pad=6)
        # Top-aligned labels sit lower when they have a tall letter ("Feb", "Jul"):
        # align the dates on their baseline instead, with the pad to make up for it.
        ax.tick_params(axis="x", pad=15)
        for label in ax.get_xticklabels():
            label.set_verticalalignment("baseline")

        if not any(w.before is not None or w.after is not None for w in weeks):
            ax.text(
                0.5,
                0.5,
                "No confidence check-ins yet",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=TEXT_COLOUR,
                fontsize=11,
            )
        ax.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=3 if shown else 2,
            frameon=False,
            fontsize=9,
            labelcolor=TEXT_COLOUR,
        )
        fig.subplots_adjust(left=0.06, right=0.95, top=0.86, bottom=0.12)

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        fig.clear()
