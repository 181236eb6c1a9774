"""Coping stories: watching someone like you be nervous and do it anyway.

Bandura's third source of self-belief is vicarious experience. Two findings decide
what a story here is: a *coping* model (nervous, struggled, did it) teaches more than
a polished one (Schunk, Hanson & Cox 1987), and a model *similar* to you more than an
expert (Bandura 1997). So stories are short, ordinary, and from people at her step:
from the library in ``bot/content/stories.yml``, and from colleagues who chose to
share a win anonymously.

A colleague's story is made only of safe parts: the challenge (the ladder's words),
the outcome, and optionally one pre-written coping phrase. No free text, so no name,
meeting name, confidence or date can ever be in it. It is shown only when at least
``K_ANONYMITY`` other people in her workspace have shared at that step, so that no
story can be traced to one person.

Pure rules; the service (bot.services.stories) reads and writes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# k-anonymity: a colleague's story at a step is shown only when at least this many
# distinct people (other than the reader) in the workspace have shared at that step.
K_ANONYMITY = 5

MAX_STORY = 240
MAX_PHRASE = 75  # a radio option's text: Slack allows 75
MIN_STORIES_PER_STEP = 2
MIN_PHRASES = 3
MAX_PHRASES = 10  # radio buttons: Slack allows 10 options


class StoriesError(Exception):
    """The story library is broken; the message is one line naming the file and line."""


@dataclass(frozen=True)
class Phrase:
    id: str
    text: str


@dataclass(frozen=True)
class Story:
    """One story as she reads it. ``source``: "library" or "colleague"."""

    text: str
    source: str
    step: int


@dataclass(frozen=True)
class StoryLibrary:
    stories: tuple[Story, ...]
    phrases: tuple[Phrase, ...]

    def at_step(self, step: int) -> tuple[Story, ...]:
        return tuple(s for s in self.stories if s.step == step)

    def phrase(self, phrase_id: str | None) -> Phrase | None:
        return next((p for p in self.phrases if p.id == phrase_id), None)


@dataclass(frozen=True)
class SharedStory:
    """A colleague's anonymous share, as stored: ids only, never words she typed."""

    author_id: int
    step: int
    challenge_do: str
    outcome: str
    phrase: str | None


def colleague_story(shared: SharedStory) -> Story:
    """The words of a colleague's story, from its safe parts alone."""
    did = "did it" if shared.outcome == "did_it" else "gave it a go"
    text = (
        f"A colleague at your step was nervous about this one too: “{shared.challenge_do}” "
        f"They {did}."
    )
    if shared.phrase:
        text += f" What helped: “{shared.phrase}”"
    return Story(text=text, source="colleague", step=shared.step)


def shareable_colleague_stories(shared: list[SharedStory], *, reader_id: int) -> list[Story]:
    """The colleagues' stories she may read: never her own, and none at all unless at
    least K_ANONYMITY other people have shared at the step."""
    others = [s for s in shared if s.author_id != reader_id]
    if len({s.author_id for s in others}) < K_ANONYMITY:
        return []
    return [colleague_story(s) for s in others]


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of her week, in her time zone.

    At most one story a week means one per her calendar week: a story is a quiet extra,
    not another notification. Not "7 days since the last": her weekly meeting moves an
    hour in UTC when the clocks change, and would then skip a week."""
    local = now.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), ZoneInfo(tz))


def story_due(last_shown: datetime | None, now: datetime, tz: str) -> bool:
    return last_shown is None or last_shown < week_start(now, tz)


@dataclass(frozen=True)
class StorySlot:
    """This week's story may go beside her check-in: what its claim needs to know."""

    coachee_id: int
    step: int
    week_start: datetime  # due while none was shown since then
    shown_before: int  # stories she has had, to take turns


def pick_story(library: list[Story], colleagues: list[Story], shown_before: int) -> Story | None:
    """Take turns: library and colleagues' stories alternate when both exist, and each
    list is walked in order, so she sees a different one each week."""
    if library and colleagues:
        turn = shown_before // 2
        source = colleagues if shown_before % 2 else library
        return source[turn % len(source)]
    stories = library or colleagues
    return stories[shown_before % len(stories)] if stories else None


def slot_of(coachee, now: datetime) -> StorySlot | None:
    """Her story slot of the week, if a story is due: she has started, has them on, and
    none was shown since her week began. ``coachee``: her row or model."""
    if coachee.onboarded_at is None or not coachee.stories_on or coachee.current_step is None:
        return None
    if not story_due(coachee.story_shown_at, now, coachee.tz):
        return None
    return StorySlot(
        coachee.id, coachee.current_step, week_start(now, coachee.tz), coachee.stories_shown
    )
