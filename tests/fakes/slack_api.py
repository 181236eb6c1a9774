"""Moved to bot/playground/fakeslack/web_api.py (the playground uses it too); kept so that
imports from here go on working."""

from bot.playground.fakeslack.web_api import *  # noqa: F403
from bot.playground.fakeslack.web_api import _Handler, _parse_args, _Reply, _Server  # noqa: F401
