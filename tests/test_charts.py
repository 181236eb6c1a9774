"""The confidence chart: a small PNG that renders for any run of weeks, and whose module
does not pull matplotlib in until a chart is drawn."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest

from bot.charts import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    CHECK_COLOUR,
    PNG_FILENAME,
    render_confidence_chart,
)
from bot.domain.progress import WeekConfidence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def weeks_of(*values: tuple[float | None, float | None]) -> list[WeekConfidence]:
    start = date(2025, 11, 3)
    return [
        WeekConfidence(start + timedelta(weeks=i), before, after, int(before is not None))
        for i, (before, after) in enumerate(values)
    ]


def has_colour(data: bytes, hex_colour: str, tolerance: float = 0.03) -> bool:
    """Whether the plot (below the title and legend) has a few pixels of this colour."""
    import numpy as np
    from matplotlib.colors import to_rgb
    from matplotlib.image import imread

    pixels = imread(BytesIO(data), format="png")[48:, :, :3]
    distance = np.abs(pixels - np.array(to_rgb(hex_colour))).max(axis=-1)
    return bool((distance < tolerance).sum() > 20)


CASES = {
    "several weeks": weeks_of((30, 55), (35, 60), (40, 70), (50, 75)),
    "a single week": weeks_of((40, 65)),
    "empty weeks in the middle": weeks_of((30, 55), (None, None), (None, None), (45, 80)),
    "one side missing in places": weeks_of((30, None), (None, 60), (50, 75), (None, None)),
    "a lone point between gaps": weeks_of((None, None), (40, 70), (None, None)),
    "a year of weeks": weeks_of(*[(20 + i, 40 + i) for i in range(52)]),
    "values at the ends of the scale": weeks_of((0, 100), (100, 0)),
}


@pytest.mark.parametrize("weeks", CASES.values(), ids=CASES.keys())
def test_chart_is_a_small_800_by_400_png(weeks):
    data = render_confidence_chart(weeks)
    assert data.startswith(PNG_SIGNATURE)
    width, height = png_size(data)
    assert abs(width - 800) <= 20 and abs(height - 400) <= 20
    assert len(data) < 100_000
    assert has_colour(data, BEFORE_COLOUR) and has_colour(data, AFTER_COLOUR)


def test_chart_with_no_data_still_renders():
    for weeks in ([], weeks_of((None, None), (None, None))):
        data = render_confidence_chart(weeks)
        assert png_size(data) == (800, 400)
        assert len(data) < 100_000


def test_chart_title_can_be_changed():
    weeks = weeks_of((30, 55), (35, 60))
    assert render_confidence_chart(weeks, title="Mila's confidence") != render_confidence_chart(
        weeks
    )


def test_self_efficacy_checks_show_as_diamonds_in_their_weeks_only():
    weeks = weeks_of((30, 55), (35, 60), (40, 70), (50, 75), (50, 80))
    checks = [(date(2025, 11, 5), 40.0), (date(2025, 12, 4), 62.5), (date(2024, 1, 1), 10.0)]
    data = render_confidence_chart(weeks, checks=checks)
    assert png_size(data) == (800, 400) and has_colour(data, CHECK_COLOUR)
    assert not has_colour(render_confidence_chart(weeks), CHECK_COLOUR)
    # A check outside the weeks shown is left out.
    assert not has_colour(render_confidence_chart(weeks, checks=checks[2:]), CHECK_COLOUR)


def test_chart_renders_the_same_from_several_threads():
    weeks = weeks_of((30, 55), (None, None), (45, 80))
    expected = render_confidence_chart(weeks)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_confidence_chart(weeks), range(8)))
    assert all(result == expected for result in results)


def test_png_filename():
    assert PNG_FILENAME == "voice-coach-confidence.png"


def test_importing_charts_does_not_import_matplotlib():
    code = textwrap.dedent(
        """
        import sys
        import bot.charts
        assert "matplotlib" not in sys.modules, "imported on import"
        from datetime import date
        from bot.domain.progress import WeekConfidence
        bot.charts.render_confidence_chart([WeekConfidence(date(2026, 3, 9), 40, 70, 1)])
        assert "matplotlib" in sys.modules
        assert "matplotlib.pyplot" not in sys.modules, "pyplot used"
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
