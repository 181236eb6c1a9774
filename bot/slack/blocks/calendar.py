"""/voice calendar: where to find the link, the wait while it is read, her meetings to
tick, what she'll practise in, and the one DM when her calendar stops answering.

The link is a password: no surface here ever shows it, only its host.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.calendar import Series
from bot.services.calendars import HORIZON_DAYS, CalendarChoice, FailingNotice
from bot.slack import ids
from bot.slack.blocks.text import escape
from bot.slack.forms import (
    MAX_CALENDAR_URL,
    MAX_METADATA,
    NOT_A_LINK,
    pick_metadata,
    series_value,
)

TITLE = "Your calendar"
CONNECTED = "connected"  # the link step's private_metadata when it replaces a link
MAX_SHOWN = 100  # checkboxes in the list: ten input blocks of ten (Block Kit's most per element)
PER_BLOCK = 10
OPTION_TEXT = 75
MAX_TITLES_LISTED = 20

UNAVAILABLE = (
    "Calendar links need a secret key set by whoever runs Voice Coach (`SECRET_KEY`). "
    "Meetings you add with `/voice meetings` work as before."
)
DISCONNECTED = (
    "Disconnected. I deleted the link and stopped check-ins for your calendar meetings; "
    "what you've logged stays."
)
NOT_CONNECTED = "No calendar is connected. `/voice calendar` connects one."
USAGE = (
    "`/voice calendar` connects your calendar (you paste its link in a form, never in a "
    "message), and `/voice calendar disconnect` removes it."
)

# What each CalendarProblem.why means for her, and what to do. Shown as a field error
# (plain text) or as a line in the modal (mrkdwn), so no markup: quotes, not asterisks.
PROBLEMS = {
    "not_a_url": NOT_A_LINK,
    "not_https": "That link isn't https. Copy the calendar's address that starts with https://.",
    "forbidden_address": (
        "That link points to a private or internal address. I can only read calendars "
        "published on the internet."
    ),
    "too_many_redirects": (
        "That link sent me from address to address without reaching a calendar. Copy the "
        "ICS link again, straight from your calendar's settings."
    ),
    "too_large": (
        "That calendar is over 5 MB, more than I can read. Publish just your own calendar "
        "and paste its link."
    ),
    "timeout": "Your calendar's server took too long to answer. Please try again in a minute.",
    "unreachable": (
        "I couldn't reach that address. Check that the link is complete, or try again in a minute."
    ),
    "unauthorized": (
        "That link needs a login. Use the secret ICS link (Google: “Secret address in iCal "
        "format”, Outlook: the published ICS link), not the address of the calendar page."
    ),
    "not_found": (
        "Nothing is at that address: the link may have been reset in Google Calendar or "
        "unpublished in Outlook. Copy it again from the settings."
    ),
    "server_error": (
        "Your calendar's server had a problem on its side. Please try again in a few minutes."
    ),
    "http_error": (
        "Your calendar's server turned the request down. Copy the link again and try once more."
    ),
    "not_a_calendar": (
        "That page isn't a calendar file. Use the ICS link (Google: “Secret address in iCal "
        "format”, Outlook: the ICS link, not the HTML one)."
    ),
    "titles_hidden": (
        "That calendar is published without meeting titles, so you couldn't tell your "
        "meetings apart. In Outlook, publish it with “Can view titles and locations” (or "
        "“Can view all details”) and paste the new ICS link."
    ),
    "no_meetings": (
        f"I found no meetings in that calendar in the next {HORIZON_DAYS} days. Check it's "
        "the calendar your meetings are in; you can also add meetings with /voice meetings."
    ),
    "not_connected": "Your calendar isn't connected any more. Paste its link to connect it.",
}
PROBLEMS["forbidden"] = PROBLEMS["unauthorized"]
# Not the link's fault (bot.slack.listeners.calendar names these).
PROBLEMS["unavailable"] = (
    "Calendar links need a secret key set by whoever runs Voice Coach (SECRET_KEY). "
    "Meetings you add with /voice meetings work as before."
)
PROBLEMS["not_started"] = "You haven't started yet: /voice start takes a minute, then come back."
PROBLEMS["failed"] = (
    "Sorry, something went wrong on my side. Nothing was lost; please try again in a minute."
)
SOMETHING_ELSE = "I couldn't read that calendar. Check the link and try again."

# The same causes, a day into failing syncs: what has usually happened.
_GONE_PRIVATE = "The link now leads somewhere I'm not allowed to read from."
_UNANSWERED = "Its server hasn't been answering."
_ERRORS = "Its server keeps answering with an error."
_LOGIN = "The link now asks for a login: usually it was reset, or the calendar unpublished."
FIXES = {
    "not_a_url": _GONE_PRIVATE,
    "not_https": _GONE_PRIVATE,
    "forbidden_address": _GONE_PRIVATE,
    "too_many_redirects": _GONE_PRIVATE,
    "too_large": "The calendar has grown past 5 MB, more than I can read.",
    "timeout": _UNANSWERED,
    "unreachable": _UNANSWERED,
    "unauthorized": _LOGIN,
    "forbidden": _LOGIN,
    "not_found": (
        "The link no longer exists: usually its secret address was reset in Google Calendar, "
        "or the calendar was unpublished in Outlook."
    ),
    "server_error": _ERRORS,
    "http_error": _ERRORS,
    "not_a_calendar": "The link now gives a web page instead of a calendar file.",
    "titles_hidden": (
        "It is now published without meeting titles (in Outlook, “Can view titles and "
        "locations” keeps them)."
    ),
    "no_meetings": f"I found no meetings in it for the next {HORIZON_DAYS} days.",
    # The app's SECRET_KEY lost the key that sealed her link: only a fresh link helps.
    "not_connected": "I can no longer open the link you gave me (my keys were changed).",
}
FIX_UNKNOWN = "Something about the link has changed."

GOOGLE = (
    "*Google Calendar* (on the web): Settings → under “Settings for my calendars” pick "
    "your calendar → *Integrate calendar* → copy *Secret address in iCal format*."
)
OUTLOOK = (
    "*Outlook*: Settings → Calendar → Shared calendars → *Publish a calendar*: pick your "
    "calendar and *Can view titles and locations* (or *Can view all details*), *Publish*, "
    "then copy the *ICS* link. “Can view when I'm busy” (availability only) hides the "
    "titles, so you couldn't pick your meetings."
)


def problem_text(why: str) -> str:
    return PROBLEMS.get(why, SOMETHING_ELSE)


def build_calendar_unavailable() -> dict:
    """/voice calendar where no SECRET_KEY is set: the links could not be kept safe."""
    return {"text": UNAVAILABLE, "blocks": [SectionBlock(text=UNAVAILABLE).to_dict()]}


def build_calendar_link_modal(why: str | None = None, *, connected: bool = False) -> dict:
    """Where to find the link, and the field to paste it; with ``why``, what went wrong
    with the last one (the field starts empty: the link is never shown back)."""
    days = HORIZON_DAYS
    if connected:
        intro = f"Paste the new link and I'll show your meetings of the next {days} days from it."
    else:
        intro = (
            f"Paste your calendar's private link and I'll show your meetings of the next "
            f"{days} days. Tick the ones to practise in: their check-ins then follow your "
            "calendar when a meeting moves or is cancelled."
        )
    blocks: list[Block] = [SectionBlock(text=intro), SectionBlock(text=GOOGLE)]
    blocks.append(SectionBlock(text=OUTLOOK))
    if why is not None:
        blocks.append(
            SectionBlock(block_id="calendar_problem", text=f":warning: {problem_text(why)}")
        )
    blocks.append(
        InputBlock(
            block_id=ids.CALENDAR_URL,
            label="Your calendar's link (ICS)",
            hint="It works like a password: I keep it encrypted and never show it again. "
            "/voice calendar disconnect deletes it.",
            element=PlainTextInputElement(
                action_id=ids.CALENDAR_URL,
                max_length=MAX_CALENDAR_URL,
                placeholder="https://…",
            ),
        )
    )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Meetings you added with `/voice meetings` keep their check-ins."
                )
            ]
        )
    )
    view = View(
        type="modal",
        callback_id=ids.CALENDAR_LINK_VIEW,
        title=TITLE,
        submit="Next",
        close="Cancel",
        private_metadata=CONNECTED if connected else None,
        blocks=blocks,
    )
    return view.to_dict()


def build_calendar_loading() -> dict:
    """While her calendar is fetched (it can take seconds); then the list replaces it."""
    blocks = [
        SectionBlock(
            text=":hourglass_flowing_sand: *Fetching your calendar…*\n"
            "This can take a few seconds. Your meetings will appear right here."
        )
    ]
    view = View(
        type="modal",
        callback_id=ids.CALENDAR_LOADING_VIEW,
        title=TITLE,
        close="Close",
        blocks=blocks,
    )
    return view.to_dict()


def _cut(text: str, limit: int = OPTION_TEXT) -> str:
    """Plain text within ``limit`` characters, "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _option(series: Series) -> Option:
    """ "Weekly team sync · Mon 09:00 · 30 min"; when that's too long for an option, the
    title (cut) above and the days, time and length below it."""
    value = series_value(series.key)
    line = series.line.strip() or "(No title)"
    title, when = series.title.strip(), ""
    if series.line.startswith(f"{series.title} · "):
        when = series.line[len(series.title) + 3 :].strip()
    if len(line) <= OPTION_TEXT or not title or not when:
        return Option(value=value, text=_cut(line))
    return Option(value=value, text=_cut(title), description=_cut(when))


