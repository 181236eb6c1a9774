"""The workspace removed the app: stop everything pending there."""

from __future__ import annotations

from bot.services import Services


def make_handler(services: Services):
    def app_uninstalled(context) -> None:
        services.workspaces.uninstalled(team_id=context.team_id)

    return app_uninstalled
