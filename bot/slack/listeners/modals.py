"""Opening the app's modals; shared by slash commands and buttons."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services import Services
from bot.slack.blocks.log import build_log_modal
from bot.slack.blocks.onboarding import build_onboarding_modal
from bot.slack.blocks.settings import build_settings_modal


def open_onboarding(
    client: WebClient, services: Services, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    answers = services.coaching.answers(team_id=team_id, user_id=user_id)
    client.views_open(trigger_id=trigger_id, view=build_onboarding_modal(answers))


def open_log(
    client: WebClient, services: Services, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    card = services.coaching.today(team_id=team_id, user_id=user_id)
    client.views_open(trigger_id=trigger_id, view=build_log_modal(services.coaching.ladder, card))


def open_settings(
    client: WebClient, services: Services, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    preferences = services.preferences.get(team_id=team_id, user_id=user_id)
    client.views_open(trigger_id=trigger_id, view=build_settings_modal(preferences))
