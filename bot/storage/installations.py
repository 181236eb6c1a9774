"""Where "Add to Slack" installs are kept: slack_sdk's SQLAlchemy installation and
state stores, their tokens sealed with SECRET_KEY, and the few queries the token
lookup needs beside them.

The stores' tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) are
built by the stores' own ``build_*_table`` classmethods, registered on SQLModel's
metadata by bot.models and created by an Alembic migration. Every token column is
TEXT holding a Fernet token (``SealedToken``), so a database dump holds no usable
token; an old SECRET_KEY after the new one still opens them (key rotation).

An installation's key is what every other table calls ``team_id``: the workspace id,
or for an org-wide (Enterprise Grid) install the enterprise id, since a person of an
org-wide install is the same person in every workspace of the org.
"""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

from bot.storage.crypto import SecretBox
from bot.storage.db import Database

log = logging.getLogger(__name__)

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# pg_advisory_xact_lock(namespace, key): a token refresh of one installation at a time.
_PG_REFRESH_LOCKS = 0x766F6963


class SealedToken(TypeDecorator):
    """A token sealed with SECRET_KEY on its way in and opened on its way out."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, box: SecretBox):
        super().__init__()
        self.box = box

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else self.box.seal(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else self.box.open(value)


def _seal_columns(table: sa.Table, box: SecretBox | None) -> sa.Table:
    """The store's String(200) token columns become TEXT (a sealed token is longer),
    sealed by ``box``; without a box (the schema alone, for migrations) plain TEXT."""
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = SealedToken(box) if box is not None else sa.Text()
    return table


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store with every token sealed, and one live row per installation:
    a reinstall replaces the rows of the install before it (history would only keep
    old tokens around)."""

    @classmethod
    def build_installations_table(
        cls, metadata: sa.MetaData, table_name: str, box: SecretBox | None = None
    ) -> sa.Table:
        return _seal_columns(super().build_installations_table(metadata, table_name), box)

    @classmethod
    def build_bots_table(
        cls, metadata: sa.MetaData, table_name: str, box: SecretBox | None = None
    ) -> sa.Table:
        return _seal_columns(super().build_bots_table(metadata, table_name), box)

    def __init__(self, client_id: str, db: Database, box: SecretBox):
        # Its saves read and then write in transactions of their own: ``db.writer``.
        super().__init__(client_id, db.writer, logger=log)
        self.metadata = sa.MetaData()
        self.bots = self.build_bots_table(self.metadata, BOTS_TABLE, box)
        self.installations = self.build_installations_table(self.metadata, INSTALLATIONS_TABLE, box)

    def save(self, installation: Installation) -> None:
        super().save(installation)
        installed_at = _naive_utc(installation.installed_at)
        with self.engine.begin() as conn:
            for table in (self.installations, self.bots):
                conn.execute(
                    table.delete().where(
                        self._same_key(table, installation.enterprise_id, installation.team_id),
                        table.c.installed_at < installed_at,
                    )
                )

    def _same_key(self, table: sa.Table, enterprise_id: str | None, team_id: str | None):
        c = table.c
        return sa.and_(
            c.client_id == self.client_id,
            c.enterprise_id.is_(None)
            if enterprise_id is None
            else c.enterprise_id == enterprise_id,
            c.team_id.is_(None) if team_id is None else c.team_id == team_id,
        )

    def delete_key(self, session: Session, *, key: str) -> int:
        """Delete every installation and bot row of this installation key (its tokens);
        returns how many rows went."""
        deleted = 0
        for table in (self.installations, self.bots):
            deleted += session.execute(table.delete().where(self._key(table, key))).rowcount or 0
        return deleted

    def _key(self, table: sa.Table, key: str):
        c = table.c
        return sa.and_(
            c.client_id == self.client_id,
            sa.or_(
                c.team_id == key,
                sa.and_(c.team_id.is_(None), c.enterprise_id == key, c.is_enterprise_install),
            ),
        )

    def find_bot_by_key(self, session: Session | sa.Connection, *, key: str) -> Bot | None:
        """The live bot of this installation key (a team id, or an org install's
        enterprise id): one indexed query."""
        c = self.bots.c
        row = (
            session.execute(
                self.bots.select()
                .where(self._key(self.bots, key), c.bot_token.is_not(None))
                .order_by(c.installed_at.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else self.build_bot_entity(row)

    def update_bot_tokens(self, session: Session, *, refreshed: Bot) -> None:
        """Store a refreshed bot token (and its new refresh token) in place."""
        values = {
            "bot_token": refreshed.bot_token,
            "bot_refresh_token": refreshed.bot_refresh_token,
            "bot_token_expires_at": _naive_utc(refreshed.bot_token_expires_at),
        }
        for table in (self.bots, self.installations):
            session.execute(
                table.update()
                .where(self._same_key(table, refreshed.enterprise_id, refreshed.team_id))
                .values(**values)
            )


def lock_key(session: Session, *, key: str) -> None:
    """Hold, until the session's transaction ends, the one lock under which this
    installation's tokens are refreshed. PostgreSQL: an advisory lock on the key. SQLite:
    the session began IMMEDIATE, so it already holds the database's write lock."""
    if session.bind.dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": _PG_REFRESH_LOCKS, "key": _int4(zlib.crc32(key.encode()))},
        )


def _int4(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def _naive_utc(value: datetime | int | float | None) -> datetime | None:
    """How slack_sdk stores its DateTime columns: naive UTC."""
    if value is None:
        return None
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def state_store(db: Database, *, expiration_seconds: int) -> SQLAlchemyOAuthStateStore:
    """The OAuth ``state`` store: slack_sdk's, on the app's database (a state is good
    once, until it expires). Consuming one reads and then deletes: ``db.writer``."""
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=expiration_seconds, engine=db.writer, logger=log
    )


def register_tables(metadata: sa.MetaData) -> tuple[sa.Table, ...]:
    """The stores' tables, on ``metadata`` (SQLModel's), so migrations own them."""
    return (
        SealedInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE),
        SealedInstallationStore.build_bots_table(metadata, BOTS_TABLE),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE),
    )
