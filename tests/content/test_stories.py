"""The coping-story library: the shipped file is sound, and a broken one stops the app at
start with one line naming the file, the line and the fix."""

from __future__ import annotations

import pytest

import bot.content.stories
from bot.content import load_ladder
from bot.content.stories import STORIES_PATH, parse_stories
from bot.domain.stories import MAX_STORY, MIN_STORIES_PER_STEP, StoriesError

LADDER = load_ladder()
SHIPPED = STORIES_PATH.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def error_for(text: str) -> str:
    with pytest.raises(StoriesError) as info:
        parse_stories(text, LADDER)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_every_step_has_at_least_two_short_stories_of_its_own():
    library = parse_stories(SHIPPED, LADDER)
    for step in range(1, LADDER.top + 1):
        stories = library.at_step(step)
        assert len(stories) >= MIN_STORIES_PER_STEP
        assert len({s.text for s in stories}) == len(stories)
        assert all(len(s.text) <= MAX_STORY for s in stories)
    assert len(library.phrases) >= 3


def test_a_step_without_enough_stories_is_named():
    first = SHIPPED.index("  - step: 5\n")
    second = SHIPPED.index("  - step: 5\n", first + 1)
    end = SHIPPED.index("\n\n", second) + 1
    text = SHIPPED[:second] + SHIPPED[end:]
    line = text.splitlines().index("stories:") + 2  # where the list of stories begins
    assert error_for(text) == f"stories.yml line {line}: step 5 has 1 story; it needs at least 2"


def test_a_story_too_long_is_named_with_its_length():
    story = "Raising the risk felt like spoiling the mood."
    text = SHIPPED.replace(story, story + " And then" * 30, 1)
    message = error_for(text)
    assert message.startswith(f"stories.yml line {line_of(text, story)}: story ")
    assert f"keep it to {MAX_STORY} or fewer" in message


def test_a_story_for_a_step_the_ladder_lacks_is_named():
    text = SHIPPED.replace("  - step: 8\n", "  - step: 9\n", 1)
    assert "is for step 9; the ladder has steps 1 to 8" in error_for(text)


def test_a_phrase_too_long_for_a_radio_button_is_named():
    text = SHIPPED.replace("I kept my note open and read from it.", "x" * 76, 1)
    assert "phrase 'notes-open' is 76 characters; keep it to 75 or fewer" in error_for(text)


def test_a_missing_story_file_stops_the_app_at_start_with_one_clear_line(tmp_path, monkeypatch):
    from bot.bootstrap import StartupError, load_story_library

    monkeypatch.setattr(bot.content.stories, "STORIES_PATH", tmp_path / "stories.yml")
    with pytest.raises(StartupError) as info:
        load_story_library(LADDER)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("the coping stories are broken: ")
    assert "stories.yml: cannot read the story file (No such file or directory)" in message


def test_a_broken_story_stops_build_before_it_touches_the_database(tmp_path, monkeypatch):
    from bot.bootstrap import StartupError, build
    from bot.settings import load_settings

    broken = tmp_path / "stories.yml"
    broken.write_text(SHIPPED.replace("  - step: 1\n", "  - step: 1\n    mood: brave\n", 1))
    monkeypatch.setattr(bot.content.stories, "STORIES_PATH", broken)
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
        env_file=None,
    )
    with pytest.raises(StartupError, match=r"^the coping stories are broken: .*unknown key 'mood'"):
        build(settings)
