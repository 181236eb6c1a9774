from __future__ import annotations

from slack_bolt import App

from bot.services import Services


def register(app: App, services: Services) -> None:
    """No modals yet: onboarding, meetings and logging add theirs here."""
