"""Slack revoked our bot token: as good as uninstalled until it is reinstalled."""

from __future__ import annotations

from bot.services import Services


def make_handler(services: Services):
    def tokens_revoked(event: dict, context) -> None:
        if event.get("tokens", {}).get("bot"):
            services.workspaces.uninstalled(team_id=context.team_id)

    return tokens_revoked
