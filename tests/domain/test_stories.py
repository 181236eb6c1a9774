"""Pure rules of coping stories: k-anonymity, never her own, safe parts only, weekly."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.stories import (
    K_ANONYMITY,
    SharedStory,
    Story,
    colleague_story,
    pick_story,
    shareable_colleague_stories,
    story_due,
)


def shares(authors) -> list[SharedStory]:
    return [SharedStory(a, 3, "Say one thing.", "did_it", None) for a in authors]


def test_no_colleague_story_until_five_other_people_shared_at_the_step():
    assert K_ANONYMITY == 5
    assert shareable_colleague_stories(shares([1, 2, 3, 4, 4, 4]), reader_id=9) == []
    assert len(shareable_colleague_stories(shares([1, 2, 3, 4, 5]), reader_id=9)) == 5
    # She is one of five: only four others, so nothing (she could tell them apart).
    assert shareable_colleague_stories(shares([1, 2, 3, 4, 9]), reader_id=9) == []


def test_never_her_own_story():
    stories = shareable_colleague_stories(shares([1, 2, 3, 4, 5, 9, 9]), reader_id=9)
    assert len(stories) == 5


def test_a_colleague_story_is_made_of_safe_parts_only():
    story = colleague_story(SharedStory(1, 3, "Say one thing.", "did_it", "I breathed."))
    assert story.text == (
        "A colleague at your step was nervous about this one too: “Say one thing.” "
        "They did it. What helped: “I breathed.”"
    )


def test_stories_take_turns_and_the_week_is_her_calendar_week():
    lib = [Story("a", "library", 3), Story("b", "library", 3)]
    col = [Story("c", "colleague", 3)]
    assert [pick_story(lib, col, n).text for n in range(4)] == ["a", "c", "b", "c"]
    assert pick_story([], [], 0) is None
    sunday = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)  # 16:00 in New York, a Sunday
    assert not story_due(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), sunday, "America/New_York")
    monday = datetime(2026, 3, 9, 13, 45, tzinfo=UTC)
    assert story_due(datetime(2026, 3, 2, 14, 45, tzinfo=UTC), monday, "America/New_York")
