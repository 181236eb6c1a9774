"""when each workspace's sending budget next holds a send, so a claim can leave out the
workspaces that must wait inside its own query

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL on the rows already there: each gets its time at its next draw; until then the
    # bucket itself still gives none of a send it does not hold.
    op.add_column("rate_limit", sa.Column("ready_at", bot.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rate_limit") as batch_op:
        batch_op.drop_column("ready_at")
