"""The migrations build exactly the schema models.py describes, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.storage import migrate
from bot.storage.db import Database


def test_upgraded_database_is_at_head(db: Database):
    assert migrate.current_revision(db.engine) == migrate.head_revision()
    assert migrate.is_up_to_date(db.engine)


def test_models_and_migrations_agree(db: Database):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "models.py changed without a migration: python -m bot db revision"


def test_upgrade_twice_is_a_no_op(db: Database):
    migrate.upgrade(db.engine)
    migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_every_table_carries_the_team_id():
    for table in SQLModel.metadata.sorted_tables:
        assert "team_id" in table.columns, table.name
