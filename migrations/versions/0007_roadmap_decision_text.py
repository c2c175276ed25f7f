"""A roadmap's decision proposal, in fi, sv and en: the text the board deck asks the board to approve

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LANGUAGES = ("fi", "sv", "en")


def upgrade() -> None:
    with op.batch_alter_table("roadmap") as batch:
        for language in LANGUAGES:
            batch.add_column(
                sa.Column(f"decision_{language}", sa.Text(), nullable=False, server_default="")
            )


def downgrade() -> None:
    with op.batch_alter_table("roadmap") as batch:
        for language in reversed(LANGUAGES):
            batch.drop_column(f"decision_{language}")
