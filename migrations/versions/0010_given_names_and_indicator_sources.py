"""A person's given name, and an indicator set's source in fi, sv and en

The welcome card greeted "Hei Lehtonen!": it took the first word of the display name,
which in many directories is the family name. ``person.given_name`` keeps the
``givenName`` Teams' roster gives; without one, the greeting names nobody.

An indicator set's source was Finnish only. The old column held the Finnish text, so it
becomes ``source_fi``; ``source_sv`` and ``source_en`` start empty (a card shows the
Finnish one, marked, until they are filled in).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as in 0006: SQLite renames, adds and drops columns
# itself (3.35+).


def upgrade() -> None:
    op.add_column(
        "person",
        sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.execute("ALTER TABLE indicatorset RENAME COLUMN source TO source_fi")
    for language in ("sv", "en"):
        op.add_column(
            "indicatorset",
            sa.Column(
                f"source_{language}",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            ),
        )


def downgrade() -> None:
    for language in ("en", "sv"):
        op.execute(f"ALTER TABLE indicatorset DROP COLUMN source_{language}")
    op.execute("ALTER TABLE indicatorset RENAME COLUMN source_fi TO source")
    op.execute("ALTER TABLE person DROP COLUMN given_name")
