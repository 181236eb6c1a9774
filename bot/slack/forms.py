"""Reading modal submissions into plain values, with Slack-style field errors.

Slack enforces lengths and required fields in its own client, but a request can
be forged or a client can be old, so every rule is checked again here.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.attempts import Felt, Outcome
from bot.domain.placement import SelfPlacement
from bot.domain.schedule import weekdays_to_mask
from bot.services.checkins import Details
from bot.services.coaching import AttemptInput, OnboardingAnswers
from bot.services.efficacy import CheckAnswers
from bot.services.meetings import MeetingInput
from bot.services.preferences import POST_MINUTES_CHOICES, PRE_MINUTES_CHOICES, Preferences
from bot.slack import ids

MAX_GOAL = 300
MAX_MEETING_NAME = 150
MAX_REFLECTION = 280
MAX_WORDING = 200
CONFIDENCE_CHOICES = tuple(range(0, 101, 10))
DURATION_CHOICES = (15, 30, 45, 60, 90, 120, 180, 240)
# A calendar link: Google's and Outlook's are under 300 characters; room for others.
MAX_CALENDAR_URL = 2000
NOT_A_LINK = "That doesn't look like a link. Paste the whole address, starting with https://."
# Block Kit's limits: an option's value, and a view's private_metadata.
MAX_OPTION_VALUE = 150
MAX_METADATA = 3000


class FormErrors(Exception):
    """Field errors, by block id, for ``ack(response_action="errors", errors=...)``."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class _Form:
    def __init__(self, values: dict):
        self._values = values if isinstance(values, dict) else {}
        self.errors: dict[str, str] = {}

    def _field(self, block: str) -> dict:
        field = self._values.get(block, {})
        field = field.get(block, {}) if isinstance(field, dict) else {}
        return field if isinstance(field, dict) else {}

    def text(self, block: str, *, limit: int, required: bool, what: str) -> str | None:
        value = self._field(block).get("value")
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            if required:
                self.errors[block] = f"Please add {what}."
            return None
        if len(value) > limit:
            self.errors[block] = f"Please keep it to {limit} characters (this is {len(value)})."
            return None
        return value

    def choice(self, block: str, allowed, *, required: bool, what: str) -> str | None:
        option = self._field(block).get("selected_option") or {}
        value = option.get("value") if isinstance(option, dict) else None
        if value is None:
            if required:
                self.errors[block] = f"Please choose {what}."
            return None
        if value not in {str(a) for a in allowed}:
            self.errors[block] = f"Please choose {what} from the list."
            return None
        return value

    def checked(self, block: str, value: str) -> bool:
        options = self._field(block).get("selected_options") or []
        return any(isinstance(o, dict) and o.get("value") == value for o in options)

    def conversation(self, block: str) -> str | None:
        value = self._field(block).get("selected_conversation")
        return value if isinstance(value, str) and value[:1] in ("C", "G") else None

    def day(self, block: str) -> date | None:
        value = self._field(block).get("selected_date")
        if not value:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.errors[block] = "Please pick a date."
            return None

    def all_checked(self, block: str) -> list[str]:
        options = self._field(block).get("selected_options") or []
        return [o.get("value") for o in options if isinstance(o, dict)]

    def clock_time(self, block: str, *, what: str) -> time | None:
        value = self._field(block).get("selected_time")
        try:
            hours, minutes = (int(part) for part in str(value).split(":"))
            return time(hours, minutes)
        except (TypeError, ValueError):
            self.errors[block] = f"Please pick {what}."
            return None

    def done(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


def _confidence(form: _Form, block: str, *, required: bool) -> int | None:
    value = form.choice(block, CONFIDENCE_CHOICES, required=required, what="a number")
    return int(value) if value is not None else None


def parse_onboarding(values: dict) -> OnboardingAnswers:
    form = _Form(values)
    goal = form.text(ids.GOAL, limit=MAX_GOAL, required=True, what="your goal, in a few words")
    placement = form.choice(
        ids.PLACEMENT, [p.value for p in SelfPlacement], required=True, what="where you are today"
    )
    confidence = _confidence(form, ids.CONFIDENCE, required=True)
    share = form.checked(ids.SHARE_WINS, "yes")
    channel = form.conversation(ids.SHARE_CHANNEL)
    if share and channel is None:
        form.errors[ids.SHARE_CHANNEL] = "Pick the channel to share wins in, or untick sharing."
    form.done()
    return OnboardingAnswers(goal, SelfPlacement(placement), confidence, share, channel)


def parse_log(values: dict, *, challenge_ids: set[str]) -> AttemptInput:
    form = _Form(values)
    meeting = form.text(
        ids.MEETING_NAME, limit=MAX_MEETING_NAME, required=False, what="the meeting"
    )
    tried = form.choice(ids.TRIED, challenge_ids, required=True, what="what you tried")
    outcome = form.choice(
        ids.OUTCOME,
        [o.value for o in Outcome if o is not Outcome.DID_NOT_HAPPEN],
        required=True,
        what="how it went",
    )
    felt = form.choice(ids.FELT, [f.value for f in Felt], required=True, what="how it felt")
    before = _confidence(form, ids.CONFIDENCE_BEFORE, required=False)
    after = _confidence(form, ids.CONFIDENCE_AFTER, required=True)
    reflection = form.text(
        ids.REFLECTION, limit=MAX_REFLECTION, required=False, what="a reflection"
    )
    form.done()
    return AttemptInput(
        outcome=Outcome(outcome),
        felt=Felt(felt),
        confidence_before=before,
        confidence_after=after,
        reflection=reflection,
        meeting_name=meeting,
        challenge_id=tried,
    )


def parse_settings(values: dict) -> Preferences:
    form = _Form(values)
    pre = form.choice(ids.PRE_MINUTES, PRE_MINUTES_CHOICES, required=True, what="a time")
    post = form.choice(ids.POST_MINUTES, POST_MINUTES_CHOICES, required=True, what="a time")
    start = form.clock_time(ids.WORK_START, what="when your working day starts")
    end = form.clock_time(ids.WORK_END, what="when your working day ends")
    if start is not None and end is not None and end <= start:
        form.errors[ids.WORK_END] = "Your working day should end after it starts."
    share = form.checked(ids.SHARE_WINS, "yes")
    roundup = form.checked(ids.SHARE_WINS, "roundup")
    channel = form.conversation(ids.SHARE_CHANNEL)
    if (share or roundup) and channel is None:
        form.errors[ids.SHARE_CHANNEL] = "Pick the channel to share wins in, or untick sharing."
    stories = form.checked(ids.STORIES_ON, "yes")
    nerves = form.checked(ids.NERVES_ON, "yes")
    form.done()
    return Preferences(int(pre), int(post), start, end, share, channel, roundup, stories, nerves)


def parse_meeting(values: dict, *, today: date) -> MeetingInput:
    form = _Form(values)
    name = form.text(ids.MEETING_NAME, limit=MAX_MEETING_NAME, required=True, what="a name")
    days = form.all_checked(ids.WEEKDAYS)
    on_date = form.day(ids.ON_DATE)
    weekdays = [int(d) for d in days if d in {str(n) for n in range(7)}]
    if len(weekdays) != len(days):
        form.errors[ids.WEEKDAYS] = "Please pick days from the list."
    elif not weekdays and on_date is None and ids.ON_DATE not in form.errors:
        form.errors[ids.WEEKDAYS] = "Pick the weekdays it repeats on, or a single date below."
    elif weekdays and on_date is not None:
        form.errors[ids.ON_DATE] = "Leave the date empty for a weekly meeting, or untick the days."
    elif on_date is not None and on_date < today:
        form.errors[ids.ON_DATE] = "That date has passed. Pick today or a later one."
    start = form.clock_time(ids.START_TIME, what="when it starts")
    duration = form.choice(ids.DURATION, DURATION_CHOICES, required=True, what="how long it is")
    tz = form.text(ids.MEETING_TZ, limit=64, required=True, what="a time zone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            form.errors[ids.MEETING_TZ] = (
                "I don't know that time zone. Use a name like Europe/Berlin or America/New_York."
            )
    form.done()
    return MeetingInput(name, weekdays_to_mask(weekdays), on_date, start, int(duration), tz)


def parse_wording(values: dict) -> str | None:
    form = _Form(values)
    wording = form.text(ids.WORDING, limit=MAX_WORDING, required=False, what="a line")
    form.done()
    return wording


def parse_details(values: dict) -> Details:
    form = _Form(values)
    felt = form.choice(ids.FELT, [f.value for f in Felt], required=True, what="how it felt")
    after = _confidence(form, ids.CONFIDENCE_AFTER, required=True)
    reflection = form.text(
        ids.REFLECTION, limit=MAX_REFLECTION, required=False, what="a reflection"
    )
    form.done()
    return Details(Felt(felt), after, reflection)


def parse_calendar_link(values: dict) -> str:
    """The link she pasted, if it has a link's shape; whether it can be read is the
    calendar service's to say (https only, a public address, a calendar file)."""
    form = _Form(values)
    link = form.text(
        ids.CALENDAR_URL, limit=MAX_CALENDAR_URL, required=True, what="your calendar's link"
    )
    if link is not None and not _looks_like_a_link(link):
        form.errors[ids.CALENDAR_URL] = NOT_A_LINK
    form.done()
    return link


def _looks_like_a_link(text: str) -> bool:
    if any(c.isspace() for c in text) or "://" not in text:
        return False
    try:
        parts = urlsplit(text)
        return parts.scheme.isalpha() and bool(parts.hostname)
    except ValueError:  # e.g. a broken IPv6 address or port
        return False


# -- the calendar's meeting list -------------------------------------------------------------
#
# Each checkbox's value names a series by its key (the event's UID), which can be longer
# than an option's 150 characters (up to 512). A key that fits is its own value; a longer
# one (or one starting with "~") is "~" and a digest of it, and the digest's key travels
# in the view's private_metadata. So do the ticked series past the list's end: saving
# keeps them ticked (the service unticks every series it listed that isn't named).


def series_value(key: str) -> str:
    if len(key) <= MAX_OPTION_VALUE and not key.startswith("~"):
        return key
    return "~" + hashlib.sha256(key.encode()).hexdigest()[:32]


def pick_metadata(digests: dict[str, str], kept: list[str]) -> str:
    """The view's private_metadata: digest -> key, and the ticked series not shown."""
    if not digests and not kept:
        return ""
    carried = {"d": digests, "k": kept}
    return json.dumps(carried, ensure_ascii=False, separators=(",", ":"))


def parse_calendar_pick(values: dict, metadata: str, *, most: int) -> set[str]:
    """The series she ticked, by key, with those ticked already that the list left out.

    More than ``most`` ticked is a field error. A value or metadata not written by us
    (a forged request) is ignored: it can only ever name series of her own calendar,
    and only those the service listed count."""
    digests, kept = _read_pick_metadata(metadata)
    form = _Form(values)
    prefix = f"{ids.CALENDAR_SERIES}_"
    lists = sorted(b for b in form._values if isinstance(b, str) and b.startswith(prefix))
    ticked = set()
    for block in lists:
        for value in form.all_checked(block):
            if not isinstance(value, str) or not value or len(value) > MAX_OPTION_VALUE:
                continue
            key = digests.get(value) if value.startswith("~") else value
            if key is not None:
                ticked.add(key)
    if len(ticked) > most:
        form.errors[lists[0]] = (
            f"You can practise in up to {most} calendar meetings at a time: please untick "
            f"{len(ticked) - most}."
        )
    form.done()
    return ticked | set(kept)


def _read_pick_metadata(metadata: str) -> tuple[dict[str, str], list[str]]:
    try:
        carried = json.loads(metadata) if metadata else {}
    except (TypeError, ValueError):
        return {}, []
    if not isinstance(carried, dict):
        return {}, []
    digests, kept = carried.get("d"), carried.get("k")
    digests = {
        d: k
        for d, k in (digests.items() if isinstance(digests, dict) else ())
        if isinstance(d, str) and isinstance(k, str) and d.startswith("~")
    }
    kept = [k for k in (kept if isinstance(kept, list) else ()) if isinstance(k, str) and k]
    return digests, kept


def efficacy_block(n: int) -> str:
    """The block id (and action id) of the check's item ``n`` (1-6)."""
    return f"{ids.EFFICACY_ITEM}_{n}"


def parse_efficacy(values: dict, *, items: int, looking_back: bool) -> CheckAnswers:
    """Her six answers (0-100 in tens) and, after the first check, the looking-back one:
    each required, since the mean needs them all; a guess is fine."""
    form = _Form(values)
    what = "a number (a rough guess is fine)"
    answers = [
        form.choice(efficacy_block(n), CONFIDENCE_CHOICES, required=True, what=what)
        for n in range(1, items + 1)
    ]
    back = (
        form.choice(ids.LOOKING_BACK, CONFIDENCE_CHOICES, required=True, what=what)
        if looking_back
        else None
    )
    form.done()
    return CheckAnswers(tuple(int(a) for a in answers), None if back is None else int(back))
