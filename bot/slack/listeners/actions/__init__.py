from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack import ids
from bot.slack.listeners.actions import challenge, get_started, home_buttons, offer, send_chart


def register(app: App, services: Services) -> None:
    app.action(ids.GET_STARTED)(get_started.make_handler(services))
    for action_id in (ids.CHALLENGE_SWAP, ids.CHALLENGE_EASIER, ids.CHALLENGE_HARDER):
        app.action(action_id)(challenge.make_handler(services))
    for action_id in (ids.OFFER_ACCEPT, ids.OFFER_STAY):
        app.action(action_id)(offer.make_handler(services))
    for action_id in (ids.OPEN_LOG, ids.OPEN_SETTINGS):
        app.action(action_id)(home_buttons.make_handler(services))
    app.action(ids.SEND_CHART)(send_chart.make_handler(services))
