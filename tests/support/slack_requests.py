"""Moved to bot/playground/fakeslack/slack_requests.py (the playground sends its requests
with it too); kept so that imports from here go on working."""

from bot.playground.fakeslack.slack_requests import *  # noqa: F403
from bot.playground.fakeslack.slack_requests import _json_object, _option  # noqa: F401
