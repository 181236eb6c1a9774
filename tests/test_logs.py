"""Secrets never reach a log line, not even inside a traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_secrets_are_redacted_in_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    configure_logging("DEBUG", ["xoxb-secret-token", "signing-secret-1"], stream=stream)
    log = logging.getLogger("bot.test")
    log.info("token is %s", "xoxb-secret-token")
    try:
        raise RuntimeError("failed with signing-secret-1")
    except RuntimeError:
        log.exception("oops")
    output = stream.getvalue()
    assert "xoxb-secret-token" not in output and "signing-secret-1" not in output
    assert output.count("***") == 3  # the message, and the traceback's source and last line
    assert "RuntimeError" in output
