"""Alembic, driven from code: ``python -m bot db upgrade`` and the app's start."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed number: every process that upgrades at start takes the same lock.
_PG_LOCK_KEY = 0x766F696365


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _locked(engine: Engine):
    """A connection inside a transaction that only one process at a time can hold."""
    if engine.dialect.name == "sqlite":
        connection = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        transaction = connection.begin()
    else:
        connection = engine.connect()
        transaction = connection.begin()
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    return connection, transaction


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; safe when several processes start at once."""
    connection, transaction = _locked(engine)
    try:
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_config(connection), revision)
        after = MigrationContext.configure(connection).get_current_revision()
        transaction.commit()
    finally:
        connection.close()
    if before != after:
        log.info("database schema upgraded from %s to %s", before or "empty", after)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the difference between models.py and the database."""
    connection, transaction = _locked(engine)
    try:
        command.revision(_config(connection), message=message, autogenerate=True)
        transaction.rollback()
    finally:
        connection.close()
