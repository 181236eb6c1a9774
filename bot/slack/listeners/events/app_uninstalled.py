"""The workspace (or org) removed the app: stop everything pending there."""

from __future__ import annotations

from bot.services import Services


def make_handler(services: Services):
    def app_uninstalled(context) -> None:
        key = installation_key(services, context)
        if key:
            services.workspaces.uninstalled(team_id=key)

    return app_uninstalled


def installation_key(services: Services, context) -> str | None:
    """Which installation an uninstall or revocation event means. Bolt's own revocation
    listeners get an org-wide install's uninstall wrong when the event has no
    ``authorizations``; WorkspaceService.key_of does not."""
    return services.workspaces.key_of(
        team_id=context.team_id,
        enterprise_id=context.enterprise_id,
        is_enterprise_install=bool(context.is_enterprise_install),
    )
