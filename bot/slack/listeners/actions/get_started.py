"""The Home tab's "Get started" button."""

from __future__ import annotations

import logging

from slack_bolt import Ack

from bot.services import Services

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def get_started(ack: Ack, body: dict) -> None:
        ack()
        log.info("get started pressed by %s", body.get("user", {}).get("id"))

    return get_started
