"""Each period's revision of its status reports, counted by triggers

``reportrevision`` holds, for each period, how many times its status reports have been
inserted, updated or deleted. Triggers keep it, so every writer is counted, whatever it
is. The summary's "what moved since last month" sums two months' reports, and it is
computed again only when their revisions change (``storage.portfolio``).

On PostgreSQL the trigger is a deferred constraint trigger: it bumps the row when the
transaction commits. Saves of one period's reports all bump the same row, and a row lock
taken at the report's insert would be held until the commit, queueing the other saves
behind it; taken at the commit it is held only while that commit lasts. A reader sees
a report and its period's new revision together, or neither. SQLite writers take turns
(``BEGIN IMMEDIATE``), so plain triggers do there.

The table starts with the revisions of the reports already stored.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bump(period: str) -> str:
    return (
        f"INSERT INTO reportrevision (period, revision) VALUES ({period}, 1) "
        "ON CONFLICT (period) DO UPDATE SET revision = reportrevision.revision + 1;"
    )


_POSTGRES_FUNCTION = f"""
CREATE FUNCTION reportrevision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_bump("NEW.period")}
    ELSIF TG_OP = 'DELETE' THEN
        {_bump("OLD.period")}
    ELSE
        {_bump("NEW.period")}
        IF NEW.period <> OLD.period THEN
            {_bump("OLD.period")}
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""

_POSTGRES_TRIGGER = """
CREATE CONSTRAINT TRIGGER statusreport_revision
AFTER INSERT OR UPDATE OR DELETE ON statusreport
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION reportrevision_bump()
"""

# name: (event, condition, the period bumped)
_SQLITE_TRIGGERS = {
    "statusreport_revision_insert": ("INSERT", "", "NEW.period"),
    "statusreport_revision_delete": ("DELETE", "", "OLD.period"),
    "statusreport_revision_update": ("UPDATE", "", "NEW.period"),
    "statusreport_revision_moved": ("UPDATE", "WHEN NEW.period <> OLD.period", "OLD.period"),
}


def upgrade() -> None:
    op.create_table(
        "reportrevision",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )
    op.execute(
        "INSERT INTO reportrevision (period, revision) "
        "SELECT period, count(*) FROM statusreport GROUP BY period"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        for name, (event, condition, period) in _SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON statusreport {condition} "
                f"BEGIN {_bump(period)} END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER statusreport_revision ON statusreport")
        op.execute("DROP FUNCTION reportrevision_bump()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("reportrevision")
