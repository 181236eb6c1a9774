"""Sending to a person: her DM, her Home tab, her time zone. Shared by listeners and jobs."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack.blocks.home import build_home_dashboard, build_home_welcome

log = logging.getLogger(__name__)


# Her DM with the app stays the same: opened once per process, not before every DM
# (conversations.open is a round trip, and Tier 3). Kept by which Slack and which bot
# token, not by client: Bolt gives every request a client of its own, so a cache per
# client opened her DM again on each request.
_DMS: dict[tuple[str, str | None, str], str] = {}
DMS_KEPT = 100_000  # about one per person the process serves; past it, start afresh
# What Slack says when a DM channel we knew is no longer one we can post to.
STALE_DM = {"channel_not_found", "is_archived", "not_in_channel"}


def _dm_key(client: WebClient, user_id: str, token: str | None) -> tuple[str, str | None, str]:
    return (client.base_url, token or client.token, user_id)


def open_dm(client: WebClient, user_id: str, *, token: str | None = None) -> str:
    key = _dm_key(client, user_id, token)
    channel = _DMS.get(key)
    if channel is None:
        channel = client.conversations_open(users=user_id, **with_token(token))["channel"]["id"]
        if len(_DMS) >= DMS_KEPT:
            _DMS.clear()
        _DMS[key] = channel
    return channel


def forget_dm(client: WebClient, user_id: str, *, token: str | None = None) -> None:
    """Slack says her DM is gone: the next DM opens it afresh."""
    _DMS.pop(_dm_key(client, user_id, token), None)


def send_dm(
    client: WebClient, user_id: str, message: dict, *, token: str | None = None
) -> tuple[str, str]:
    """Post to her DM; returns (channel, ts) so the message can be updated in place.
    ``token``: her workspace's bot token, when the client serves several."""
    channel = open_dm(client, user_id, token=token)
    try:
        reply = client.chat_postMessage(channel=channel, **message, **with_token(token))
    except SlackApiError as e:
        if e.response.get("error") not in STALE_DM:
            raise
        forget_dm(client, user_id, token=token)
        channel = open_dm(client, user_id, token=token)
        reply = client.chat_postMessage(channel=channel, **message, **with_token(token))
    return reply["channel"], reply["ts"]


def with_token(token: str | None) -> dict:
    """The call's own token, if given; else the client's."""
    return {"token": token} if token is not None else {}


# The message a click came from can be gone (deleted, too old) or not ours to edit.
UNEDITABLE = {"message_not_found", "cant_update_message", "channel_not_found", "edit_window_closed"}


def update_in_place(client: WebClient, container: dict, message: dict) -> bool:
    """Replace the message a button was clicked in; False if Slack won't let us."""
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts:
        return False
    try:
        client.chat_update(channel=channel, ts=ts, **message)
        return True
    except SlackApiError as e:
        if e.response.get("error") not in UNEDITABLE:
            raise
        log.info("message not updated in place: %s", e.response.get("error"))
        return False


def user_tz(client: WebClient, user_id: str) -> str:
    """Her Slack profile's IANA time zone; UTC if Slack can't tell us."""
    try:
        return client.users_info(user=user_id)["user"].get("tz") or "UTC"
    except SlackApiError as e:
        log.warning("users.info failed for %s: %s", user_id, e.response.get("error"))
        return "UTC"


def publish_home(client: WebClient, services: Services, *, team_id: str, user_id: str) -> None:
    progress = services.progress.progress(team_id=team_id, user_id=user_id)
    if progress is None:
        view = build_home_welcome()
    else:  # one read: her progress carries today's challenge
        view = build_home_dashboard(progress, progress.card)
    client.views_publish(user_id=user_id, view=view)
