"""her own choice of challenge: the pool's picks leave a challenge she swapped to alone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-11 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy of coachee: on SQLite, copying the table drops
    # the old one, and ON DELETE CASCADE would empty every table that points at it.
    op.add_column(
        "coachee",
        sa.Column("challenge_hers", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("coachee", "challenge_hers")
