"""Posting wins: her DMs about them, the channel post (only with consent), cheers back."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.services.celebrations import CelebrationView
from bot.slack.blocks.buddy import build_buddy_win
from bot.slack.blocks.celebrations import (
    build_celebration_dm,
    build_channel_post,
    build_cheers_dm,
    build_roundup,
    build_share_failed,
    build_shared,
)
from bot.slack.refusals import log_failure
from bot.slack.surfaces import send_dm, with_token

log = logging.getLogger(__name__)

CHANNEL_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "not_a_member"}
# A workspace's bot token by its team id (many workspaces); None: it has none now.
TokenFor = Callable[[str], str | None]


def announce(client: WebClient, services: Services, views: list[CelebrationView]) -> None:
    """DM her about each new win or milestone (with a share question if she opted in),
    and tell her buddy about the win: the headline only, nothing private."""
    for view in views:
        message = build_celebration_dm(view)
        if message is not None:
            send_dm(client, view.user_id, message)
        if view.kind == "win":
            buddy = services.buddies.active_buddy(team_id=view.team_id, user_id=view.user_id)
            if buddy is not None:
                best_effort_dm(client, buddy.buddy_user_id, build_buddy_win(buddy, view.headline))


def best_effort_dm(
    client: WebClient, user_id: str, message: dict, *, token: str | None = None
) -> None:
    try:
        send_dm(client, user_id, message, token=token)
    except SlackApiError as e:  # what she did is recorded whatever happens to this DM
        log_failure(log, f"DM to {user_id} failed", e)


def _is_member(client: WebClient, channel_id: str, user_id: str) -> bool:
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, cursor=cursor, limit=1000)
        if user_id in page.get("members", []):
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return False


def channel_problem(client: WebClient, channel_id: str, user_id: str) -> str | None:
    """Why a channel can't take her wins (as a field error), or None if it can."""
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
        if info.get("is_archived"):
            return "That channel is archived. Pick another one."
        if not _is_member(client, channel_id, user_id):
            return "Pick a channel you're a member of."
    except SlackApiError as e:
        if e.response.get("error") in ("channel_not_found", "not_in_channel"):
            return "I can't see that channel yet: invite me there first (/invite @Voice Coach)."
        raise
    return None


def post_win(client: WebClient, services: Services, view: CelebrationView) -> dict:
    """Post to her channel after checking she (and the bot) are in it; returns her DM reply."""
    channel = view.channel_id
    try:
        if not _is_member(client, channel, view.user_id):
            raise SlackApiError("not a member", {"ok": False, "error": "not_a_member"})
        reply = client.chat_postMessage(channel=channel, **build_channel_post(view))
    except SlackApiError as e:
        error = e.response.get("error", "")
        # Her channel choice (not a member, archived) is no fault of ours: INFO.
        log_failure(log, f"sharing celebration {view.id} failed", e, otherwise=logging.INFO)
        services.celebrations.share_failed(team_id=view.team_id, celebration_id=view.id)
        return build_share_failed(view, error if error in CHANNEL_ERRORS else "other")
    services.celebrations.shared(
        team_id=view.team_id, celebration_id=view.id, channel_id=channel, ts=reply["ts"]
    )
    return build_shared(view)


def post_roundups(
    client: WebClient, services: Services, *, token_for: TokenFor | None = None
) -> int:
    """This week's shared wins, one post per channel that asked for it. ``token_for``:
    with many workspaces, each post is made with its workspace's token."""
    posted = 0
    for roundup in services.roundups.claim_due():
        token = token_for(roundup.team_id) if token_for is not None else None
        if token_for is not None and token is None:
            log.info("round-up for %s not posted: its workspace has no token", roundup.channel_id)
            continue
        try:
            client.chat_postMessage(
                channel=roundup.channel_id, **build_roundup(roundup.headlines), **with_token(token)
            )
            posted += 1
        except SlackApiError as e:  # the week is claimed: no retry storm in a channel
            log_failure(log, f"round-up for {roundup.channel_id} not posted", e)
    return posted


def deliver_cheers(
    client: WebClient, services: Services, *, token_for: TokenFor | None = None
) -> int:
    """One DM per post with everyone who cheered it, updated in place as more arrive.
    ``token_for``: with many workspaces, each DM goes with its workspace's token."""
    delivered = 0
    for news in services.celebrations.cheers_to_deliver():
        token = token_for(news.team_id) if token_for is not None else None
        if token_for is not None and token is None:
            continue  # uninstalled or revoked: nothing goes there
        message = build_cheers_dm(news)
        if news.dm is not None:
            client.chat_update(channel=news.dm[0], ts=news.dm[1], **message, **with_token(token))
            dm = news.dm
        else:
            dm = send_dm(client, news.user_id, message, token=token)
        services.celebrations.cheers_delivered(celebration_id=news.celebration_id, dm=dm)
        delivered += 1
    return delivered
