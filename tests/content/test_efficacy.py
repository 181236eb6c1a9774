"""The self-efficacy check's content: Bandura's format, checked at start like the ladder."""

from __future__ import annotations

import pytest

from bot.content import load_ladder
from bot.content.efficacy import load_efficacy_scale, parse_efficacy_scale
from bot.domain.efficacy import ITEMS, ScaleError

LADDER = load_ladder()

GOOD = """\
stem: "How certain are you that you can …"
items:
  - {step: 2, text: "say something small?"}
  - {step: 3, text: "share your idea when asked?"}
  - {step: 4, text: "ask a question?"}
  - {step: 5, text: "speak up early?"}
  - {step: 6, text: "disagree?"}
  - {step: 8, text: "present?"}
looking_back: "Looking back, how sure were you 4 weeks ago that you could do these?"
"""


def test_the_shipped_check_has_six_items_graded_easy_to_hard_on_the_ladder():
    scale = load_efficacy_scale(LADDER)
    assert len(scale.items) == ITEMS
    steps = [i.step for i in scale.items]
    assert steps == sorted(set(steps)) and all(LADDER.step(s) for s in steps)
    assert scale.stem.startswith("How certain are you that you can")
    assert all(i.text.endswith("?") for i in scale.items)
    assert "4 weeks ago" in scale.looking_back


def test_a_good_file_parses():
    scale = parse_efficacy_scale(GOOD, LADDER)
    assert [i.step for i in scale.items] == [2, 3, 4, 5, 6, 8]


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (('  - {step: 8, text: "present?"}\n', ""), 3, "exactly 6"),
        (("step: 4,", "step: 3,"), 5, "easy to hard"),
        (("step: 8,", "step: 9,"), 8, "not on the ladder"),
        (('"ask a question?"', '"Ask a question."'), 5, "finish the stem"),
        (("How certain are you that you can", "Do you think you will"), 1, "stem should"),
        (("4 weeks ago", "once"), 9, "4 weeks ago"),
        (('text: "disagree?"', 'txt: "disagree?"'), 7, "unknown or repeated key"),
    ],
)
def test_each_mistake_is_one_line_naming_where(change, line, says):
    text = GOOD.replace(*change)
    with pytest.raises(ScaleError) as e:
        parse_efficacy_scale(text, LADDER)
    message = str(e.value)
    assert message.startswith(f"efficacy.yml line {line}:"), message
    assert says in message
