"""Where a budget line's actual comes from: entered by the office, or summed from the reports

A line's actual was only ever a typed-in figure, and nothing said so. ``actual_source``
is ``entered`` for every line there is (they were typed in, by the office or the demo),
or ``reports``: the actual is then the spend its projects' status reports show for the
year, and the budget answer says which.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("budgetline") as batch:
        batch.add_column(
            sa.Column(
                "actual_source", sa.String(length=10), nullable=False, server_default="entered"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("budgetline") as batch:
        batch.drop_column("actual_source")
