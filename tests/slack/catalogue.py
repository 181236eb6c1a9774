"""Every Block Kit surface the app builds, in each of its states, from plain values.

``CATALOGUE`` maps each ``build_*`` function of ``bot.slack.blocks`` to a function that
renders it in every state worth seeing, given ``Words``: what she (or her buddy) typed.
``Words()`` is ordinary text; ``words()`` draws hostile text, up to the longest each
form accepts. No database: the services' dataclasses are built directly.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import bot.slack.blocks
from bot.content import load_ladder
from bot.content.efficacy import load_efficacy_scale
from bot.content.exercises import load_exercises
from bot.content.stories import load_stories
from bot.domain import efficacy as efficacy_scale
from bot.domain.attempts import Outcome
from bot.domain.calendar import Occurrence, Series, occurrence_key, series_of
from bot.domain.milestones import STREAK_MILESTONES
from bot.domain.nerves import Helped, Why
from bot.domain.persuasion import shared_win_line
from bot.domain.placement import SelfPlacement
from bot.domain.plans import MAX_OWN_PLAN, PlanFired
from bot.domain.progress import PracticeRecord, current_streak, weekly_confidence, wins
from bot.domain.progression import Move, Reason
from bot.domain.schedule import ALL_DAYS, WORKING_DAYS, describe_when, weekdays_to_mask
from bot.domain.stories import SharedStory, colleague_story
from bot.models import Celebration, CelebrationKind
from bot.services.buddies import Buddyship
from bot.services.calendars import CalendarChoice, FailingNotice
from bot.services.celebrations import CelebrationService, CelebrationView, CheerNews
from bot.services.checkins import CheckinState
from bot.services.coaching import ChallengeCard, Offer, OnboardingAnswers, Recorded, Started
from bot.services.dispatch import CheckinMessage
from bot.services.efficacy import CheckForm, CheckOffer
from bot.services.meetings import MAX_MEETINGS, MeetingInput, MeetingSummary
from bot.services.preferences import POST_MINUTES_CHOICES, PRE_MINUTES_CHOICES, Preferences
from bot.services.progress import WEEKS_SHOWN, Progress
from bot.slack import forms, subcommands
from bot.slack.blocks import (
    buddy,
    calendar,
    celebrations,
    challenge,
    checkins,
    efficacy,
    help,
    home,
    log,
    meetings,
    nerves,
    onboarding,
    privacy,
    progress,
    settings,
    stories,
)
from bot.slack.blocks.text import escape
from bot.slack.listeners.actions.challenge import NOTES as CHALLENGE_NOTES
from bot.slack.listeners.actions.send_chart import CHART_WEEKS
from bot.slack.values import MAX_ID

LADDER = load_ladder()
TOP = LADDER.top
STEPS = range(1, TOP + 1)
ME, BUDDY = "U0MILA", "W0123456789ABCDEF"
CHANNEL = "C0123456789ABCDEF"
IDS = (1, MAX_ID)  # the smallest and largest row ids a value can carry
MAX_COMMAND_TEXT = 4000  # generously more than anyone types after /voice
MAX_CALENDAR_TITLE = 1000  # a feed's titles have no limit; longer than any real one
MAX_SLACK_NAME = 80  # a Slack profile's full name: Slack allows up to 80 characters


@dataclass(frozen=True)
class Words:
    """Everything typed by a person that a surface shows, one field per form input."""

    meeting: str = "Weekly planning"
    goal: str = "Share my ideas in the weekly planning meeting"
    wording: str = "Small step, but it felt big!"
    encouragement: str = "You've got this. Your ideas are worth hearing."
    command: str = "progres now"  # the text after /voice
    tz: str = "Europe/Berlin"
    calendar_title: str = "Weekly team sync"  # a meeting's title in her calendar
    plan: str = "When Sam asks for risks, I will name the vendor delay."  # her if-then plan
    name: str = "Mila"  # her name from Slack, in the exercise that talks to her by name


# -- hostile text ----------------------------------------------------------------------------

PIECES = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C123>",
    "<https://example.com|click me>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "*",
    "_",
    "~",
    "`",
    "```",
    ":tada:",
    "🎉",
    "👩🏽‍💻",  # a ZWJ sequence of several code points
    "日本語の会議",
    "اجتماع الفريق",
    "Встреча",
    "\u200b",
    "\n",
    " ",
)


def hostile(max_size: int) -> st.SearchStrategy[str]:
    """What a form accepts (stripped, non-empty, at most ``max_size``), at its worst."""
    piece = st.sampled_from(PIECES)
    longest = piece.map(lambda p: (p * max_size)[:max_size])  # the limit, all of one piece
    mixed = st.lists(piece | st.text(min_size=1, max_size=12), min_size=1, max_size=60).map("".join)
    return (
        st.one_of(longest, mixed, st.text(min_size=1, max_size=max_size))
        .map(lambda s: s[:max_size].strip())
        .filter(bool)
    )


def words() -> st.SearchStrategy[Words]:
    return st.builds(
        Words,
        meeting=hostile(forms.MAX_MEETING_NAME),
        goal=hostile(forms.MAX_GOAL),
        wording=hostile(forms.MAX_WORDING),
        encouragement=hostile(buddy.MAX_ENCOURAGEMENT),
        command=hostile(MAX_COMMAND_TEXT),
        tz=st.sampled_from(["UTC", "America/Argentina/ComodRivadavia", "Asia/Kolkata"]),
        calendar_title=hostile(MAX_CALENDAR_TITLE),
        plan=hostile(MAX_OWN_PLAN),
        name=hostile(MAX_SLACK_NAME),
    )


HOSTILE = Words(
    meeting="<!channel> Q&A <@U123> *bold* _it_ <https://example.com|click>",
    goal="<!here> speak & <@U123> <!channel>",
    wording="<!channel> & <@U123>",
    encouragement="<!everyone> go & <@U123>",
    command="<!channel>&<@U123> more <!here>",
    calendar_title="<!channel> Sync & <@U123> *bold* <https://example.com|click> 🎉",
    plan="When <!here> asks, I will say & <@U123> *bold*",
    name="<!channel> & <@U123> *Mila*",
)


# -- the ladder and her place on it ------------------------------------------------------------


def card(step: int, challenge_id: str | None = None) -> ChallengeCard:
    c = LADDER.challenge(challenge_id) if challenge_id else LADDER.first_challenge(step)
    return ChallengeCard(step, LADDER.step(step).name, TOP, c)


EVERY_STEP = [card(n) for n in STEPS]
EVERY_CHALLENGE = [card(n, c.id) for n in STEPS for c in LADDER.step(n).challenges]

TZ = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 9, 0, tzinfo=TZ)


def two_years_of_history() -> list[PracticeRecord]:
    """Three meetings a week for two years: wins, misses, some that didn't happen."""
    records = []
    start = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)
    for week in range(104):
        for n, day in enumerate((0, 2, 4)):
            i = week * 3 + n
            records.append(
                PracticeRecord(
                    occurred_at=start + timedelta(weeks=week, days=day),
                    happened=i % 11 != 0,
                    win=i % 3 != 0,
                    confidence_before=(i * 7) % 101,
                    confidence_after=None if i % 5 == 0 else (i * 13) % 101,
                )
            )
    return records


