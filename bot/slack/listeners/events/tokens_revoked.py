"""Slack revoked our bot token: as good as uninstalled until it is reinstalled."""

from __future__ import annotations

from bot.services import Services
from bot.slack.listeners.events.app_uninstalled import installation_key


def make_handler(services: Services):
    def tokens_revoked(event: dict, context) -> None:
        if event.get("tokens", {}).get("bot"):
            key = installation_key(services, context)
            if key:
                services.workspaces.uninstalled(team_id=key)

    return tokens_revoked
