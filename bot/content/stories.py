"""The coping-story library (``stories.yml``), checked against the ladder at start.

Like the ladder, every problem is one line naming the file and the line, e.g.
``stories.yml line 40: step 3 has 1 story; it needs at least 2``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content import ID_PATTERN, _display_name, _kind, _one_line
from bot.domain.ladder import Ladder
from bot.domain.stories import (
    MAX_PHRASE,
    MAX_PHRASES,
    MAX_STORY,
    MIN_PHRASES,
    MIN_STORIES_PER_STEP,
    Phrase,
    StoriesError,
    Story,
    StoryLibrary,
)

STORIES_PATH = Path(__file__).with_name("stories.yml")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"


def load_stories(ladder: Ladder, path: Path | None = None) -> StoryLibrary:
    path = Path(path) if path is not None else STORIES_PATH
    source = _display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise StoriesError(f"{source}: cannot read the story file ({reason})") from None
    return parse_stories(text, ladder, source)


def parse_stories(text: str, ladder: Ladder, source: str = "stories.yml") -> StoryLibrary:
    def fail(node: yaml.Node | None, problem: str) -> StoriesError:
        line = node.start_mark.line + 1 if node is not None else 1
        return StoriesError(f"{source} line {line}: {_one_line(problem)}")

    def mapping(node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, f"{what} should be a mapping with {', '.join(allowed)}")
        fields = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                raise fail(
                    key_node, f"{what} has an unknown key {key!r} (allowed: {', '.join(allowed)})"
                )
            if key in fields:
                raise fail(key_node, f"{what} has '{key}' twice")
            fields[key] = value_node
        for key in allowed:
            if key not in fields:
                raise fail(node, f"{what} has no {key}")
        return fields

    def words(node: yaml.Node, what: str, limit: int) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            raise fail(node, f"{what} should be text, not {_kind(node)}")
        value = " ".join(node.value.split())
        if not value:
            raise fail(node, f"{what} is empty")
        if len(value) > limit:
            raise fail(node, f"{what} is {len(value)} characters; keep it to {limit} or fewer")
        return value

    def items(fields: dict, key: str) -> list[yaml.Node]:
        node = fields[key]
        if not isinstance(node, yaml.SequenceNode):
            raise fail(node, f"'{key}' should be a list, not {_kind(node)}")
        return node.value

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = e.problem or e.context
        raise StoriesError(f"{source} line {line}: invalid YAML: {problem}") from None
    if root is None:
        raise fail(None, "the file is empty; it should have 'phrases:' and 'stories:'")
    top = mapping(root, ("phrases", "stories"), "the file")

    phrases: list[Phrase] = []
    for n, node in enumerate(items(top, "phrases"), start=1):
        fields = mapping(node, ("id", "text"), f"phrase {n}")
        phrase_id = words(fields["id"], f"phrase {n}'s id", 40)
        if not ID_PATTERN.fullmatch(phrase_id):
            raise fail(fields["id"], f"phrase id '{phrase_id}' should be kebab-case")
        if any(p.id == phrase_id for p in phrases):
            raise fail(fields["id"], f"phrase id '{phrase_id}' is used twice")
        text = words(fields["text"], f"phrase '{phrase_id}'", MAX_PHRASE)
        phrases.append(Phrase(phrase_id, text))
    if not MIN_PHRASES <= len(phrases) <= MAX_PHRASES:
        raise fail(
            top["phrases"],
            f"there are {len(phrases)} phrases; keep {MIN_PHRASES} to {MAX_PHRASES}",
        )

    stories: list[Story] = []
    for n, node in enumerate(items(top, "stories"), start=1):
        fields = mapping(node, ("step", "story"), f"story {n}")
        step_node = fields["step"]
        if step_node.tag != _INT or not step_node.value.isdecimal():
            raise fail(step_node, f"story {n}: 'step' should be a whole number")
        step = int(step_node.value)
        if not 1 <= step <= ladder.top:
            raise fail(
                step_node, f"story {n} is for step {step}; the ladder has steps 1 to {ladder.top}"
            )
        stories.append(Story(words(fields["story"], f"story {n}", MAX_STORY), "library", step))
    for step in range(1, ladder.top + 1):
        count = sum(1 for s in stories if s.step == step)
        if count < MIN_STORIES_PER_STEP:
            raise fail(
                top["stories"],
                f"step {step} has {count} {'story' if count == 1 else 'stories'}; "
                f"it needs at least {MIN_STORIES_PER_STEP}",
            )
    return StoryLibrary(tuple(stories), tuple(phrases))
