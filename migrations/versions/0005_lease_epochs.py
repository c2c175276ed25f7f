"""The cycle lease's epoch, and the epoch each outbox claim and attempt was made in

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lease") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(
            sa.Column("claim_epoch", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("outboxattempt") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outboxattempt") as batch:
        batch.drop_column("epoch")
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("claim_epoch")
    with op.batch_alter_table("lease") as batch:
        batch.drop_column("epoch")
