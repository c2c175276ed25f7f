"""Reading a workbook: safety checks on the zip, then every sheet's rows into records.

Nothing here touches the database. The file is checked before openpyxl sees it: its size,
that it is a zip at all, that it is not a macro workbook, and the sizes its entries
declare unpacked (a zip bomb is refused before anything is unpacked). Each sheet's XML is
then scanned once as bytes, for three things openpyxl's read-only mode does not tell: the
last row that holds a value (so 100,000 empty formatted rows cost nothing), merged cells,
and formulas with no cached value. openpyxl then reads the cached values (``data_only``)
in read-only mode, up to that last row.

Rows become records (see ``storage.workbook.store``); each problem becomes an ``Issue``
with the sheet, row and column, in the admin's language. Text that should be a number or a
date is read in the admin's locale or an unambiguous other one, with a warning.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import NumberFormatError, parse_decimal
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from storage.workbook.sheets import (
    BY_KEY,
    FLAG,
    Column,
    Kind,
    Sheet,
    choice_codes,
    fold,
    headers,
    sheet_titles,
    translator,
)
from translations import LANGUAGES, Translator
from translations.markers import N_, NP_

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled"
_BABEL = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}
_FLAG_WORDS = {"x": True, "1": True, "true": True, "0": False, "false": False}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class WorkbookRefused(Exception):
    """The file cannot be read at all; the message is in the admin's language."""


