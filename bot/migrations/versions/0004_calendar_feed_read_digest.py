"""calendar feed: when it was last read in full, and that read's digest

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import bot.models  # noqa: F401

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "calendar_feed",
        sa.Column("read_at", bot.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "calendar_feed",
        sa.Column("read_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("calendar_feed") as batch:
        batch.drop_column("read_digest")
        batch.drop_column("read_at")
