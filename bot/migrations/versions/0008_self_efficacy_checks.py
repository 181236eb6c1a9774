"""self-efficacy checks: her six answers (0-100) and the looking-back item, per round

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import bot.models  # noqa: F401

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "efficacy_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("coachee_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("offered_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        *(sa.Column(f"item_{n}", sa.Integer(), nullable=True) for n in range(1, 7)),
        sa.Column("looking_back", sa.Integer(), nullable=True),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["coachee_id"], ["coachee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coachee_id", "round"),
    )


def downgrade() -> None:
    op.drop_table("efficacy_check")
