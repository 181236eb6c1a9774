"""coping stories: her story preference and weekly pace; colleagues' anonymous shares

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import bot.models  # noqa: F401

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy of coachee: on SQLite, copying the table drops
    # the old one, and ON DELETE CASCADE would empty every table that points at it.
    op.add_column(
        "coachee",
        sa.Column("stories_on", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "coachee",
        sa.Column("story_shown_at", bot.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "coachee",
        sa.Column("stories_shown", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "shared_story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("coachee_id", sa.Integer(), nullable=False),
        sa.Column("celebration_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("phrase_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coachee_id"], ["coachee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["celebration_id"], ["celebration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("celebration_id"),
    )
    op.create_index("ix_shared_story_coachee_id", "shared_story", ["coachee_id"])
    op.create_index("ix_shared_story_team_step", "shared_story", ["team_id", "step"])


def downgrade() -> None:
    op.drop_index("ix_shared_story_team_step", table_name="shared_story")
    op.drop_index("ix_shared_story_coachee_id", table_name="shared_story")
    op.drop_table("shared_story")
    for column in ("stories_shown", "story_shown_at", "stories_on"):
        op.drop_column("coachee", column)