def her_progress(
    words: Words,
    *,
    step: int = 3,
    start_step: int = 3,
    history: list[PracticeRecord] = (),
    weeks: int | None = WEEKS_SHOWN,
    paused_until: datetime | None = None,
) -> Progress:
    return Progress(
        goal=words.goal,
        start_step=start_step,
        start_step_name=LADDER.step(start_step).name,
        step=step,
        step_name=LADDER.step(step).name,
        top=TOP,
        challenge=LADDER.first_challenge(step),
        wins=wins(history),
        practised=sum(r.happened for r in history),
        streak=current_streak(history, tz=TZ, today=TODAY),
        weeks=weekly_confidence(history, tz=TZ, today=TODAY, weeks=weeks),
        paused_until=paused_until,
    )


def progresses(words: Words) -> Iterator[tuple[str, Progress]]:
    """New, on every step (started lower, or where she started), paused, two years in."""
    history = two_years_of_history()
    for n in STEPS:
        yield f"new user on step {n}", her_progress(words, step=n, start_step=n)
        yield f"step {n}, started on 1", her_progress(words, step=n, start_step=1, history=history)
    yield "paused", her_progress(words, history=history[:30], paused_until=NOW + timedelta(14))
    for weeks in (WEEKS_SHOWN, CHART_WEEKS, None):
        yield (
            f"two years, {weeks} weeks",
            her_progress(words, step=TOP, start_step=1, history=history, weeks=weeks),
        )
    yield "no goal", her_progress(Words(goal=""))
    for name, g in growths():
        p = her_progress(words, history=history[:30])
        yield f"self-efficacy check: {name}", replace(p, growth=g, checks=[(NOW, g.latest)])


# -- the catalogue -------------------------------------------------------------------------------

State = tuple[str, dict | None]
CATALOGUE: dict[Callable, Callable[[Words], Iterable[State]]] = {}


def covers(builder: Callable):
    """Registers the states of ``builder``."""

    def register(states: Callable[[Words], Iterable[State]]):
        CATALOGUE[builder] = states
        return states

    return register


def name_of(builder: Callable) -> str:
    return f"{builder.__module__.rsplit('.', 1)[-1]}.{builder.__name__}"


