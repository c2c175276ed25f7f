"""Writing the workbook: one Excel table a sheet, in the admin's language.

openpyxl's write-only mode streams each row to the file, so a portfolio of 10,000
projects and their 36 months of reports is written without holding the sheets in memory.
Each sheet is an Excel table (a ``ListObject``) with a frozen header and set widths;
money cells carry a euro format and percentages a percent format; the closed lists get a
drop-down of their labels. A cell that shares its column's format is one styled cell
reused row after row, so formatting costs no more than the value.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.workbook.sheets import GUIDE_TITLE, SHEETS, Column, Kind, Sheet, translator
from storage.workbook.store import Record, history, read_state
from translations import Translator
from translations.markers import N_

EURO_FORMAT = '#,##0.00\\ "€";-#,##0.00\\ "€"'
PERCENT_FORMAT = "0\\ %"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_HEADER_FONT = Font(bold=True)
_GUIDE_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


async def export_workbook(*, session: AsyncSession, language: str, include_people: bool) -> bytes:
    """The whole portfolio as an .xlsx, with headers in ``language``.

    Without people (a manager's export) the people sheet is left out, and the e-mails of
    owners, deputies and directors are left empty.
    """
    t = translator(language)
    state, _refs = await read_state(session=session, include_people=include_people)
    if not include_people:
        _strip_people(state)
    workbook = Workbook(write_only=True)
    sheets = [s for s in SHEETS if include_people or not s.personal]
    _guide(workbook, t, sheets)
    for sheet in sheets:
        if sheet.read_only:
            rows: Iterable[Sequence[Any]] = (
                (
                    r.project,
                    r.period,
                    r.health,
                    r.progress,
                    r.spent_cents,
                    r.forecast_cents,
                    r.revisions,
                    r.late,
                    r.submitted_at,
                )
                async for r in history(session=session)
            )  # type: ignore[assignment]
            await _write_async(workbook, t, sheet, rows)
        else:
            records = state.get(sheet.key, {}).values()
            _write(workbook, t, sheet, ([r.get(c.field) for c in sheet.columns] for r in records))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _strip_people(state: dict[str, dict[Any, Record]]) -> None:
    for record in state.get("projects", {}).values():
        record["owner"] = record["deputy"] = ""
    for record in state.get("directors", {}).values():
        record["holder"] = ""


def _guide(workbook: Workbook, t: Translator, sheets: list[Sheet]) -> None:
    ws = workbook.create_sheet(t(GUIDE_TITLE))
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 70
    heading = [_styled(ws, t(N_("Sheet")), font=_HEADER_FONT, fill=_GUIDE_FILL)]
    heading.append(_styled(ws, t(N_("What it holds")), font=_HEADER_FONT, fill=_GUIDE_FILL))
    heading.append(
        _styled(ws, t(N_("Columns the import reads")), font=_HEADER_FONT, fill=_GUIDE_FILL)
    )
    ws.append(heading)
    for sheet in sheets:
        if sheet.read_only:
            read = t(N_("none: this sheet is not imported"))
        else:
            read = ", ".join(t(c.header) + (" *" if c.required else "") for c in sheet.columns)
        ws.append(
            [
                _styled(ws, t(sheet.title), font=_HEADER_FONT),
                _styled(ws, t(sheet.about), alignment=_WRAP),
                _styled(ws, read, alignment=_WRAP),
            ]
        )
    ws.append([])
    for line in (
        N_("* a required column. The key columns say which row of the database a row updates."),
        N_(
            "A row missing from the file is never deleted. Remove a budget line or an indicator value with the Remove column; cancel a project with its state."
        ),
        N_(
            "Headers may be in Finnish, Swedish or English, in any order. Columns the import does not know are ignored."
        ),
        N_("Money is in euros, percentages from 0 to 100 %, dates as 2025-01-31."),
    ):
        ws.append([_styled(ws, t(line))])


def _styled(ws: WriteOnlyWorksheet, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, item in style.items():
        setattr(cell, name, item)
    return cell


class _Row:
    """Turns a record's values into cells: one reusable styled cell per formatted column."""

    def __init__(self, ws: WriteOnlyWorksheet, t: Translator, sheet: Sheet) -> None:
        self.t = t
        self.columns = sheet.columns
        self.cells: list[WriteOnlyCell | None] = []
        self.labels: list[dict[str, str] | None] = []
        for column in sheet.columns:
            number_format = {
                Kind.money: EURO_FORMAT,
                Kind.percent: PERCENT_FORMAT,
                Kind.date: DATE_FORMAT,
                Kind.datetime: DATETIME_FORMAT,
            }.get(column.kind)
            self.cells.append(
                _styled(ws, None, number_format=number_format) if number_format else None
            )
            self.labels.append(
                {code: t(label) for code, label in column.choices.items()}
                if column.choices
                else None
            )

    def __call__(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for column, cell, labels, value in zip(
            self.columns, self.cells, self.labels, values, strict=True
        ):
            if value is None or value == "" or value == ():
                out.append(None)
                continue
            kind = column.kind
            if labels is not None:
                value = labels["yes" if value is True else "no" if value is False else value]
            elif kind is Kind.money or kind is Kind.percent:
                value = Decimal(value) / 100
            elif kind in (Kind.years, Kind.offsets):
                value = ", ".join(str(v) for v in value)
            elif kind is Kind.datetime and isinstance(value, datetime):
                value = value.astimezone(self.t.zone).replace(tzinfo=None)
            elif isinstance(value, Decimal):
                value = int(value) if value == value.to_integral() else value
            if cell is not None and not isinstance(value, str):
                cell.value = value
                out.append(cell)
            else:
                out.append(value)
        return out


def _begin(workbook: Workbook, t: Translator, sheet: Sheet) -> tuple[WriteOnlyWorksheet, _Row]:
    ws = workbook.create_sheet(t(sheet.title))
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.append([_styled(ws, t(c.header), font=_HEADER_FONT) for c in sheet.columns])
    return ws, _Row(ws, t, sheet)


def _finish(ws: WriteOnlyWorksheet, t: Translator, sheet: Sheet, rows: int) -> None:
    last = max(rows + 1, 2)  # a table needs one data row, even an empty one
    width = get_column_letter(len(sheet.columns))
    table = Table(displayName=f"T_{sheet.key}", ref=f"A1:{width}{last}")
    # write-only mode cannot read the header row back: the table's columns are named here
    table.tableColumns = [
        TableColumn(id=index, name=t(column.header))
        for index, column in enumerate(sheet.columns, start=1)
    ]
    table.autoFilter = AutoFilter(ref=table.ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():  # its columns are set above, which openpyxl can't see
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
        ws.add_table(table)
    if sheet.read_only:
        return
    for index, column in enumerate(sheet.columns, start=1):
        options = _choices(t, column)
        if options is None:
            continue
        letter = get_column_letter(index)
        validation = DataValidation(type="list", formula1=options, allow_blank=True)
        validation.error = t(N_("Choose a value from the list."))
        validation.showErrorMessage = True
        validation.add(f"{letter}2:{letter}{max(last, 1000)}")
        ws.data_validations.append(validation)


def _choices(t: Translator, column: Column) -> str | None:
    if column.choices is not None:
        return '"' + ",".join(t(label) for label in column.choices.values()) + '"'
    return None


def _write(
    workbook: Workbook, t: Translator, sheet: Sheet, records: Iterable[Sequence[Any]]
) -> None:
    ws, row = _begin(workbook, t, sheet)
    count = 0
    for values in records:
        ws.append(row(values))
        count += 1
    _finish(ws, t, sheet, count)


async def _write_async(workbook: Workbook, t: Translator, sheet: Sheet, records: Any) -> None:
    ws, row = _begin(workbook, t, sheet)
    count = 0
    async for values in records:
        ws.append(row(values))
        count += 1
    _finish(ws, t, sheet, count)
