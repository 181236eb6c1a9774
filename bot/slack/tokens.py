"""The one token lookup: every Slack call of a listener (through Bolt's ``authorize``) or
of a scheduled job asks here for its workspace's bot token.

One workspace (``SLACK_BOT_TOKEN``): always that token. Many workspaces: the installation
store's bot, cached in the process, refreshed before it expires (token rotation), once
across every process: under a database lock the first one to get it refreshes and the
others find the new token when their turn comes (Slack's refresh tokens are single-use).
A token Slack no longer accepts pauses its own workspace's sending, and no other's.

``team_id`` is always the installation key every table uses: a workspace id, or for an
org-wide install its enterprise id (bot.models.Workspace).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlmodel import Session

from bot.storage import installations
from bot.storage.db import Database
from bot.storage.installations import SealedInstallationStore

log = logging.getLogger(__name__)

# A bot token is refreshed this long before it expires (Slack's live 12 hours).
REFRESH_BEFORE_SECONDS = 10 * 60
# A looked-up bot is trusted this long before it is read again: a reinstall is seen
# within this time (sooner where Slack refuses the old token: token_refused re-reads).
# Tokens are never used past REFRESH_BEFORE_SECONDS before their expiry, whatever this
# says, and a refresh re-reads under the lock. 5 minutes cost 0.09 reads per check-in
# in a 12-minute burst of 1,000 workspaces (bench/workspaces.py): 30 keep a burst to one.
CACHE_SECONDS = 30 * 60
# A workspace with no installation is asked about again after this long.
MISSING_SECONDS = 5
# Slack's answers that mean the token was revoked (or the app removed): pause sending.
REVOKED = frozenset({"invalid_auth", "token_revoked", "account_inactive"})
# A refresh token Slack refuses: the installation cannot get a token any more.
REFRESH_REFUSED = frozenset(
    {"invalid_refresh_token", "invalid_client_id", "bad_client_secret", *REVOKED}
)


class Tokens(Protocol):
    """What a Slack caller needs: a workspace's bot token, and where to say it was refused."""

    def bot_token(self, *, team_id: str | None, enterprise_id: str | None = None) -> str | None:
        """The bot token to call Slack with for this workspace; None when it has none (not
        installed, uninstalled, revoked): then send nothing there."""
        ...

    def token_refused(self, *, team_id: str, error: str) -> None:
        """Slack answered ``error`` to a call made with this workspace's token."""
        ...


class OneWorkspaceToken:
    """One workspace: SLACK_BOT_TOKEN, whatever the team (exactly as before many
    workspaces existed; a refused token is the admin's to replace)."""

    def __init__(self, token: str):
        self._token = token

    def bot_token(self, *, team_id: str | None = None, enterprise_id: str | None = None) -> str:
        return self._token

    def token_refused(self, *, team_id: str, error: str) -> None:
        log.warning("Slack refused SLACK_BOT_TOKEN (%s)", error)

    def __repr__(self) -> str:
        return "<OneWorkspaceToken>"


@dataclass(frozen=True)
class _Known:
    bot: Bot | None
    until: float  # time.time() after which it is read again