@dataclass(frozen=True)
class Issue:
    sheet: str  # the sheet's title as the admin sees it ("" for the whole file)
    row: int | None
    column: str  # the column's header in the admin's language, or ""
    message: str

    def __str__(self) -> str:
        where = " / ".join(
            part for part in (self.sheet, f"{self.row}" if self.row else "", self.column) if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParsedRow:
    row: int
    key: tuple[Any, ...]
    record: dict[str, Any]


@dataclass
class ParsedSheet:
    sheet: Sheet
    title: str  # as written in the file
    fields: set[str]  # the columns the file has
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class ParsedBook:
    language: str
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


class _Context:
    """Where the reader is, to word an issue: the admin's language, sheet, row and column."""

    def __init__(self, book: ParsedBook, t: Translator, *, typed: bool) -> None:
        self.book, self.t, self.typed = book, t, typed
        self.sheet: Sheet | None = None
        self.row: int | None = None

    def _where(self, column: Column | None) -> tuple[str, str]:
        title = self.t(self.sheet.title) if self.sheet else ""
        return title, self.t(column.header) if column else ""

    def _say(self, message: str | tuple[str, str], values: dict[str, object]) -> str:
        """A message id in the admin's language; a plural pair takes the form of its count."""
        if isinstance(message, str):
            return self.t(message, **values)
        count = values.pop("count")
        if not isinstance(count, int):
            raise TypeError(f"a plural message's count is a whole number, not {count!r}")
        return self.t.plural(*message, count, **values)

    def error(
        self, column: Column | None, message: str | tuple[str, str], **values: object
    ) -> None:
        title, header = self._where(column)
        self.book.errors.append(Issue(title, self.row, header, self._say(message, values)))

    def warn(self, column: Column | None, message: str, **values: object) -> None:
        title, header = self._where(column)
        self.book.warnings.append(Issue(title, self.row, header, self._say(message, values)))


# ------------------------------------------------------------------------------------
# The zip
# ------------------------------------------------------------------------------------


def check_zip(data: bytes, t: Translator) -> zipfile.ZipFile:
    """The file as a zip, once its size, type and declared unpacked size are acceptable."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRefused(
            t("The file is larger than {size} MB.", size=MAX_FILE_BYTES // (1024 * 1024))
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise WorkbookRefused(t("The file is not an Excel workbook (.xlsx).")) from error
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookRefused(
            t(
                "The workbook unpacks to more than {size} MB: it is refused.",
                size=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(t("The file is not an Excel workbook (.xlsx)."))
    content_types = _read(archive, "[Content_Types].xml", t)
    if MACRO_TYPE in content_types or "xl/vbaProject.bin" in names:
        raise WorkbookRefused(
            t("Workbooks with macros (.xlsm) are refused: save it as an .xlsx workbook.")
        )
    return archive


def _read(archive: zipfile.ZipFile, name: str, t: Translator) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        # a damaged entry, or one larger unpacked than the zip declared ("Bad CRC",
        # "Truncated file"): refused as a whole
        raise WorkbookRefused(
            t("The workbook is damaged: {entry} cannot be read.", entry=name)
        ) from error


@dataclass(frozen=True)
class _SheetScan:
    last_row: int  # the last row with a value or formula (0: none)
    merged: tuple[str, ...]
    uncached: frozenset[str]  # cells with a formula and no cached value


_ROW_START = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|f|is)\b")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+\d+)"[^>]*>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b'
    rb"(?:(?!</(?:\w+:)?c>).)*</(?:\w+:)?c>",
    re.DOTALL,
)


def _scan(xml: bytes) -> _SheetScan:
    last_value = None
    for match in _VALUE.finditer(xml):
        last_value = match.start()
    last_row = 0
    if last_value is not None:
        row_starts = xml.rfind(b"row", 0, last_value)
        while row_starts > 0:
            found = _ROW_START.match(xml, xml.rfind(b"<", 0, row_starts + 1))
            if found:
                last_row = int(found.group(1))
                break
            row_starts = xml.rfind(b"row", 0, row_starts)
    merged = tuple(m.group(1).decode() for m in _MERGE.finditer(xml))
    uncached = (
        frozenset(
            m.group(1).decode()
            for m in _FORMULA_CELL.finditer(xml)
            if not re.search(rb"<(?:\w+:)?v\b[^>]*>", m.group(0))
        )
        if b"<f" in xml or b":f" in xml
        else frozenset()
    )
    return _SheetScan(last_row, merged, uncached)


def _sheet_paths(archive: zipfile.ZipFile, t: Translator) -> dict[str, tuple[str, bool]]:
    """Each sheet's name -> (its XML's path in the zip, hidden or not)."""
    workbook = _read(archive, "xl/workbook.xml", t).decode("utf-8", "replace")
    rels = _read(archive, "xl/_rels/workbook.xml.rels", t).decode("utf-8", "replace")
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {
            m.group(2): m.group(1)
            for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    found: dict[str, tuple[str, bool]] = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attributes = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        name = _unescape(attributes.get("name", ""))
        rel = next((v for k, v in attributes.items() if k.endswith(":id")), "")
        target = targets.get(rel, "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found[name] = (path, attributes.get("state", "visible") != "visible")
    return found


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


# ------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------


def parse_workbook(data: bytes, *, language: str) -> ParsedBook:
    """Read and check a workbook's every sheet; raises ``WorkbookRefused`` for a bad file."""
    t = translator(language)
    book = ParsedBook(language)
    context = _Context(book, t, typed=True)
    archive = check_zip(data, t)
    paths = _sheet_paths(archive, t)
    titles = sheet_titles()
    wanted: dict[str, tuple[str, Sheet]] = {}
    for name, (path, hidden) in paths.items():
        sheet_key = titles.get(fold(name))
        sheet = BY_KEY.get(sheet_key or "")
        if sheet is None:
            if fold(name) != fold(t(N_("Read me"))) and not any(
                fold(name) == fold(translator(other)(N_("Read me"))) for other in LANGUAGES
            ):
                book.warnings.append(
                    Issue(
                        name, None, "", t("This sheet is not one the import knows: it was ignored.")
                    )
                )
            continue
        if sheet.read_only:
            continue
        if sheet.key in wanted:
            book.errors.append(Issue(name, None, "", t("Two sheets are the same kind: keep one.")))
            continue
        if hidden:
            book.errors.append(
                Issue(
                    name,
                    None,
                    "",
                    t("The sheet is hidden: show it or delete it, then send the file again."),
                )
            )
            continue
        wanted[name] = (path, sheet)
    scans = {name: _scan(_read(archive, path, t)) for name, (path, _sheet) in wanted.items()}
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise WorkbookRefused(t("The workbook is damaged and cannot be read.")) from error
    try:
        for name, (_path, sheet) in wanted.items():
            scan = scans[name]
            context.sheet, context.row = sheet, None
            if scan.merged:
                context.error(
                    None,
                    N_("Merged cells ({cells}): unmerge them, then send the file again."),
                    cells=", ".join(scan.merged[:5]),
                )
                continue
            worksheet = workbook[name]
            rows = worksheet.iter_rows(max_row=max(scan.last_row, 1), values_only=True)
            read_sheet(book, context, sheet, name, rows, scan.uncached)
    finally:
        workbook.close()
    return book


def read_rows(
    book: ParsedBook,
    sheet: Sheet,
    title: str,
    rows: Iterable[Sequence[Any]],
) -> None:
    """Read one sheet given as rows of text (the demo's CSV files): no typed cells."""
    context = _Context(book, translator(book.language), typed=False)
    context.sheet = sheet
    read_sheet(book, context, sheet, title, iter(rows), frozenset())


