"""Taking a break (PRODUCT §3 journey 9): `/voice pause [duration]` in words, and back.

What she may type after `/voice pause` (case and spacing don't matter):

* nothing: an open-ended pause, until `/voice resume` (``None``);
* a number of days or weeks: ``3d``, ``10 days``, ``2w``, ``1 week``, ``a week``,
  ``for 2 weeks``. Hours are not offered: a pause is about days;
* a date: ``until 2026-12-24`` or ``2026-12-24``, meaning through the end of that
  local day (the pause ends at the next local midnight).

Durations count *local calendar days*: "1w" typed at 10:00 ends at 10:00 local
seven days later, even across a daylight-saving change. A pause must end in the
future and at most 90 days ahead: a duration of at most 90 days, or a date at
most 90 days after her today. Anything else is a ``DurationError`` whose message
is one friendly line saying what would work.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import MONTH_NAMES, WEEKDAY_NAMES, local_instant

MAX_PAUSE_DAYS = 90
MAX_INPUT_CHARS = 100  # longer than any sensible duration
ECHO_CHARS = 30  # how much of a bad input to quote back

_DURATION = re.compile(
    r"(?:for )?(?:(?P<n>[0-9]{1,6}) ?|(?:a|one) )(?P<unit>d|days?|w|wks?|weeks?)", re.ASCII
)
_DATE = re.compile(r"(?:until )?(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})", re.ASCII)


class DurationError(ValueError):
    """A pause she asked for that can't be done; str() is the line to show her."""


def parse_pause(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When a pause typed as ``text`` ends, as an aware UTC instant; None if open-ended."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        return None
    local_now = now.astimezone(tz)
    today = local_now.date()
    example = today + timedelta(weeks=2)
    if len(cleaned) <= MAX_INPUT_CHARS:
        if match := _DURATION.fullmatch(cleaned):
            return _after(match, local_now, tz, example)
        if match := _DATE.fullmatch(cleaned):
            return _through(match, today, tz, example)
    raise DurationError(
        f"I didn't understand `{_echo(text)}`. Try `/voice pause 2w`, `/voice pause 3d`"
        f" or `/voice pause until {example}`."
    )


def _after(match: re.Match[str], local_now: datetime, tz: ZoneInfo, example: date) -> datetime:
    count = int(match["n"]) if match["n"] is not None else 1
    days = count * (7 if match["unit"].startswith("w") else 1)
    if days < 1:
        raise DurationError(
            "A pause needs at least 1 day. Try `/voice pause 3d` or `/voice pause 2w`."
        )
    if days > MAX_PAUSE_DAYS:
        raise _too_long(example)
    return local_instant(local_now.date() + timedelta(days=days), local_now.time(), tz)


def _through(match: re.Match[str], today: date, tz: ZoneInfo, example: date) -> datetime:
    text = f"{match['y']}-{match['m']}-{match['d']}"
    try:
        last_day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise DurationError(
            f"{text} isn't a date on the calendar. Try `/voice pause until {example}`."
        ) from None
    if last_day < today:
        raise DurationError(
            f"{last_day} has already passed."
            f" Try `/voice pause until {example}` or `/voice pause 2w`."
        )
    if (last_day - today).days > MAX_PAUSE_DAYS:
        raise _too_long(example)
    return local_instant(last_day + timedelta(days=1), time(0), tz)


def _too_long(example: date) -> DurationError:
    return DurationError(
        f"I can pause for {MAX_PAUSE_DAYS} days at most."
        f" Try `/voice pause 4w` or `/voice pause until {example}`."
    )


def _echo(text: str) -> str:
    """A bad input, safe to quote in one line of Slack mrkdwn."""
    shown = "".join(c if c.isprintable() else " " for c in " ".join(text.split()))
    shown = shown.replace("`", "'").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if len(shown) > ECHO_CHARS:
        shown = shown[:ECHO_CHARS].rstrip() + "…"
    return shown


def describe_until(until: datetime | None, tz: ZoneInfo) -> str:
    """ "until Thu 24 Dec" / "until Thu 24 Dec at 10:00" / "until you resume".

    A pause ending at a local midnight is shown by its last paused day (a pause
    "until 2026-12-24" ends at the start of the 25th and reads "until Thu 24 Dec").
    An end in year 9999, the far-future stand-in some callers store for an
    open-ended pause, reads "until you resume" too.
    """
    if until is None or until.astimezone(UTC).year >= 9999:
        return "until you resume"
    local = until.astimezone(tz)
    if until == local_instant(local.date(), time(0), tz):
        last = local.date() - timedelta(days=1)
        return f"until {_day(last)}"
    return f"until {_day(local.date())} at {local:%H:%M}"


def _day(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
