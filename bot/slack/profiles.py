"""Her work email, from her Slack profile: the calendar sync uses it to leave out the
meetings she declined (bot.services.calendars).

``users.info`` shows the email only with the ``users:read.email`` scope; without it, or
on any error, the answer is None and her calendar is read without that filter. Answers
are kept per process for an hour (``users.info`` is Tier 4, and a sync asks every 20
minutes per calendar).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600.0
_MAX_KEPT = 50_000


class ProfileEmails:
    """``email_of(team_id, user_id)``: her profile's email or None, cached for an hour."""

    def __init__(
        self,
        client: WebClient,
        *,
        keep_seconds: float = KEEP_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        token_for: Callable[[str], str | None] | None = None,
    ) -> None:
        """``token_for(team_id)``: with many workspaces, her workspace's bot token."""
        self._client = client
        self._token_for = token_for
        self._keep = keep_seconds
        self._monotonic = monotonic
        self._known: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def email_of(self, team_id: str, user_id: str) -> str | None:
        now = self._monotonic()
        with self._lock:
            kept = self._known.get((team_id, user_id))
        if kept is not None and now - kept[0] < self._keep:
            return kept[1]
        email = self._ask(team_id, user_id)
        with self._lock:
            if len(self._known) >= _MAX_KEPT:
                self._known.clear()
            self._known[(team_id, user_id)] = (now, email)
        return email

    __call__ = email_of

    def _ask(self, team_id: str, user_id: str) -> str | None:
        token = {}
        if self._token_for is not None:
            token = {"token": self._token_for(team_id)}
            if token["token"] is None:
                return None
        try:
            profile = self._client.users_info(user=user_id, **token)["user"].get("profile") or {}
        except SlackApiError as e:
            log.info("users.info for %s failed: %s", user_id, e.response.get("error"))
            return None
        except Exception as e:  # the network, a malformed answer: read without the filter
            log.info("users.info for %s failed: %s", user_id, type(e).__name__)
            return None
        email = profile.get("email")
        return email.strip() if isinstance(email, str) and email.strip() else None
