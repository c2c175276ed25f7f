"""The errors of a rejected import, as a small workbook the admin can sort and filter.

One sheet, one Excel table: the sheet, the row and the column each error is in, and the
message, in the admin's language, in the order the check found them; the warnings follow,
marked as such. The admin fixes the file with it open beside the file.
"""

from __future__ import annotations

import io
import warnings

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from storage.workbook.plan import Plan
from storage.workbook.reader import Issue
from storage.workbook.sheets import translator
from translations.markers import N_

HEADERS = (N_("Sheet"), N_("Row"), N_("Column"), N_("Message"), N_("Kind"))
WIDTHS = (22, 8, 24, 80, 12)


def errors_workbook(plan: Plan, language: str) -> bytes:
    """``plan``'s errors (then its warnings), one a row, as an .xlsx in ``language``."""
    t = translator(language)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(t("Errors")[:31])
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(ws, value=t(text))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    issues: list[tuple[Issue, str]] = [
        *((issue, t("Error")) for issue in plan.errors),
        *((issue, t("Warning")) for issue in plan.warnings),
    ]
    for issue, kind in issues:
        ws.append([issue.sheet, issue.row, issue.column, issue.message, kind])
    if issues:
        table = Table(displayName="T_errors", ref=f"A1:E{len(issues) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        # write-only mode leaves a table's columns to the writer: name them as the headers
        table.tableColumns = [
            TableColumn(id=index, name=t(text)) for index, text in enumerate(HEADERS, start=1)
        ]
        table.autoFilter = AutoFilter(ref=table.ref)
        with warnings.catch_warnings():  # its columns are set above, which openpyxl can't see
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
