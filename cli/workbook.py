"""``roadmap export FILE`` and ``roadmap import FILE [--dry-run]``: the portfolio's workbook.

The import prints its report (per sheet: added, changed, removed, unchanged; then each
error and warning with its sheet, row and column) and applies the file in one write unit
only when it has no errors. Exit status: 0 applied (or checked, with ``--dry-run``), 1
errors in the file, 2 a file that cannot be read at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from settings import Settings
from storage.db import create_engine, session_factory, upgrade, write_unit
from storage.workbook import Plan, WorkbookRefused, apply_plan, export_workbook, read_workbook
from storage.workbook.sheets import translator
from translations import LANGUAGES
from translations.markers import N_


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="write the whole portfolio to an .xlsx file")
    export.add_argument("file", type=Path)
    export.add_argument("--language", choices=LANGUAGES, default="fi")
    export.add_argument("--no-people", action="store_true", help="leave out people and e-mails")
    export.set_defaults(run=run_export)
    imported = subparsers.add_parser("import", help="check an .xlsx file and apply it")
    imported.add_argument("file", type=Path)
    imported.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imported.add_argument("--language", choices=LANGUAGES, default="fi")
    imported.set_defaults(run=run_import)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    async def export() -> bytes:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                return await export_workbook(
                    session=session, language=args.language, include_people=not args.no_people
                )
        finally:
            await engine.dispose()

    args.file.write_bytes(asyncio.run(export()))
    return 0


def report(plan: Plan, language: str) -> str:
    t = translator(language)
    lines = [
        t(
            N_(
                "{sheet}: {added} added, {changed} changed, {removed} removed, {unchanged} unchanged"
            ),
            sheet=r.title,
            added=r.added,
            changed=r.changed,
            removed=r.removed,
            unchanged=r.unchanged,
        )
        for r in plan.sheets.values()
    ]
    error, warning = t(N_("Error")), t(N_("Warning"))
    lines += [f"{error}: {issue}" for issue in plan.errors]
    lines += [f"{warning}: {issue}" for issue in plan.warnings]
    return "\n".join(lines)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    data = args.file.read_bytes()
    t = translator(args.language)

    async def check_and_apply() -> Plan:
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        try:
            if args.dry_run:
                async with sessions() as session:
                    return await read_workbook(data, language=args.language, session=session)

            async def unit(*, session: Any) -> Plan:
                plan = await read_workbook(data, language=args.language, session=session)
                if plan.ok:
                    await apply_plan(plan, session=session, actor=None, source="cli")
                return plan

            return await write_unit(sessions, unit)
        finally:
            await engine.dispose()

    try:
        plan = asyncio.run(check_and_apply())
    except WorkbookRefused as refused:
        sys.stderr.write(f"{refused}\n")
        return 2
    sys.stdout.write(report(plan, args.language) + "\n")
    if not plan.ok:
        sys.stdout.write(t(N_("Nothing was saved.")) + "\n")
        return 1
    if args.dry_run:
        sys.stdout.write(t(N_("Checked only: nothing was saved.")) + "\n")
    else:
        saved = t.plural("Saved: {count} change.", "Saved: {count} changes.", len(plan.changes))
        sys.stdout.write(saved + "\n")
    return 0
