"""Indexes for managers' questions and the status command on large portfolios

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_project_state_health_progress", "project", ["state", "health", "progress"]
    )
    op.create_index("ix_project_deputy_id", "project", ["deputy_id"])
    op.create_index("ix_person_deputy_id", "person", ["deputy_id"])


def downgrade() -> None:
    op.drop_index("ix_person_deputy_id", table_name="person")
    op.drop_index("ix_project_deputy_id", table_name="project")
    op.drop_index("ix_project_state_health_progress", table_name="project")