def read_sheet(
    book: ParsedBook,
    context: _Context,
    sheet: Sheet,
    title: str,
    rows: Iterator[Sequence[Any]],
    uncached: frozenset[str],
) -> None:
    header_row = next(rows, None)
    if header_row is None:
        context.error(None, N_("The sheet is empty: it has no header row."))
        return
    known = headers(sheet.key)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        if cell is None or str(cell).strip() == "":
            continue
        field_name = known.get(fold(str(cell)))
        if field_name is None:
            context.row = 1
            book.warnings.append(
                Issue(
                    context.t(sheet.title),
                    1,
                    str(cell),
                    context.t("The import does not know this column: it was ignored."),
                )
            )
            continue
        if field_name in positions:
            context.row = 1
            context.error(sheet.column(field_name), N_("The column appears twice."))
            continue
        positions[field_name] = index
    context.row = 1
    missing = [c for c in sheet.columns if c.required and c.field not in positions]
    for column in missing:
        context.error(column, N_("A required column is missing."))
    if missing:
        return
    parsed = ParsedSheet(sheet, title, set(positions))
    seen: dict[tuple[Any, ...], int] = {}
    columns = [(sheet.column(f), i) for f, i in positions.items()]
    for row_number, values in enumerate(rows, start=2):
        if not any(v is not None and str(v).strip() != "" for v in values):
            continue
        context.row = row_number
        record: dict[str, Any] = {}
        ok = True
        for column, index in columns:
            raw = values[index] if index < len(values) else None
            if raw is None and uncached:
                cell = f"{get_column_letter(index + 1)}{row_number}"
                if cell in uncached:
                    context.warn(column, N_("A formula with no saved value: it was read as empty."))
            try:
                record[column.field] = read_cell(raw, column, sheet, context)
            except _CellError:
                ok = False
        if not ok:
            continue
        if not check_row(record, sheet, context):
            continue
        key = tuple(record[c.field] for c in sheet.key_columns)
        if key in seen:
            context.error(
                sheet.key_columns[0] if sheet.key_columns else None,
                N_("Duplicated: row {row} has the same key."),
                row=seen[key],
            )
            continue
        seen[key] = row_number
        parsed.rows.append(ParsedRow(row_number, key, record))
    if sheet.single and len(parsed.rows) > 1:
        context.row = parsed.rows[1].row
        context.error(None, N_("This sheet has one row only."))
        return
    book.sheets[sheet.key] = parsed


class _CellError(Exception):
    pass


def check_row(record: dict[str, Any], sheet: Sheet, context: _Context) -> bool:
    ok = True
    for column in sheet.columns:
        if column.required and record.get(column.field) in (None, "") and column.field in record:
            context.error(column, N_("This column is required."))
            ok = False
    if sheet.key == "programme" and ok and record["start_year"] > record["end_year"]:
        context.error(sheet.column("end_year"), N_("The last year is before the first year."))
        ok = False
    start, end = record.get("start_date"), record.get("end_date")
    if sheet.key == "projects" and start and end and end < start:
        context.error(sheet.column("end_date"), N_("The project ends before it starts."))
        ok = False
    return ok