def _layout(choice: CalendarChoice) -> tuple[list[Series], int, list[str], dict[str, str]]:
    """What the list shows (soonest first, ticked ones sure to be in), how many it
    leaves out, the ticked ones among those (saving must not untick them), and the
    digests of long keys."""
    ticked = [s for s in choice.series if s.key in choice.chosen]
    rest = [s for s in choice.series if s.key not in choice.chosen]
    shown = {s.key for s in (ticked + rest)[:MAX_SHOWN]}
    kept = [s.key for s in ticked if s.key not in shown]
    order = [s for s in choice.series if s.key in shown]

    def digests() -> dict[str, str]:
        return {series_value(s.key): s.key for s in order if series_value(s.key) != s.key}

    # private_metadata holds 3000 characters. Over that (only with many keys longer than
    # 150 characters), leave out unticked series with long keys first, then ticked ones
    # carried, then ticked ones with long keys: those few would be unticked on saving.
    while len(pick_metadata(digests(), kept)) > MAX_METADATA:
        long = [s for s in order if series_value(s.key) != s.key]
        unticked = [s for s in long if s.key not in choice.chosen]
        if unticked:
            order.remove(unticked[-1])
        elif kept:
            kept.pop()
        else:
            order.remove(long[-1])
    hidden = len(choice.series) - len(order)
    return order, hidden, kept, digests()


