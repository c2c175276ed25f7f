"""The portfolio's workbook: export, read and check, plan, apply.

``export_workbook(session=…, language=…, include_people=…)`` writes the .xlsx;
``read_workbook(data, language=…, session=…)`` reads and checks a file and returns a
``Plan`` (what would be added, changed and removed, and every error and warning, in the
admin's language); ``apply_plan(plan, session=…, actor=…)`` writes it inside the caller's
write transaction, with one audit entry per change. The format is described in
``docs/workbook.md``.
"""

from __future__ import annotations

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.workbook.export import export_workbook
from storage.workbook.plan import Plan, PlanOutdated, apply_plan, digest_of, plan_import
from storage.workbook.reader import Issue, ParsedBook, WorkbookRefused, parse_workbook, read_rows

__all__ = [
    "Issue",
    "ParsedBook",
    "Plan",
    "PlanOutdated",
    "WorkbookRefused",
    "apply_plan",
    "export_workbook",
    "parse_workbook",
    "plan_import",
    "read_rows",
    "read_workbook",
]


async def read_workbook(data: bytes, *, language: str, session: AsyncSession) -> Plan:
    """Read and check ``data`` (off the event loop), and plan it against the database.

    Raises ``WorkbookRefused`` for a file that cannot be read at all.
    """
    book = await asyncio.to_thread(parse_workbook, data, language=language)
    return await plan_import(book, session=session, digest=digest_of(data))