def builders_in_the_package() -> set[str]:
    """Every ``build_*`` function defined in a module of ``bot.slack.blocks``."""
    found = set()
    for module_info in pkgutil.iter_modules(bot.slack.blocks.__path__):
        module = importlib.import_module(f"bot.slack.blocks.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("build_") and value.__module__ == module.__name__:
                found.add(name_of(value))
    return found


def render(builder: Callable, words: Words = Words()) -> list[State]:
    return list(CATALOGUE[builder](words))


def modal_for(callback_id: str) -> dict | None:
    """A modal the app builds with this callback_id, or None: what Slack would submit."""
    for builder in CATALOGUE:
        for _, payload in render(builder):
            if payload and payload.get("callback_id") == callback_id:
                return payload
    return None


def without_arguments(*builders: Callable) -> None:
    """Surfaces that take nothing: one state each."""
    for builder in builders:
        CATALOGUE[builder] = lambda words, b=builder: [(b.__name__, b())]


without_arguments(
    buddy.build_sent,
    celebrations.build_declined,
    calendar.build_calendar_loading,
    calendar.build_calendar_unavailable,
    help.build_help,
    home.build_home_welcome,
    privacy.build_forget_question,
    privacy.build_forgotten,
    progress.build_not_started,
)


# -- buddy ---------------------------------------------------------------------------------------

BUDDIES = [Buddyship(i, ME, BUDDY, "active") for i in IDS]
BUDDY_EVENTS = ("invited", "accepted", "declined", "removed", "stepped_down")


@covers(buddy.build_invitation)
def _(words):
    for b in BUDDIES:
        yield f"buddy {b.id}", buddy.build_invitation(b)


@covers(buddy.build_buddy_answered)
def _(words):
    for b in BUDDIES:
        for accepted in (True, False):
            yield f"buddy {b.id}, accepted={accepted}", buddy.build_buddy_answered(b, accepted)


@covers(buddy.build_for_coachee)
def _(words):
    for event in BUDDY_EVENTS:
        yield event, buddy.build_for_coachee(BUDDIES[-1], event)


@covers(buddy.build_for_buddy_removed)
def _(words):
    yield "removed", buddy.build_for_buddy_removed(BUDDIES[-1])


@covers(buddy.build_buddy_win)
def _(words):
    for what, kind, detail in milestones(every_win=True):
        if kind == CelebrationKind.WIN:
            yield what, buddy.build_buddy_win(BUDDIES[-1], headline(kind, detail))


@covers(buddy.build_buddy_nudge)
def _(words):
    for start in ("00:00", "23:59"):
        yield start, buddy.build_buddy_nudge(BUDDIES[-1], start)
    for c in EVERY_CHALLENGE:  # naming a win she shared, in the ladder's words
        win = shared_win_line(c.challenge.do, NOW, words.tz, who="they")
        yield (
            f"shared win {c.challenge.id}",
            buddy.build_buddy_nudge(Buddyship(IDS[-1], ME, BUDDY, "active", win), "23:59"),
        )


@covers(buddy.build_encourage_modal)
def _(words):
    for b in BUDDIES:
        yield f"buddy {b.id}", buddy.build_encourage_modal(b)


@covers(buddy.build_encouragement)
def _(words):
    yield "her buddy's words", buddy.build_encouragement(BUDDIES[-1], words.encouragement)


# -- calendar ------------------------------------------------------------------------------------

HOSTS = ("calendar.google.com", "outlook.office365.com", "127.0.0.1", "a" * 63 + ".example")
# Why a link can't be read, every one the service names, and one it may add later.
WHYS = (*calendar.PROBLEMS, "a_reason_added_later")
# Series keys are event UIDs: Google's short ones, Exchange's 112 hex digits, up to 512.
KEY_LENGTHS = (26, 112, 150, 151, 512)


def calendar_key(i: int) -> str:
    key = f"{i:04d}-{'ABCDEF0123456789' * 40}"[: KEY_LENGTHS[i % len(KEY_LENGTHS)]]
    return "~" + key[1:] if i % 7 == 6 else key  # "~" starts the list's digests too


def calendar_series(words: Words, n: int) -> list[Series]:
    """``n`` series and one-offs of the next 14 days, as the service lists them."""
    occurrences = []
    monday = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    for i in range(n):
        key = calendar_key(i)
        recurring = i % 3 != 2
        start = monday + timedelta(days=i % 5, minutes=15 * (i % 40))
        for week in range(2 if recurring else 1):
            at = start + timedelta(weeks=week)
            occurrences.append(
                Occurrence(
                    uid=key,
                    recurrence_id=at if recurring else None,
                    key=occurrence_key(key, at if recurring else None),
                    series=key,
                    title=words.calendar_title if i % 2 == 0 else f"Meeting {i}",
                    start=at,
                    end=at + timedelta(minutes=(15, 30, 45, 60, 750)[i % 5]),
                    tz=words.tz,
                    recurring=recurring,
                )
            )
    return series_of(occurrences, tz=words.tz)


# One first: the fuzz tests submit the first state (modal_for), which has a list then.
SERIES_COUNTS = (1, 0, 10, 11, 37, calendar.MAX_SHOWN, calendar.MAX_SHOWN + 1, 250)


@covers(calendar.build_calendar_link_modal)
def _(words):
    for connected in (False, True):
        yield f"connected={connected}", calendar.build_calendar_link_modal(connected=connected)
        for why in WHYS:
            yield (
                f"{why}, connected={connected}",
                calendar.build_calendar_link_modal(why, connected=connected),
            )


@covers(calendar.build_calendar_pick_modal)
def _(words):
    for n in SERIES_COUNTS:
        series = calendar_series(words, n)
        keys = [s.key for s in series]
        ticks = {
            "none ticked": frozenset(),
            "every other ticked": frozenset(keys[::2]),
            "all ticked": frozenset(keys),
            "ticked ones not listed": frozenset(
                keys[:1] + [calendar_key(900 + i) for i in range(3)]
            ),
        }
        for what, chosen in ticks.items():
            for host in HOSTS[::3]:
                choice = CalendarChoice(host=host, series=series, chosen=chosen)
                yield f"{n} series, {what}, {host}", calendar.build_calendar_pick_modal(choice)
    # More ticked series with keys over 150 characters than private_metadata can carry.
    long = [
        Series("L" * 512 + str(i), words.calendar_title, words.calendar_title) for i in range(9)
    ]
    for chosen in (frozenset(), frozenset(s.key for s in long)):
        far = frozenset(f"{'F' * 500}{i}" for i in range(9)) if chosen else frozenset()
        choice = CalendarChoice(host=HOSTS[0], series=long, chosen=chosen | far)
        yield f"long keys, {len(chosen)} ticked", calendar.build_calendar_pick_modal(choice)


@covers(calendar.build_calendar_chosen)
def _(words):
    for n in (0, 1, 2, calendar.MAX_TITLES_LISTED, calendar.MAX_TITLES_LISTED + 1, 250):
        titles = [words.calendar_title if i % 2 == 0 else f"Meeting {i}" for i in range(n)]
        yield f"{n} titles", calendar.build_calendar_chosen(titles)


@covers(calendar.build_calendar_failing)
def _(words):
    for why in WHYS:
        for host in HOSTS:
            notice = FailingNotice(team_id="T1", user_id=ME, why=why, host=host)
            yield f"{why}, {host}", calendar.build_calendar_failing(notice)


# -- celebrations --------------------------------------------------------------------------------

_HEADLINES = CelebrationService(None, None, LADDER)  # only its wording is used, no database


def headline(kind: str, detail: str | None = None, user_id: str = ME) -> str:
    return _HEADLINES._headline(Celebration(kind=kind, detail=detail), user_id)


LONGEST = max(EVERY_CHALLENGE, key=lambda c: len(c.challenge.do)).challenge.id


def milestones(every_win: bool = False) -> Iterator[tuple[str, str, str | None]]:
    """(what, kind, detail) for every milestone, and a win at every challenge or the
    longest one."""
    for c in EVERY_CHALLENGE if every_win else [card(1, LONGEST)]:
        yield f"win: {c.challenge.id}", CelebrationKind.WIN, c.challenge.id
    yield "win, challenge gone from the ladder", CelebrationKind.WIN, "retired-challenge"
    yield "first win", CelebrationKind.FIRST_WIN, None
    for n in STREAK_MILESTONES:
        yield f"streak of {n}", CelebrationKind.STREAK, str(n)
    for n in range(2, TOP):
        yield f"step up to {n}", CelebrationKind.STEP_UP, str(n)
    yield "top of the ladder", CelebrationKind.TOP_OF_LADDER, str(TOP)


def celebration_views(words: Words, *, cheers=(), every_win=False) -> Iterator:
    for what, kind, detail in milestones(every_win):
        for can_share, channel in ((True, CHANNEL), (False, CHANNEL), (False, None)):
            for wording in (None, words.wording):
                yield (
                    f"{what}, can_share={can_share}, channel={channel}, wording={bool(wording)}",
                    CelebrationView(
                        IDS[-1],
                        kind,
                        "T1",
                        ME,
                        headline(kind, detail),
                        wording,
                        can_share,
                        channel,
                        cheers,
                    ),
                )


def shareable(words: Words, *, cheers=()) -> Iterator:
    """The views of wins she may share (those with a Share button, a post, a retry)."""
    return ((n, v) for n, v in celebration_views(words, cheers=cheers) if v.can_share)


CHEER_COUNTS = (0, 1, 20, 21, 500)


def cheerers(n: int) -> tuple[str, ...]:
    return tuple(f"U{i:010d}" for i in range(n))


@covers(celebrations.build_celebration_dm)
def _(words):
    for name, view in celebration_views(words, every_win=True):
        yield name, celebrations.build_celebration_dm(view)


@covers(celebrations.build_channel_post)
def _(words):
    for n in CHEER_COUNTS:
        for name, view in shareable(words, cheers=cheerers(n)):
            yield f"{name}, {n} cheers", celebrations.build_channel_post(view)


@covers(celebrations.build_shared)
def _(words):
    for name, view in celebration_views(words):
        if view.channel_id:
            yield name, celebrations.build_shared(view)


@covers(celebrations.build_share_failed)
def _(words):
    for error in (*celebrations.FIXES, "other"):
        for name, view in shareable(words):
            yield f"{error}: {name}", celebrations.build_share_failed(view, error)


@covers(celebrations.build_wording_modal)
def _(words):
    for name, view in shareable(words):
        yield name, celebrations.build_wording_modal(view)


@covers(celebrations.build_cheers_dm)
def _(words):
    for n in CHEER_COUNTS[1:]:
        for what, kind, detail in milestones(every_win=True):
            news = CheerNews(IDS[-1], ME, headline(kind, detail), cheerers(n), None)
            yield f"{what}, {n} cheers", celebrations.build_cheers_dm(news)
            win = shared_win_line(LADDER.challenge(LONGEST).do, NOW, words.tz, who="you")
            news = CheerNews(IDS[-1], ME, headline(kind, detail), cheerers(n), None, shared_win=win)
            yield f"{what}, {n} cheers, naming a win", celebrations.build_cheers_dm(news)


@covers(celebrations.build_roundup)
def _(words):
    wins_ = [headline(CelebrationKind.WIN, c.challenge.id, BUDDY) for c in EVERY_CHALLENGE]
    longest = max(wins_, key=len)
    for n in (1, 2, 10, 40, 41, 500):
        yield f"{n} wins", celebrations.build_roundup((wins_ * 20)[:n])
        yield f"{n} of the longest wins", celebrations.build_roundup([longest] * n)


# -- challenge -----------------------------------------------------------------------------------


@covers(challenge.build_challenge_message)
def _(words):
    for c in EVERY_CHALLENGE:
        for note in (None, *CHALLENGE_NOTES.values()):
            yield f"{c.challenge.id}, note={note}", challenge.build_challenge_message(c, note)


def answers(words: Words, placement=SelfPlacement.WHEN_ASKED, confidence=50, share=False):
    return OnboardingAnswers(words.goal, placement, confidence, share, CHANNEL if share else None)


@covers(challenge.build_first_challenge_dm)
def _(words):
    for c in EVERY_STEP:
        for placement in SelfPlacement:
            for first_time in (True, False):
                started = Started(c, first_time, answers(words, placement))
                yield (
                    f"step {c.step}, {placement}, first_time={first_time}",
                    challenge.build_first_challenge_dm(started),
                )


@covers(challenge.build_offer_answered)
def _(words):
    for c in EVERY_STEP:
        for accepted in (True, False):
            for moved_up in (True, False):
                yield (
                    f"step {c.step}, accepted={accepted}, moved_up={moved_up}",
                    challenge.build_offer_answered(c, accepted=accepted, moved_up=moved_up),
                )


# -- check-ins -----------------------------------------------------------------------------------

CHECKIN_KINDS = ("pre", "post", "reminder")


def checkin_message(words: Words, c: ChallengeCard, checkin_id: int = IDS[-1], kind="pre"):
    start = datetime(2026, 3, 30, 23, 45, tzinfo=ZoneInfo(words.tz))
    end = start + timedelta(minutes=240)
    return CheckinMessage(
        checkin_id, kind, "T1", ME, words.meeting, start, end, c, end + timedelta(hours=20)
    )


@covers(checkins.build_pre_checkin)
def _(words):
    for c in EVERY_CHALLENGE:
        for checkin_id in IDS:
            message = checkin_message(words, c, checkin_id)
            yield f"{c.challenge.id}, {checkin_id}", checkins.build_pre_checkin(message)
    for confidence in forms.CONFIDENCE_CHOICES:
        message = checkin_message(words, EVERY_STEP[-1])
        yield (
            f"confidence {confidence}",
            checkins.build_pre_checkin(message, confidence=confidence),
        )
    for c in EVERY_CHALLENGE:  # with the "Settle your nerves" offer (her setting on)
        for checkin_id in IDS:
            message = replace(checkin_message(words, c, checkin_id), nerves=True)
            yield f"{c.challenge.id}, {checkin_id}, nerves", checkins.build_pre_checkin(message)
            yield (
                f"{c.challenge.id}, {checkin_id}, nerves, confidence 100",
                checkins.build_pre_checkin(message, confidence=100),
            )


@covers(checkins.build_post_checkin)
def _(words):
    for c in EVERY_STEP:
        for checkin_id in IDS:
            message = checkin_message(words, c, checkin_id, "post")
            yield f"step {c.step}, {checkin_id}", checkins.build_post_checkin(message)


@covers(checkins.build_reminder)
def _(words):
    for c in EVERY_STEP:
        message = checkin_message(words, c, kind="reminder")
        yield f"step {c.step}", checkins.build_reminder(message)


def checkin_states(words: Words) -> Iterator[tuple[str, CheckinState]]:
    for c in EVERY_STEP:
        state = CheckinState(IDS[-1], "pre", words.meeting, c)
        yield f"pre, step {c.step}, no confidence", state
        yield (
            f"pre, step {c.step}, skipped",
            CheckinState(IDS[-1], "pre", words.meeting, c, skipped=True),
        )
    for confidence in forms.CONFIDENCE_CHOICES:
        yield (
            f"pre, confidence {confidence}",
            CheckinState(IDS[-1], "pre", words.meeting, EVERY_STEP[-1], confidence=confidence),
        )
    for c in EVERY_CHALLENGE:  # today's suggested plan, or the plan she fixed
        suggestion = c.challenge.plans[0]
        yield (
            f"pre, {c.challenge.id}, plan suggested",
            CheckinState(IDS[-1], "pre", words.meeting, c, suggested_plan=suggestion),
        )
    for c in EVERY_CHALLENGE:  # the "Settle your nerves" offer stays after her answers
        for confidence in (None, 100):
            yield (
                f"pre, {c.challenge.id}, nerves, confidence {confidence}",
                CheckinState(
                    IDS[-1],
                    "pre",
                    words.meeting,
                    c,
                    confidence=confidence,
                    plan=words.plan,
                    suggested_plan=c.challenge.plans[0],
                    nerves=True,
                ),
            )
    for confidence in (None, 0, 100):
        yield (
            f"pre, her own plan, confidence {confidence}",
            CheckinState(
                IDS[-1],
                "pre",
                words.meeting,
                EVERY_STEP[-1],
                confidence=confidence,
                plan=words.plan,
                suggested_plan=EVERY_STEP[-1].challenge.plans[0],
            ),
        )
    for outcome in Outcome:
        for fired in (None, *PlanFired):
            for detailed in (False, True):
                yield (
                    f"post, {outcome}, plan fired={fired}, detailed={detailed}",
                    CheckinState(
                        IDS[-1],
                        "post",
                        words.meeting,
                        EVERY_STEP[0],
                        outcome=outcome,
                        detailed=detailed,
                        plan=words.plan,
                        plan_fired=fired,
                    ),
                )
    for outcome in (*Outcome, None):
        for detailed in (False, True):
            yield (
                f"post, {outcome}, detailed={detailed}",
                CheckinState(
                    IDS[-1],
                    "post",
                    words.meeting,
                    EVERY_STEP[0],
                    outcome=outcome,
                    detailed=detailed,
                ),
            )


@covers(checkins.build_checkin_state)
def _(words):
    for name, state in checkin_states(words):
        yield name, checkins.build_checkin_state(state)


@covers(checkins.build_closed)
def _(words):
    for why in ("expired", "answered", "unknown"):
        yield why, checkins.build_closed(why)


@covers(checkins.build_plan_modal)
def _(words):
    for c in EVERY_CHALLENGE:
        for checkin_id in IDS:
            plan = c.challenge.plans[-1]
            yield (
                f"{c.challenge.id}, {checkin_id}",
                checkins.build_plan_modal(checkin_id, plan, None),
            )
    yield "changing hers", checkins.build_plan_modal(IDS[-1], None, words.plan)


@covers(checkins.build_details_modal)
def _(words):
    for outcome in Outcome:
        for checkin_id in IDS:
            yield f"{outcome}, {checkin_id}", checkins.build_details_modal(checkin_id, outcome)


# -- help ----------------------------------------------------------------------------------------


@covers(help.build_unknown_subcommand)
def _(words):
    name, _ = subcommands.parse(words.command)
    yield "closest", help.build_unknown_subcommand(name, subcommands.closest(name))
    for s in subcommands.SUBCOMMANDS:
        yield f"suggesting {s.name}", help.build_unknown_subcommand(name, s.name)
    yield "no suggestion", help.build_unknown_subcommand(name, None)


@covers(help.build_unexpected_arguments)
def _(words):
    for name in sorted(subcommands.WITHOUT_ARGUMENTS):
        yield name, help.build_unexpected_arguments(name, words.command)


# -- home and progress ---------------------------------------------------------------------------


@covers(home.build_home_dashboard)
def _(words):
    for name, p in progresses(words):
        for c in (card(p.step), EVERY_CHALLENGE[-1]):
            yield f"{name}, {c.challenge.id}", home.build_home_dashboard(p, c)


@covers(progress.build_progress_message)
def _(words):
    for name, p in progresses(words):
        yield name, progress.build_progress_message(p)


# -- log -----------------------------------------------------------------------------------------


@covers(log.build_log_modal)
def _(words):
    for c in EVERY_CHALLENGE:
        yield c.challenge.id, log.build_log_modal(LADDER, c)


def offers() -> Iterator:
    yield "no offer", None
    for n in STEPS:
        if n < TOP:
            for reason in (Reason.FELT_EASY, Reason.MASTERED):
                yield f"up to {n + 1}, {reason}", Offer(Move.UP, reason, n, card(n + 1))
        if n > 1:
            for reason in (Reason.TOO_HARD, Reason.REPEATED_MISSES):
                yield f"down to {n - 1}, {reason}", Offer(Move.DOWN, reason, n, card(n - 1))


@covers(log.build_logged_dm)
def _(words):
    logged = [o for o in Outcome if o is not Outcome.DID_NOT_HAPPEN]  # the log form's choices
    for outcome in logged:
        for what, offer in offers():
            c = EVERY_STEP[offer.from_step - 1] if offer else EVERY_STEP[0]
            recorded = Recorded(IDS[-1], outcome, c.challenge, offer, c)
            yield f"{outcome}, {what}", log.build_logged_dm(recorded)


# -- meetings ------------------------------------------------------------------------------------

RULES = (
    (weekdays_to_mask([0]), None),
    (WORKING_DAYS, None),
    (ALL_DAYS, None),
    (weekdays_to_mask([1, 3, 5, 6]), None),
    (0, date(2026, 12, 31)),
)


def meeting_list(words: Words, n: int) -> list[MeetingSummary]:
    out = []
    for i in range(n):
        weekdays, on_date = RULES[i % len(RULES)]
        start = time(23, 45) if i % 2 else time(0, 0)
        zone = ZoneInfo(words.tz)
        out.append(
            MeetingSummary(
                id=MAX_ID - i,
                name=words.meeting,
                when=describe_when(
                    weekdays=weekdays, on_date=on_date, start=start, duration_minutes=240
                ),
                tz=words.tz,
                next_start=None if i % 3 == 2 else datetime(2026, 12, 31, 23, 45, tzinfo=zone),
            )
        )
    return out


def meeting_notes(words: Words) -> Iterator[str | None]:
    """Notes above her list, as listeners should write them: mrkdwn, her words escaped."""
    name = escape(words.meeting)
    yield None
    yield f"Added *{name}*. I'll check in before and after it."
    yield f"Updated *{name}*."
    yield f"Removed *{name}*. No more check-ins for it."
    yield "That meeting isn't on your list any more."


@covers(meetings.build_meetings_message)
def _(words):
    for n in (0, 1, MAX_MEETINGS):
        for i, note in enumerate(meeting_notes(words)):
            listing = meetings.build_meetings_message(meeting_list(words, n), note)
            yield f"{n} meetings, note {i}", listing


@covers(meetings.build_meeting_modal)
def _(words):
    yield "add", meetings.build_meeting_modal(None, tz=words.tz, meeting_id=None)
    for weekdays, on_date in RULES:
        for duration in forms.DURATION_CHOICES:
            meeting = MeetingInput(
                words.meeting, weekdays, on_date, time(23, 59), duration, words.tz
            )
            for meeting_id in IDS:
                yield (
                    f"edit {weekdays:07b} {on_date} {duration} min, {meeting_id}",
                    meetings.build_meeting_modal(meeting, tz="UTC", meeting_id=meeting_id),
                )


# -- onboarding, privacy, settings -------------------------------------------------------------


@covers(onboarding.build_onboarding_modal)
def _(words):
    yield "new", onboarding.build_onboarding_modal(None)
    for placement in SelfPlacement:
        for confidence in forms.CONFIDENCE_CHOICES:
            for share in (False, True):
                yield (
                    f"editing: {placement}, {confidence}, share={share}",
                    onboarding.build_onboarding_modal(answers(words, placement, confidence, share)),
                )


@covers(settings.build_settings_modal)
def _(words):
    for pre in PRE_MINUTES_CHOICES:
        for post in POST_MINUTES_CHOICES:
            for share, channel, roundup in (
                (False, None, False),
                (True, CHANNEL, False),
                (True, CHANNEL, True),
                (False, CHANNEL, True),
            ):
                prefs = Preferences(pre, post, time(0, 0), time(23, 59), share, channel, roundup)
                yield (
                    f"{pre} before, {post} after, share={share}, roundup={roundup}",
                    settings.build_settings_modal(prefs),
                )
    for stories_on in (False, True):
        for nerves_on in (False, True):
            prefs = Preferences(15, 5, time(9), time(18), False, None, False, stories_on, nerves_on)
            yield (
                f"stories={stories_on}, nerves={nerves_on}",
                settings.build_settings_modal(prefs),
            )


# -- coping stories ------------------------------------------------------------------------------

STORIES = load_stories(LADDER)


@covers(stories.build_with_story)
def _(words):
    """Beside the longest pre-meeting check-in of each step: every library story, and a
    colleague's story with each phrase (and none), built from the longest challenge."""
    longest = max((c for s in LADDER.steps for c in s.challenges), key=lambda c: len(c.do))
    for c in EVERY_STEP:
        message = checkins.build_pre_checkin(checkin_message(words, c))
        for i, story in enumerate(STORIES.at_step(c.step)):
            yield f"step {c.step}, library story {i}", stories.build_with_story(message, story)
        for phrase in (None, *STORIES.phrases):
            shared = SharedStory(1, c.step, longest.do, "did_it", phrase and phrase.text)
            yield (
                f"step {c.step}, colleague, {phrase and phrase.id}",
                stories.build_with_story(message, colleague_story(shared)),
            )


@covers(stories.build_story_share_modal)
def _(words):
    for c in EVERY_CHALLENGE:
        for celebration_id in IDS:
            yield (
                f"{c.challenge.id}, {celebration_id}",
                stories.build_story_share_modal(celebration_id, c.challenge.do, STORIES.phrases),
            )


without_arguments(stories.build_story_shared)


# -- settle your nerves --------------------------------------------------------------------------

EXERCISES = load_exercises()


@covers(nerves.build_nerves_modal)
def _(words):
    """Every exercise, for every reason it is offered, with her name (hostile), none, and
    the longest Slack allows; on the smallest and largest check-in ids."""
    for exercise in EXERCISES.exercises:
        for why in Why:
            for name in (words.name, None, "M" * MAX_SLACK_NAME):
                for checkin_id in IDS:
                    yield (
                        f"{exercise.id}, {why}, name={name is not None}, {checkin_id}",
                        nerves.build_nerves_modal(exercise, why, name=name, checkin_id=checkin_id),
                    )


@covers(nerves.build_nerves_done)
def _(words):
    for helped in (*Helped, None):
        yield f"helped={helped}", nerves.build_nerves_done(helped)


@covers(nerves.build_nerves_unavailable)
def _(words):
    for why in (*nerves.UNAVAILABLE, "anything else"):
        yield why, nerves.build_nerves_unavailable(why)


# -- the self-efficacy check ----------------------------------------------------------------------

SCALE = load_efficacy_scale(LADDER)


def growths() -> Iterator:
    """One check; a real rise with standards moved up; a dip within the noise, seen more
    kindly now; the same yardstick; a threshold from 40 people; the extremes."""
    default = efficacy_scale.reliable_change([])
    people = efficacy_scale.Threshold(7.3, 40)
    grow = efficacy_scale.growth
    yield "one check", grow([(0, 45.0)], default)
    yield "up, standards up", grow([(0, 40.0), (1, 62.5)], default, looking_back=20)
    yield "down in noise", grow([(0, 60.0), (1, 55.0)], default, looking_back=80)
    yield "same yardstick", grow([(0, 40.0), (1, 50.0), (2, 50.0)], default, looking_back=45)
    yield "from people", grow([(0, 0.0), (3, 100.0)], people, looking_back=0)
    yield "no change", grow([(0, 100.0), (1, 100.0)], people, looking_back=100)


@covers(efficacy.build_check_offer)
def _(words):
    for round in (0, 1, 13):
        for check_id in IDS:
            yield (
                f"round {round}, id {check_id}",
                efficacy.build_check_offer(CheckOffer(check_id, "T0", ME, round)),
            )


@covers(efficacy.build_check_done)
def _(words):
    yield "answered", efficacy.build_check_done(answered=True)
    yield "skipped", efficacy.build_check_done(answered=False)


@covers(efficacy.build_check_modal)
def _(words):
    for looking_back in (False, True):
        for check_id in IDS:
            yield (
                f"looking back {looking_back}, id {check_id}",
                efficacy.build_check_modal(CheckForm(check_id, SCALE, looking_back)),
            )
