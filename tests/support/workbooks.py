"""Reading and editing a portfolio workbook in tests, as an admin would in Excel."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook, load_workbook

from storage.workbook.sheets import SHEETS, fold, headers, translator


def edit(data: bytes, changes: Callable[[Workbook], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    changes(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def column_of(ws: Any, sheet_key: str, field: str) -> int:
    known = headers(sheet_key)
    for cell in ws[1]:
        if known.get(fold(str(cell.value))) == field:
            return int(cell.column)
    raise AssertionError(field)


def row_of(ws: Any, code: str | int) -> int:
    for row in ws.iter_rows(min_row=2, max_col=1):
        if row[0].value == code:
            return int(row[0].row)
    raise AssertionError(code)


def title(sheet_key: str, language: str = "en") -> str:
    return translator(language)(next(s for s in SHEETS if s.key == sheet_key).title)
