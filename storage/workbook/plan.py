"""From a read workbook to a plan: what the file would add, change and remove.

``plan_import`` compares the file's records with the database's, field by field, for
the columns the file has (a column left out changes nothing), and checks what refers to
what: an owner's e-mail must be a person of the database or of the file, a theme number
a theme, a year a roadmap. ``apply_plan`` writes a plan in the caller's write
transaction, after checking that the database still gives the same plan: a file checked
an hour ago is not applied over changes made since.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.workbook.reader import Issue, ParsedBook, valid_zone
from storage.workbook.sheets import BY_KEY, SHEETS, translator
from storage.workbook.store import Change, Key, Record, State, apply_changes, read_state
from translations.markers import N_

IMPORTABLE = tuple(sheet for sheet in SHEETS if not sheet.read_only)


class PlanOutdated(Exception):
    """The database changed after the file was checked: check the file again."""


@dataclass
class SheetReport:
    title: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class Plan:
    book: ParsedBook
    digest: str  # the file's SHA-256: an Apply belongs to one file
    changes: list[Change] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    sheets: dict[str, SheetReport] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            key: {
                "added": r.added,
                "changed": r.changed,
                "removed": r.removed,
                "unchanged": r.unchanged,
            }
            for key, r in self.sheets.items()
        }


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def plan_import(book: ParsedBook, *, session: AsyncSession, digest: str = "") -> Plan:
    """What the read workbook would change in the database, and every problem with it."""
    state, _refs = await read_state(session=session)
    plan = Plan(book, digest, errors=list(book.errors), warnings=list(book.warnings))
    _check_references(book, state, plan)
    if plan.errors:
        return plan
    for sheet in IMPORTABLE:
        parsed = book.sheets.get(sheet.key)
        if parsed is None:
            continue
        report = plan.sheets.setdefault(sheet.key, SheetReport(parsed.title))
        current = state.get(sheet.key, {})
        compared = [f for f in parsed.fields if f != "remove"]
        for row in parsed.rows:
            old = current.get(row.key)
            if sheet.removable and row.record.get("remove"):
                if old is None:
                    plan.warnings.append(_issue(book, sheet.key, row.row, N_("Nothing to remove.")))
                    continue
                plan.changes.append(
                    Change(sheet.key, row.key, "remove", row.row, row.record, _fields(old, None))
                )
                report.removed += 1
                continue
            if old is None:
                fields = {f: (None, row.record[f]) for f in compared}
                plan.changes.append(Change(sheet.key, row.key, "add", row.row, row.record, fields))
                report.added += 1
                continue
            changed = {
                f: (old.get(f), row.record[f]) for f in compared if old.get(f) != row.record[f]
            }
            if changed:
                plan.changes.append(
                    Change(sheet.key, row.key, "change", row.row, row.record, changed)
                )
                report.changed += 1
            else:
                report.unchanged += 1
    return plan


def _fields(old: Record, _new: None) -> dict[str, tuple[Any, Any]]:
    return {name: (value, None) for name, value in old.items() if name != "remove"}


def _issue(
    book: ParsedBook,
    sheet_key: str,
    row: int | None,
    message: str,
    column: str = "",
    **values: object,
) -> Issue:
    t = translator(book.language)
    sheet = BY_KEY[sheet_key]
    header = t(sheet.column(column).header) if column else ""
    return Issue(t(sheet.title), row, header, t(message, **values))


def _keys(book: ParsedBook, state: State, sheet_key: str, field_name: str) -> set[Any]:
    """The values of ``field_name`` that exist once the file is applied."""
    existing = {record.get(field_name) for record in state.get(sheet_key, {}).values()}
    parsed = book.sheets.get(sheet_key)
    if parsed is not None:
        existing |= {
            row.record.get(field_name) for row in parsed.rows if not row.record.get("remove")
        }
    return existing


def _check_references(book: ParsedBook, state: State, plan: Plan) -> None:
    emails = _keys(book, state, "people", "email")
    # people the file cannot see (no e-mail) still exist; references to them are kept as ""
    emails.add("")
    themes = _keys(book, state, "themes", "number") | {None}
    directors = _keys(book, state, "directors", "key") | {""}
    years = _keys(book, state, "roadmaps", "year")
    projects = _keys(book, state, "projects", "code")
    indicators = _keys(book, state, "indicators", "code")
    programme = bool(state.get("programme")) or "programme" in book.sheets

    def check(sheet_key: str, column: str, allowed: set[Any], message: str) -> None:
        parsed = book.sheets.get(sheet_key)
        if parsed is None or column not in parsed.fields:
            return
        for row in parsed.rows:
            values = row.record[column]
            for value in values if isinstance(values, tuple) else (values,):
                if value not in allowed:
                    plan.errors.append(
                        _issue(book, sheet_key, row.row, message, column, value=value)
                    )

    check("people", "deputy", emails, N_("No person has the e-mail {value}."))
    check("directors", "holder", emails, N_("No person has the e-mail {value}."))
    for column in ("owner", "deputy"):
        check("projects", column, emails, N_("No person has the e-mail {value}."))
    check("projects", "theme", themes, N_("There is no theme {value}."))
    check("projects", "director", directors, N_("There is no responsible director {value}."))
    check("projects", "roadmaps", years, N_("There is no roadmap for {value}."))
    check("metrics", "project", projects, N_("There is no project {value}."))
    check("indicator_values", "indicator", indicators, N_("There is no indicator {value}."))
    people = book.sheets.get("people")
    if people is not None and "timezone" in people.fields:
        for row in people.rows:
            zone = row.record["timezone"]
            if zone and not valid_zone(zone):
                plan.errors.append(
                    _issue(
                        book,
                        "people",
                        row.row,
                        N_("Not a time zone: {value}"),
                        "timezone",
                        value=zone,
                    )
                )
    needs_programme = [
        s for s in ("themes", "capabilities", "indicators", "roadmaps") if s in book.sheets
    ]
    if needs_programme and not programme:
        plan.errors.append(
            _issue(book, "programme", None, N_("The programme sheet is needed first."))
        )


async def apply_plan(
    plan: Plan, *, session: AsyncSession, actor: int | None, source: str = "workbook"
) -> Counter[str]:
    """Write the plan in the caller's write transaction, with one audit entry per change.

    Raises ``ValueError`` for a plan with errors, and ``PlanOutdated`` when the database
    no longer gives the same plan; the caller's transaction then writes nothing.
    """
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    again = await plan_import(plan.book, session=session, digest=plan.digest)
    if not again.ok or _signature(again.changes) != _signature(plan.changes):
        raise PlanOutdated
    await apply_changes(again.changes, session=session, actor_id=actor, source=source)
    return Counter(change.action for change in again.changes)


def _signature(changes: list[Change]) -> list[tuple[str, Key, str, list[tuple[str, str]]]]:
    return [
        (c.sheet, c.key, c.action, sorted((k, repr(v)) for k, v in c.fields.items()))
        for c in changes
    ]
