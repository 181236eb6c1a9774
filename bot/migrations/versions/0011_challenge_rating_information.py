"""pooled challenge difficulty: how much its attempts told (information)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-11 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Numbers as they were when this ran (bot.domain.difficulty may change later): an
# attempt told about 2/steps^2 (bench/coaching_policy.py, the median), up to the most a
# rating holds (a spread of 0.12 steps, less the ladder's word, 1/0.5^2).
PER_ATTEMPT = 2.0
MOST = 1 / 0.12**2 - 1 / 0.5**2


def upgrade() -> None:
    op.add_column(
        "challenge_rating",
        sa.Column("information", sa.Float(), nullable=False, server_default="0"),
    )
    rating = sa.table(
        "challenge_rating", sa.column("attempts", sa.Integer), sa.column("information", sa.Float)
    )
    told = rating.c.attempts * PER_ATTEMPT
    op.execute(rating.update().values(information=sa.case((told > MOST, MOST), else_=told)))


def downgrade() -> None:
    op.drop_column("challenge_rating", "information")
