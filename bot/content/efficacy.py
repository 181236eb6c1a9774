"""The self-efficacy check as content: ``efficacy.yml``, checked at start like the ladder.

Every problem is one line naming the file and the line, e.g. ``efficacy.yml line 12:
item 3 should finish the stem as a question (end with '?')``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.domain.efficacy import ITEMS, Item, Scale, ScaleError
from bot.domain.ladder import Ladder

SCALE_PATH = Path(__file__).with_name("efficacy.yml")

# An item is a Slack input's label (plain text, 2,000 at most): short enough to read
# at a glance on a phone.
MAX_ITEM = 100
MAX_STEM = 60
MAX_LOOKING_BACK = 120

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_KEYS = ("stem", "items", "looking_back")
_ITEM_KEYS = ("step", "text")


def load_efficacy_scale(ladder: Ladder, path: Path | None = None) -> Scale:
    path = Path(path) if path is not None else SCALE_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScaleError(f"{path.name}: cannot read the check's file ({e})") from None
    return parse_efficacy_scale(text, ladder, path.name)


def parse_efficacy_scale(text: str, ladder: Ladder, source: str = "efficacy.yml") -> Scale:
    def fail(node, problem: str) -> ScaleError:
        line = node.start_mark.line + 1 if node is not None else 1
        return ScaleError(f"{source} line {line}: {problem}")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ScaleError(f"{source} line {line}: invalid YAML") from None
    if not isinstance(root, yaml.MappingNode):
        raise fail(root, "the file should be a mapping with stem, items, looking_back")

    def fields(node, allowed, what) -> dict:
        found = {}
        for key, value in node.value:
            if key.value not in allowed or key.value in found:
                raise fail(key, f"{what} has an unknown or repeated key {key.value!r}")
            found[key.value] = value
        for key in allowed:
            if key not in found:
                raise fail(node, f"{what} has no {key}")
        return found

    def words(node, what: str, limit: int) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR or not node.value.strip():
            raise fail(node, f"{what} should be text")
        value = " ".join(node.value.split())
        if len(value) > limit:
            raise fail(node, f"{what} is {len(value)} characters; keep it to {limit} or fewer")
        return value

    top = fields(root, _KEYS, "the file")
    stem = words(top["stem"], "the stem", MAX_STEM)
    if not stem.startswith("How certain are you that you can"):
        raise fail(top["stem"], "the stem should read 'How certain are you that you can …'")
    items_node = top["items"]
    if not isinstance(items_node, yaml.SequenceNode) or len(items_node.value) != ITEMS:
        raise fail(items_node, f"items should be a list of exactly {ITEMS}")
    items: list[Item] = []
    for n, node in enumerate(items_node.value, start=1):
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, f"item {n} should be a mapping with step, text")
        item = fields(node, _ITEM_KEYS, f"item {n}")
        step_node = item["step"]
        if step_node.tag != _INT or not step_node.value.isdecimal():
            raise fail(step_node, f"item {n}: step should be a whole number")
        step = int(step_node.value)
        if not 1 <= step <= ladder.top:
            raise fail(step_node, f"item {n}: step {step} is not on the ladder (1-{ladder.top})")
        if items and step <= items[-1].step:
            raise fail(step_node, f"item {n}: items go from easy to hard, each a higher step")
        text = words(item["text"], f"item {n}", MAX_ITEM)
        if not text.endswith("?") or text[0].isupper():
            raise fail(
                item["text"],
                f"item {n} should finish the stem as a question ('share your idea …?')",
            )
        items.append(Item(step, text))
    looking_back = words(top["looking_back"], "looking_back", MAX_LOOKING_BACK)
    if "4 weeks ago" not in looking_back or not looking_back.endswith("?"):
        raise fail(top["looking_back"], "looking_back should ask about '4 weeks ago' (a question)")
    return Scale(stem, tuple(items), looking_back)
