"""``/voice [subcommand] [arguments]``: routes to the subcommand, answers ephemerally."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack

from bot.services import Services
from bot.slack import subcommands
from bot.slack.blocks.help import build_help, build_not_ready, build_unknown_subcommand

Handler = Callable[..., None]


def make_handler(services: Services) -> Handler:
    routes: dict[str, Handler] = {
        "help": _help,
    }

    def voice(ack: Ack, command: dict, **kwargs) -> None:
        name, args = subcommands.parse(command.get("text", ""))
        route = routes.get(name)
        if route is not None:
            route(ack=ack, command=command, args=args, services=services, **kwargs)
        elif name in subcommands.NAMES:
            ack(**build_not_ready(name))
        else:
            ack(**build_unknown_subcommand(name, subcommands.closest(name)))

    return voice


def _help(ack: Ack, **_) -> None:
    ack(**build_help())