class WorkspaceTokens:
    """Many workspaces: bots of the installation store, cached, rotated and revoked."""

    def __init__(
        self,
        db: Database,
        store: SealedInstallationStore,
        rotator: TokenRotator,
        *,
        refresh_before: float = REFRESH_BEFORE_SECONDS,
        cache_seconds: float = CACHE_SECONDS,
    ):
        self._db = db
        self._store = store
        self._rotator = rotator
        self._refresh_before = refresh_before
        self._cache_seconds = cache_seconds
        self._known: dict[str, _Known] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._on_revoked: Callable[[str], None] | None = None
        # Database reads and refreshes made, for tests and the workspace benchmark.
        self.lookups = 0
        self.refreshes = 0

    @property
    def store(self) -> SealedInstallationStore:
        return self._store

    def on_revoked(self, callback: Callable[[str], None]) -> None:
        """``callback(team_id)`` when a workspace's token turns out to be revoked."""
        self._on_revoked = callback

    # -- the lookup ------------------------------------------------------------------------

    def bot_token(self, *, team_id: str | None, enterprise_id: str | None = None) -> str | None:
        bot = self.bot(team_id=team_id, enterprise_id=enterprise_id)
        return bot.bot_token if bot is not None else None

    def bot(self, *, team_id: str | None, enterprise_id: str | None = None) -> Bot | None:
        """The installation's bot with a token good for a while yet. A workspace of an org
        installed org-wide is found by its enterprise id."""
        for key in dict.fromkeys(k for k in (team_id, enterprise_id) if k):
            bot = self._bot(key)
            if bot is not None:
                return bot
        return None

    def _bot(self, key: str) -> Bot | None:
        now = time.time()
        known = self._known.get(key)
        if known is not None and now < known.until and not self._due(known.bot, now):
            return known.bot
        with self._lock_of(key):  # one thread of this process reads or refreshes it
            known = self._known.get(key)
            if known is None or time.time() >= known.until or self._due(known.bot, time.time()):
                known = self._load(key)
        return known.bot

    def _load(self, key: str) -> _Known:
        with Session(self._db.engine) as session:  # a plain read: no write lock on SQLite
            self.lookups += 1
            bot = self._store.find_bot_by_key(session, key=key)
        revoked = False
        if bot is not None and self._due(bot, time.time()):
            bot, revoked = self._refresh(key)
        if revoked:
            self._revoked(key)
            bot = None
        ttl = self._cache_seconds if bot is not None else MISSING_SECONDS
        known = _Known(bot, time.time() + ttl)
        self._known[key] = known
        return known

    def _due(self, bot: Bot | None, now: float) -> bool:
        expires = bot.bot_token_expires_at if bot is not None else None
        return expires is not None and expires <= now + self._refresh_before

    def _refresh(self, key: str) -> tuple[Bot | None, bool]:
        """Refresh under the installation's database lock; whoever holds it second finds
        the token already refreshed. Returns (bot, revoked)."""
        with self._db.session() as session:
            installations.lock_key(session, key=key)
            bot = self._store.find_bot_by_key(session, key=key)
            if bot is None or not self._due(bot, time.time()):
                return bot, False
            try:
                refreshed = self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=self._refresh_before / 60
                )
            except SlackTokenRotationError as e:
                error = e.api_error.response.get("error") if e.api_error else None
                if error in REFRESH_REFUSED:
                    log.warning("workspace %s: Slack refused to refresh its token (%s)", key, error)
                    return None, True
                log.warning("workspace %s: could not refresh its token (%s)", key, error)
                return bot, False
            if refreshed is None:
                return bot, False
            self._store.update_bot_tokens(session, refreshed=refreshed)
            self.refreshes += 1
        log.info("workspace %s: bot token refreshed", key)
        return refreshed, False

    # -- changes -----------------------------------------------------------------------------

    def token_refused(self, *, team_id: str, error: str) -> None:
        """Slack refused this workspace's token. Revoked: its sending pauses (unless the
        stored token is another one already, e.g. after a reinstall). Expired: it is
        refreshed at the next lookup."""
        known = self._known.pop(team_id, None)
        if error == "token_expired" or error not in REVOKED:
            return
        with Session(self._db.engine) as session:
            stored = self._store.find_bot_by_key(session, key=team_id)
        used = known.bot.bot_token if known is not None and known.bot is not None else None
        if stored is not None and used is not None and stored.bot_token != used:
            return  # another process refreshed or reinstalled it meanwhile
        if stored is not None or used is not None:
            self._revoked(team_id)

    def delete_tokens(self, session: Session, *, team_id: str) -> int:
        """Delete the installation's tokens now (uninstalled or revoked), in ``session``."""
        self._known.pop(team_id, None)
        return self._store.delete_key(session, key=team_id)

    def forget(self, *, team_id: str) -> None:
        """Read this installation afresh at its next lookup (it was just installed)."""
        self._known.pop(team_id, None)

    def _revoked(self, key: str) -> None:
        self._known[key] = _Known(None, time.time() + MISSING_SECONDS)
        if self._on_revoked is not None:
            self._on_revoked(key)

    def _lock_of(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def __repr__(self) -> str:
        return f"<WorkspaceTokens known={len(self._known)}>"


class TokenAuthorize(Authorize):
    """Bolt's ``authorize`` over the same lookup the scheduled jobs use: no auth.test per
    request, the cached bot's ids instead."""

    def __init__(self, tokens: WorkspaceTokens):
        self._tokens = tokens

    def __call__(
        self, *, context, enterprise_id: str | None, team_id: str | None, user_id, **_actors
    ) -> AuthorizeResult | None:
        key = enterprise_id if context.is_enterprise_install else team_id
        bot = self._tokens.bot(team_id=key, enterprise_id=enterprise_id)
        if bot is None:
            log.info("no installation for team %s (enterprise %s)", team_id, enterprise_id)
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team=bot.team_name,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
