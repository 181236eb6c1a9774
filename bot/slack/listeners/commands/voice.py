"""``/voice [subcommand] [arguments]``: routes to the subcommand, answers ephemerally.

Replies that need nothing (help, the forget-me question, an unknown subcommand) are the
acknowledgement itself (``answer``). The others are acknowledged empty before any
database read or Slack call, and their subcommand runs as Bolt's lazy listener
(``make_handler``): in a listener process of the worker (``bot.slack.handover``), its
reply through the command's response_url.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.pause import DurationError, describe_until
from bot.services import Services
from bot.services.buddies import BuddyError, parse_mention
from bot.services.calendars import CalendarUnavailable
from bot.services.coaching import NotStarted
from bot.slack import subcommands
from bot.slack.blocks import calendar as calendar_blocks
from bot.slack.blocks.buddy import build_for_buddy_removed, build_for_coachee, build_invitation
from bot.slack.blocks.challenge import build_challenge_message
from bot.slack.blocks.help import (
    build_help,
    build_unexpected_arguments,
    build_unknown_subcommand,
)
from bot.slack.blocks.meetings import build_meetings_message
from bot.slack.blocks.privacy import EXPORT_FILENAME, EXPORTING, build_forget_question
from bot.slack.blocks.progress import build_not_started, build_progress_message
from bot.slack.handover import answers_only
from bot.slack.ids import COMMAND
from bot.slack.listeners import calendar, modals
from bot.slack.refusals import refusal_of
from bot.slack.sharing import best_effort_dm
from bot.slack.surfaces import open_dm, send_dm

Handler = Callable[..., None]
Reply = Callable[..., None]  # respond(), ephemeral
log = logging.getLogger(__name__)


# Replies that need neither the database nor Slack: the acknowledgement carries them.
INSTANT: dict[str, Callable[[], dict]] = {
    "help": build_help,
    "forget-me": build_forget_question,
}


def register(app: App, services: Services) -> None:
    app.command(COMMAND, matchers=[needs_data])(ack=_ack, lazy=[make_handler(services)])
    app.command(COMMAND)(answer)


def needs_data(command: dict) -> bool:
    """Whether the reply to this /voice needs her data or Slack (else: ``answer``)."""
    name, args = subcommands.parse(command.get("text", ""))
    return name in ROUTES and not (args and name in subcommands.WITHOUT_ARGUMENTS)


@answers_only
def answer(ack: Ack, command: dict) -> None:
    """Help, the forget-me question, or what was wrong with the command: in the ack."""
    name, args = subcommands.parse(command.get("text", ""))
    if name not in ROUTES and name not in INSTANT:
        ack(**build_unknown_subcommand(name, subcommands.closest(name)))
    elif args and name in subcommands.WITHOUT_ARGUMENTS:
        ack(**build_unexpected_arguments(name, args))
    else:
        ack(**INSTANT[name]())


@answers_only
def _ack(ack: Ack) -> None:
    ack()


def make_handler(services: Services) -> Handler:
    def voice(command: dict, context, client: WebClient, respond: Respond) -> None:
        name, args = subcommands.parse(command.get("text", ""))

        def reply(**message) -> None:
            sent = respond(response_type="ephemeral", **message)
            if sent.status_code != 200:
                log.warning("the reply to /voice %s was refused: HTTP %s", name, sent.status_code)

        where = dict(team_id=context.team_id, user_id=command["user_id"])
        try:
            ROUTES[name](
                reply=reply,
                command=command,
                where=where,
                services=services,
                client=client,
                args=args,
            )
        except NotStarted:
            reply(**build_not_started())

    return voice


def _start(command: dict, where: dict, services: Services, client: WebClient, **_) -> None:
    modals.open_onboarding(client, services, trigger_id=command["trigger_id"], **where)


def _challenge(reply: Reply, where: dict, services: Services, **_) -> None:
    reply(**build_challenge_message(services.coaching.today(**where)))


def _log(command: dict, where: dict, services: Services, client: WebClient, **_) -> None:
    modals.open_log(client, services, trigger_id=command["trigger_id"], **where)


def _progress(reply: Reply, where: dict, services: Services, **_) -> None:
    progress = services.progress.progress(**where)
    reply(**(build_progress_message(progress) if progress else build_not_started()))


def _settings(command: dict, where: dict, services: Services, client: WebClient, **_) -> None:
    modals.open_settings(client, services, trigger_id=command["trigger_id"], **where)


def _meetings(reply: Reply, where: dict, services: Services, **_) -> None:
    reply(**build_meetings_message(services.meetings.list(**where)))


def _calendar(
    reply: Reply, command: dict, where: dict, services: Services, client: WebClient, args: str, **_
) -> None:
    word = args.lower()
    if word == "disconnect":
        try:
            gone = services.calendars.disconnect(**where)
        except CalendarUnavailable:
            reply(**calendar_blocks.build_calendar_unavailable())
            return
        reply(text=calendar_blocks.DISCONNECTED if gone else calendar_blocks.NOT_CONNECTED)
        return
    if word:  # never echoed: she may have pasted her link here
        reply(text=calendar_blocks.USAGE)
        return
    if not services.calendars.available:
        reply(**calendar_blocks.build_calendar_unavailable())
        return
    services.meetings.default_tz(**where)  # she must have started
    calendar.open_calendar(client, services, trigger_id=command["trigger_id"], **where)


def _pause(reply: Reply, where: dict, services: Services, args: str, **_) -> None:
    try:
        until, tz = services.pauses.pause(**where, duration=args)
    except DurationError as e:
        reply(text=str(e))
        return
    reply(
        text=f"Paused {describe_until(until, ZoneInfo(tz))}. No check-ins or nudges meanwhile. "
        "Rest is part of it. `/voice resume` whenever you're ready."
    )


def _resume(reply: Reply, where: dict, services: Services, **_) -> None:
    if services.pauses.resume(**where):
        reply(text="Welcome back. Check-ins for your practice meetings are on again.")
    else:
        reply(
            text="You're not paused, so there's nothing to resume. `/voice pause 2w` takes a break."
        )


BUDDY_USAGE = "Try `/voice buddy @someone` to invite a buddy, or `/voice buddy remove`."


def _buddy(
    reply: Reply, where: dict, services: Services, client: WebClient, args: str, **_
) -> None:
    if args.lower() == "remove":
        try:
            buddy = services.buddies.remove(**where)
        except BuddyError:
            reply(text=f"You don't have a buddy at the moment. {BUDDY_USAGE}")
            return
        reply(**build_for_coachee(buddy, "removed"))
        best_effort_dm(client, buddy.buddy_user_id, build_for_buddy_removed(buddy))
        return
    buddy_user_id = parse_mention(args)
    if buddy_user_id is None:
        reply(text=f"I need a person to invite. {BUDDY_USAGE}")
        return
    try:
        buddy = services.buddies.invite(**where, buddy_user_id=buddy_user_id)
    except BuddyError:
        reply(text=f"You can't be your own buddy, though I like the spirit. {BUDDY_USAGE}")
        return
    try:
        send_dm(client, buddy_user_id, build_invitation(buddy))
    except SlackApiError as e:
        services.buddies.remove(**where)
        if refusal_of(e) is not None:  # our bug, not her buddy's account: apologise
            raise
        log.info("buddy invitation not delivered: %s", e.response.get("error"))
        reply(
            text=f"I couldn't send <@{buddy_user_id}> a message on Slack (a guest or a "
            "deactivated account, perhaps). Try someone else with `/voice buddy @someone`."
        )
        return
    reply(**build_for_coachee(buddy, "invited"))


def _export(reply: Reply, where: dict, services: Services, client: WebClient, **_) -> None:
    reply(text=EXPORTING)
    client.files_upload_v2(
        channel=open_dm(client, where["user_id"]),
        content=services.privacy.export(**where),
        filename=EXPORT_FILENAME,
        title="Your Voice Coach data",
        initial_comment="Everything Voice Coach stores about you. It's yours.",
    )


ROUTES: dict[str, Handler] = {
    "start": _start,
    "challenge": _challenge,
    "log": _log,
    "progress": _progress,
    "settings": _settings,
    "meetings": _meetings,
    "calendar": _calendar,
    "pause": _pause,
    "resume": _resume,
    "buddy": _buddy,
    "export": _export,
}
