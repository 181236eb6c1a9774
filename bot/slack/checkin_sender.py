"""Delivers check-ins for the dispatcher: renders them and sends the DM."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.dispatch import (
    CheckinMessage,
    RateLimited,
    RecipientGone,
    WorkspaceUnreachable,
)
from bot.slack.blocks.buddy import build_buddy_nudge
from bot.slack.blocks.checkins import build_post_checkin, build_pre_checkin, build_reminder
from bot.slack.blocks.stories import build_with_story
from bot.slack.refusals import refusal_of
from bot.slack.sharing import best_effort_dm
from bot.slack.surfaces import STALE_DM, forget_dm, send_dm, with_token
from bot.slack.transport import retry_after_of

log = logging.getLogger(__name__)

# Slack's answers that mean this person can't get a DM from us any more.
GONE = {"account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot"}
# A DM channel we remembered that no longer works: open it afresh.
# Slack's answers that mean the workspace's token no longer works (many workspaces).
TOKEN_REFUSED = {"invalid_auth", "not_authed", "token_revoked", "token_expired"}

BUILDERS = {"pre": build_pre_checkin, "post": build_post_checkin, "reminder": build_reminder}

# (team_id, enterprise_id) -> that workspace's bot token, None if it has none (now).
TokenLookup = Callable[[str, str | None], str | None]
# (team_id, Slack's error): the workspace's token was refused (revoked, expired...).
TokenRefused = Callable[[str, str], None]


class SlackCheckinSender:
    """``client`` must not retry 429s itself: the dispatcher shares the wait with
    every process instead of sleeping in one thread.

    ``token_for``: with many workspaces, the one client makes every call with the
    token of the check-in's workspace; without it, with the client's own token.
    ``token_refused`` hears when Slack refuses that token, so that a revoked one
    pauses its workspace and an expired one is refreshed (bot.slack.tokens).
    A coping story the dispatcher claimed goes beside the pre-meeting check-in (why
    there: bot.services.stories).
    """

    def __init__(
        self,
        client: WebClient,
        token_for: TokenLookup | None = None,
        token_refused: TokenRefused | None = None,
    ):
        self._client = client
        self._token_for = token_for
        self._token_refused = token_refused

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        token = None
        if self._token_for is not None:
            token = self._token_for(message.team_id, message.enterprise_id)
            if token is None:  # uninstalled, revoked, or not installed yet
                raise WorkspaceUnreachable("no bot token")
        content = BUILDERS[message.kind](message)
        if message.story is not None:
            content = build_with_story(content, message.story)
        try:
            sent = self._post(message, content, token)
        except SlackApiError as e:
            if e.response.status_code == 429:
                raise RateLimited(retry_after_of(e.response.headers)) from None
            error = e.response.get("error", "")
            if error in GONE:
                raise RecipientGone(error) from None
            if self._token_for is not None and error in TOKEN_REFUSED:
                if self._token_refused is not None:
                    self._token_refused(message.team_id, error)
                raise WorkspaceUnreachable(error) from None
            refused = refusal_of(e)
            if refused is not None:  # a bug in the message: another try would get the same
                raise refused from None
            raise
        if message.buddy is not None:
            # Her buddy may send a word (never told the meeting's name or her answers).
            nudge = build_buddy_nudge(message.buddy, f"{message.start_local:%H:%M}")
            best_effort_dm(self._client, message.buddy.buddy_user_id, nudge, token=token)
        return sent

    def _post(self, message: CheckinMessage, content: dict, token: str | None) -> tuple[str, str]:
        if message.channel:  # one call instead of two (conversations.open is Tier 3)
            try:
                reply = self._client.chat_postMessage(
                    channel=message.channel, **content, **with_token(token)
                )
                return reply["channel"], reply["ts"]
            except SlackApiError as e:
                if e.response.get("error") not in STALE_DM:
                    raise
                forget_dm(self._client, message.user_id, token=token)
        return send_dm(self._client, message.user_id, content, token=token)
