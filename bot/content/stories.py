"""The coping-story library (``stories.yml``), checked against the ladder at start.

Like the ladder, every problem is one line naming the file and the line, e.g.
``stories.yml line 40: step 3 has 1 story; it needs at least 2``.
"""

from __future__ import annotations

from pathlib import Path

from bot.content import ID_PATTERN
from bot.content.checker import NodeChecker, read_content
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


def load_stories(ladder: Ladder, path: Path | None = None) -> StoryLibrary:
    path = Path(path) if path is not None else STORIES_PATH
    text, source = read_content(path, StoriesError, "the story file")
    return parse_stories(text, ladder, source)


def parse_stories(text: str, ladder: Ladder, source: str = "stories.yml") -> StoryLibrary:
    check = NodeChecker(source, StoriesError)
    fail, mapping, words, items = check.fail, check.mapping, check.words, check.items
    root = check.compose(text)
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
        step = check.whole_number(step_node, f"story {n}: 'step'")
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
