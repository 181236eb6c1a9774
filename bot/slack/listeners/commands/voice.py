"""``/voice [subcommand] [arguments]``: routes to the subcommand, answers ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.domain.pause import DurationError, describe_until
from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack import subcommands
from bot.slack.blocks.challenge import build_challenge_message
from bot.slack.blocks.help import (
    build_help,
    build_not_ready,
    build_unexpected_arguments,
    build_unknown_subcommand,
)
from bot.slack.blocks.meetings import build_meetings_message
from bot.slack.blocks.progress import build_not_started, build_progress_message
from bot.slack.listeners import modals

Handler = Callable[..., None]


def make_handler(services: Services) -> Handler:
    routes: dict[str, Handler] = {
        "help": _help,
        "start": _start,
        "challenge": _challenge,
        "log": _log,
        "progress": _progress,
        "settings": _settings,
        "meetings": _meetings,
        "pause": _pause,
        "resume": _resume,
    }

    def voice(ack: Ack, command: dict, context, client: WebClient, respond: Respond) -> None:
        name, args = subcommands.parse(command.get("text", ""))
        route = routes.get(name)
        if route is not None and args and name in subcommands.WITHOUT_ARGUMENTS:
            ack(**build_unexpected_arguments(name, args))
            return
        if route is None:
            if name in subcommands.NAMES:
                ack(**build_not_ready(name))
            else:
                ack(**build_unknown_subcommand(name, subcommands.closest(name)))
            return
        where = dict(team_id=context.team_id, user_id=command["user_id"])
        try:
            route(
                ack=ack, command=command, where=where, services=services, client=client, args=args
            )
        except NotStarted:
            # Raised before ack() in the replying routes, after it in the modal ones.
            if not ack.response:
                ack(**build_not_started())
            else:
                respond(response_type="ephemeral", **build_not_started())

    return voice


def _help(ack: Ack, **_) -> None:
    ack(**build_help())


def _start(
    ack: Ack, command: dict, where: dict, services: Services, client: WebClient, **_
) -> None:
    ack()
    modals.open_onboarding(client, services, trigger_id=command["trigger_id"], **where)


def _challenge(ack: Ack, where: dict, services: Services, **_) -> None:
    ack(**build_challenge_message(services.coaching.today(**where)))


def _log(ack: Ack, command: dict, where: dict, services: Services, client: WebClient, **_) -> None:
    ack()
    modals.open_log(client, services, trigger_id=command["trigger_id"], **where)


def _progress(ack: Ack, where: dict, services: Services, **_) -> None:
    progress = services.progress.progress(**where)
    ack(**(build_progress_message(progress) if progress else build_not_started()))


def _settings(
    ack: Ack, command: dict, where: dict, services: Services, client: WebClient, **_
) -> None:
    ack()
    modals.open_settings(client, services, trigger_id=command["trigger_id"], **where)


def _meetings(ack: Ack, where: dict, services: Services, **_) -> None:
    ack(**build_meetings_message(services.meetings.list(**where)))


def _pause(ack: Ack, where: dict, services: Services, args: str, **_) -> None:
    try:
        until, tz = services.pauses.pause(**where, duration=args)
    except DurationError as e:
        ack(text=str(e))
        return
    ack(
        text=f"Paused {describe_until(until, ZoneInfo(tz))}. No check-ins or nudges meanwhile. "
        "Rest is part of it. `/voice resume` whenever you're ready."
    )


def _resume(ack: Ack, where: dict, services: Services, **_) -> None:
    if services.pauses.resume(**where):
        ack(text="Welcome back. Check-ins for your practice meetings are on again.")
    else:
        ack(
            text="You're not paused, so there's nothing to resume. `/voice pause 2w` takes a break."
        )
