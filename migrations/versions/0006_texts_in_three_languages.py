"""A project's description and impact in fi, sv and en, and a budget line's forecast

The workbook carries every text in the three languages, and the seed's impacts are
Finnish: one text column showed English on Finnish and Swedish cards. The old single
columns held the demo's English texts, so they become the English ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases: SQLite renames, adds and drops columns itself
# (3.35+), and batch mode would copy the whole project table to do it.


def upgrade() -> None:
    op.execute("ALTER TABLE project RENAME COLUMN description TO description_en")
    op.execute("ALTER TABLE project RENAME COLUMN impact_text TO impact_en")
    for language in ("fi", "sv"):
        op.add_column(
            "project",
            sa.Column(f"description_{language}", sa.Text(), nullable=False, server_default=""),
        )
        op.add_column(
            "project",
            sa.Column(
                f"impact_{language}",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            ),
        )
    op.add_column("budgetline", sa.Column("forecast_cents", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE budgetline DROP COLUMN forecast_cents")
    for language in ("sv", "fi"):
        op.execute(f"ALTER TABLE project DROP COLUMN impact_{language}")
        op.execute(f"ALTER TABLE project DROP COLUMN description_{language}")
    op.execute("ALTER TABLE project RENAME COLUMN impact_en TO impact_text")
    op.execute("ALTER TABLE project RENAME COLUMN description_en TO description")
