"""Logging set-up: one format, and secrets never reach a log line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces every known secret in a record's rendered message with ***."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        # Longest first, so a secret that contains another is wiped whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text = record.exc_text or ""
        for secret in self._secrets:
            message = message.replace(secret, "***")
            text = text.replace(secret, "***")
        record.msg, record.args = message, None
        record.exc_text = text or None
        return True


def configure_logging(level: str, secrets: Iterable[str], stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_payload_loggers()
    # Alembic narrates every plugin it loads; our own line says what changed.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))


def quiet_payload_loggers() -> None:
    """slack_sdk logs whole request and response bodies at DEBUG: what she wrote, her
    scores. Those loggers never go below INFO, whatever LOG_LEVEL says."""
    for name in ("slack_sdk", "slack_bolt"):
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