def build_calendar_pick_modal(choice: CalendarChoice) -> dict:
    """Her meetings of the next days, one checkbox per series or one-off, ticked as chosen."""
    shown, hidden, kept, digests = _layout(choice)
    days = HORIZON_DAYS
    blocks: list[Block] = []
    if not choice.series:
        blocks.append(
            SectionBlock(
                text=f"*No meetings in the next {days} days* in your calendar at "
                f"{escape(choice.host, limit=200)}. When some appear, `/voice calendar` "
                "shows them here."
            )
        )
    else:
        blocks.append(
            SectionBlock(
                text=f"*Your meetings in the next {days} days* "
                f"({escape(choice.host, limit=200)}). Tick the ones to practise in: I'll "
                "check in before and after each, and follow your calendar when one moves "
                "or is cancelled."
            )
        )
    for n in range(0, len(shown), PER_BLOCK):
        chunk = shown[n : n + PER_BLOCK]
        options = [_option(s) for s in chunk]
        ticked = [o for o, s in zip(options, chunk, strict=True) if s.key in choice.chosen]
        block_id = f"{ids.CALENDAR_SERIES}_{n // PER_BLOCK}"
        blocks.append(
            InputBlock(
                block_id=block_id,
                label="Meetings to practise in" if n == 0 else "More meetings",
                optional=True,
                element=CheckboxesElement(
                    action_id=block_id, options=options, initial_options=ticked or None
                ),
            )
        )
    notes = []
    if hidden:
        notes.append(
            f"…and {hidden} more that don't fit in this list. To practise in one of "
            "those, add it with `/voice meetings`."
        )
    if kept:
        notes.append(f"The {len(kept)} ticked among them stay ticked.")
    notes.append("Times are in your time zone. `/voice calendar disconnect` removes the link.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    blocks.append(
        ActionsBlock(
            block_id="calendar_actions",
            elements=[ButtonElement(text="Use another link", action_id=ids.CALENDAR_OTHER_LINK)],
        )
    )
    view = View(
        type="modal",
        callback_id=ids.CALENDAR_PICK_VIEW,
        title=TITLE,
        submit="Save" if shown else None,
        close="Cancel" if shown else "Close",
        private_metadata=pick_metadata(digests, kept) or None,
        blocks=blocks,
    )
    return view.to_dict()


def build_calendar_chosen(titles: list[str]) -> dict:
    """The DM after she saved her ticks: what she'll practise in, or that nothing is."""
    if not titles:
        line = (
            ":calendar: Your calendar is connected, with nothing ticked, so no check-ins "
            "for calendar meetings. `/voice calendar` whenever you'd like to pick some."
        )
        return {
            "text": "Calendar connected, nothing ticked",
            "blocks": [SectionBlock(text=line).to_dict()],
        }
    lines = [f"• {escape(t, limit=100)}" for t in titles[:MAX_TITLES_LISTED]]
    if len(titles) > MAX_TITLES_LISTED:
        lines.append(f"…and {len(titles) - MAX_TITLES_LISTED} more")
    blocks = [
        SectionBlock(
            text=":calendar: *Your calendar is connected.* I'll check in before and after:"
        ),
        SectionBlock(text="\n".join(lines)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="When one of them moves or is cancelled in your calendar, its "
                    "check-ins follow. `/voice calendar` changes what you picked; "
                    "`/voice calendar disconnect` removes the link."
                )
            ]
        ),
    ]
    count = len(titles)
    return {
        "text": f"Calendar connected: {count} {'meeting' if count == 1 else 'meetings'} "
        "to practise in",
        "blocks": [b.to_dict() for b in blocks],
    }


def build_calendar_failing(notice: FailingNotice) -> dict:
    """The one DM after a day of failed syncs: what usually happened, and the fix."""
    host = escape(notice.host, limit=200)
    text = (
        f":calendar: I haven't been able to read your calendar at *{host}* for a day. "
        f"{FIXES.get(notice.why, FIX_UNKNOWN)}"
    )
    blocks = [
        SectionBlock(text=text),
        SectionBlock(
            text="Whenever it suits you, `/voice calendar` takes a fresh link. Meetings you "
            "added with `/voice meetings` carry on as usual. I won't mention this again."
        ),
    ]
    return {
        "text": "I couldn't read your calendar for a day",
        "blocks": [b.to_dict() for b in blocks],
    }
