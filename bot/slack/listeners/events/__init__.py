from __future__ import annotations

import inspect
import logging

from slack_bolt import App, Args

from bot.services import Services
from bot.slack.listeners.events import app_home_opened, app_uninstalled, tokens_revoked

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    for name, module in (
        ("app_home_opened", app_home_opened),
        ("app_uninstalled", app_uninstalled),
        ("tokens_revoked", tokens_revoked),
    ):
        app.event(name)(once_per_delivery(services, module.make_handler(services)))


def once_per_delivery(services: Services, handler):
    """Slack delivers an event again when it thinks we missed it: each event_id is handled
    once. Checked here, after Bolt has acknowledged the event, so the check's write never
    holds up the answer Slack waits for."""
    wanted = list(inspect.signature(handler).parameters)

    def listener(args: Args) -> None:
        body, context = args.body, args.context
        event_id = body.get("event_id")
        team_id = context.team_id or body.get("team_id") or ""
        if event_id and not services.workspaces.first_delivery(
            team_id=team_id, request_key=f"event:{event_id}"
        ):
            log.info("skipping a repeated delivery of event %s", event_id)
            return
        handler(**{name: getattr(args, name) for name in wanted})

    return listener
