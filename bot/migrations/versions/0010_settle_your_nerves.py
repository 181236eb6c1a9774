"""settle your nerves: her on/off for the offer; the exercises she did and if they helped

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import bot.models  # noqa: F401

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy of coachee: on SQLite, copying the table drops
    # the old one, and ON DELETE CASCADE would empty every table that points at it.
    op.add_column(
        "coachee",
        sa.Column("nerves_on", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "nerves_exercise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("coachee_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("exercise_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("helped", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("view_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("done_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coachee_id"], ["coachee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("view_id"),
    )
    op.create_index("ix_nerves_exercise_coachee_id", "nerves_exercise", ["coachee_id"])


def downgrade() -> None:
    op.drop_index("ix_nerves_exercise_coachee_id", table_name="nerves_exercise")
    op.drop_table("nerves_exercise")
    op.drop_column("coachee", "nerves_on")