def read_cell(raw: Any, column: Column, sheet: Sheet, context: _Context) -> Any:
    """One cell's value as the record holds it, or ``_CellError`` after an issue."""

    def fail(message: str | tuple[str, str], **values: object) -> _CellError:
        context.error(column, message, **values)
        return _CellError()

    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            raw = None
    if raw is None:
        if column.kind is Kind.flag:
            return False
        if column.kind in (Kind.text, Kind.email):
            return ""
        if column.kind in (Kind.years, Kind.offsets):
            return ()
        return None
    kind = column.kind
    if kind is Kind.text:
        text = _text(raw)
        if column.max_length and len(text) > column.max_length:
            raise fail(
                NP_("At most {count} character.", "At most {count} characters."),
                count=column.max_length,
            )
        return text
    if kind is Kind.email:
        text = _text(raw).lower()
        if not _EMAIL.match(text) or len(text) > 320:
            raise fail(N_("Not an e-mail address: {value}"), value=text[:80])
        return text
    if kind in (Kind.int, Kind.money, Kind.decimal, Kind.percent):
        value = _decimal(raw, column, context)
        if value is None:
            raise fail(N_("Not a number: {value}"), value=str(raw)[:40])
        if kind is Kind.decimal:
            if abs(value) >= Decimal("1e14"):
                raise fail(N_("The number is too large."))
            return value.normalize() if value != value.to_integral() else value.quantize(Decimal(1))
        if kind is Kind.money:
            cents = value * 100
            if cents != cents.to_integral():
                raise fail(N_("Euros with at most two decimals."))
            if cents < 0:
                raise fail(N_("Money cannot be negative."))
            if cents >= Decimal("1e15"):
                raise fail(N_("The number is too large."))
            return int(cents)
        if kind is Kind.percent:
            # a percent cell holds a fraction (0.92 shows as 92 %); text "92 %" is 92
            percent = value if isinstance(raw, str) and "%" in raw else value * 100
            if percent != percent.to_integral() or not 0 <= percent <= 100:
                raise fail(
                    N_("A percentage from 0 to 100 is needed, not {value} %."),
                    value=context.t.number(percent),
                )
            return int(percent)
        if value != value.to_integral():
            raise fail(N_("A whole number is needed."))
        number = int(value)
        if (column.low is not None and number < column.low) or (
            column.high is not None and number > column.high
        ):
            raise fail(
                N_("A number from {low} to {high} is needed."), low=column.low, high=column.high
            )
        return number
    if kind is Kind.date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        parsed = _date_text(_text(raw))
        if parsed is None:
            raise fail(
                N_("Not a date: {value} (write for example 2025-01-31)."), value=_text(raw)[:40]
            )
        if context.typed:
            context.warn(
                column, N_("A date typed as text: read as {value}."), value=context.t.date(parsed)
            )
        return parsed
    if kind is Kind.choice:
        code = choice_codes(sheet.key, column.field).get(fold(_text(raw)))
        if code is None:
            choices = column.choices or {}
            raise fail(
                N_("Not one of: {choices}."),
                choices=", ".join(context.t(label) for label in choices.values()),
            )
        return code
    if kind is Kind.flag:
        word = fold(_text(raw))
        if word in _FLAG_WORDS:
            return _FLAG_WORDS[word]
        for language in LANGUAGES:
            for code, label in FLAG.items():
                if word == fold(translator(language)(label)):
                    return code == "yes"
        raise fail(N_("Yes or no is needed."))
    if kind in (Kind.years, Kind.offsets):
        parts = [p.strip() for p in re.split(r"[,;]", _text(raw)) if p.strip()]
        try:
            numbers = tuple(int(p) for p in parts)
        except ValueError:
            raise fail(N_("Whole numbers separated by commas are needed.")) from None
        return tuple(sorted(set(numbers))) if kind is Kind.years else numbers
    if kind is Kind.time:
        text = _text(raw) if not isinstance(raw, datetime) else raw.strftime("%H:%M")
        if hasattr(raw, "hour") and not isinstance(raw, datetime):
            text = f"{raw.hour:02d}:{raw.minute:02d}"
        if len(text) == 4 and text[1] == ":":
            text = "0" + text
        if not _TIME.match(text):
            raise fail(N_("A time such as 09:00 is needed."))
        return text
    if kind is Kind.period:
        text = (
            str(int(raw))
            if isinstance(raw, int | float) and not isinstance(raw, bool)
            else _text(raw)
        )
        if not _PERIOD.match(text):
            raise fail(N_("A year (2025) or a month (2025-06) is needed."))
        return text
    raise fail(N_("This column cannot be read."))  # a datetime column is in read-only sheets only


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    return str(raw).strip()


def _decimal(raw: Any, column: Column, context: _Context) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return raw
    if not isinstance(raw, str):
        return None
    # spaces only ever group digits ("1 500,50"); Babel wants its locale's own space for that
    text = re.sub(r"[\s\u00a0\u202f]", "", raw.replace("€", "").replace("%", ""))
    text = text.replace("\u2212", "-")  # the minus sign the bot's fi and sv numbers show
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        value: Decimal | None = Decimal(text)
    else:
        value = _locale_decimal(text, context.t.language)
    if value is not None and context.typed:
        context.warn(
            column, N_("A number typed as text: read as {value}."), value=context.t.number(value)
        )
    return value


def _locale_decimal(text: str, language: str) -> Decimal | None:
    """Text in the admin's locale ("1 500,50"), or else in another: ("1,500.50")."""
    order = [language, *(other for other in LANGUAGES if other != language)]
    for candidate in order:
        try:
            return Decimal(parse_decimal(text, locale=_BABEL[candidate], strict=True))
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
    return None


def _date_text(text: str) -> date | None:
    if len(text) >= 10 and text[4] == "-":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    match = _FI_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
