"""Moved to bot/playground/fakeslack/blockkit.py (the playground uses it too); kept so that
imports from here go on working."""

from bot.playground.fakeslack.blockkit import *  # noqa: F403
from bot.playground.fakeslack.blockkit import _Walk  # noqa: F401
