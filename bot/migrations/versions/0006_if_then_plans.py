"""if-then plans: her plan for a meeting, and whether it fired

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import bot.models  # noqa: F401

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "if_then_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("coachee_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("fired", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", bot.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkin.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["coachee_id"], ["coachee.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("checkin_id"),
    )
    with op.batch_alter_table("if_then_plan") as batch:
        batch.create_index(batch.f("ix_if_then_plan_coachee_id"), ["coachee_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("if_then_plan") as batch:
        batch.drop_index(batch.f("ix_if_then_plan_coachee_id"))
    op.drop_table("if_then_plan")
