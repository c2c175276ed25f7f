"""The workbook: an export imported again changes nothing, edits change exactly what was
edited, and every bad file gets a clear message with the database left as it was."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from random import Random
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import text

from bench.portfolio import generate_portfolio
from storage.db import SessionFactory, transaction, write_transaction
from storage.demo import load_demo
from storage.workbook import (
    Plan,
    PlanOutdated,
    WorkbookRefused,
    apply_plan,
    export_workbook,
    read_workbook,
)
from storage.workbook.reader import _scan
from storage.workbook.sheets import SHEETS, fold, headers, translator
from tests.support.workbooks import column_of, edit, row_of, title

TODAY = date(2026, 11, 29)


async def demo(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await load_demo(session, today=TODAY)


async def export(sessions: SessionFactory, language: str = "en", people: bool = True) -> bytes:
    async with sessions() as session:
        return await export_workbook(session=session, language=language, include_people=people)


async def check(sessions: SessionFactory, data: bytes, language: str = "en") -> Plan:
    async with sessions() as session:
        return await read_workbook(data, language=language, session=session)


async def snapshot(sessions: SessionFactory) -> list[Any]:
    """Everything the import can write, as plain rows."""
    tables = (
        "programme",
        "theme",
        "indicatorset",
        "indicatorvalue",
        "roadmap",
        "person",
        "director",
        "budgetline",
        "project",
        "roadmapproject",
        "projectmetric",
        "auditlog",
    )
    async with sessions() as session:
        return [
            [
                tuple(row)
                for row in (
                    await (await session.connection()).execute(
                        text(f"SELECT * FROM {t} ORDER BY 1")  # noqa: S608  (our table names)
                    )
                ).all()
            ]
            for t in tables
        ]


# ---------------------------------------------------------------------------------------
# The format
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_titles_and_headers_are_distinct_in_every_language(language: str) -> None:
    t = translator(language)
    titles = [fold(t(sheet.title)) for sheet in SHEETS]
    assert len(set(titles)) == len(titles)
    assert all(len(t(sheet.title)) <= 31 for sheet in SHEETS)
    for sheet in SHEETS:
        names = [fold(t(c.header)) for c in sheet.columns]
        assert len(set(names)) == len(names), sheet.key
        # and no header means another column in another language
        assert len(set(headers(sheet.key).values())) == len(sheet.columns)


async def test_the_export_is_tables_with_formats_and_drop_downs(sessions: SessionFactory) -> None:
    await demo(sessions)
    data = await export(sessions, "fi")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "Lue minut"
    projects = workbook["Projektit"]
    assert projects.freeze_panes == "A2"
    assert list(projects.tables) == ["T_projects"]
    assert projects.column_dimensions["A"].width == 10
    money = projects.cell(2, column_of(projects, "projects", "planned_cents"))
    assert "€" in money.number_format
    progress = projects.cell(2, column_of(projects, "projects", "progress"))
    assert "%" in progress.number_format and 0 <= progress.value <= 1
    lists = {
        str(next(iter(dv.sqref.ranges)).coord).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in projects.data_validations.dataValidation
    }
    health = projects.cell(1, column_of(projects, "projects", "health")).column_letter
    t = translator("fi")
    assert lists[health] == '"' + ",".join(t(x) for x in ("On track", "At risk", "Off track")) + '"'
    assert projects.cell(1, 1).value == "Tunnus"
    # a manager's export has no people and no e-mails
    no_people = load_workbook(io.BytesIO(await export(sessions, "en", people=False)))
    assert "People" not in no_people.sheetnames
    owners = no_people["Projects"]
    owner = column_of(owners, "projects", "owner")
    assert all(owners.cell(r, owner).value is None for r in range(2, owners.max_row + 1))
    assert "Status history" in no_people.sheetnames


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------


async def test_the_demo_round_trip_is_exact(sessions: SessionFactory) -> None:
    await demo(sessions)
    for language in ("fi", "sv", "en"):
        data = await export(sessions, language)
        plan = await check(sessions, data, language)
        assert plan.ok and plan.warnings == [], (plan.errors, plan.warnings)
        assert plan.changes == []
        assert (
            plan.sheets["projects"].unchanged == 80
        )  # the demo's projects (storage/demo_data/projects.csv)

    def three(workbook: Workbook) -> None:
        ws = workbook["Projects"]
        row = row_of(ws, "DR24-08")
        ws.cell(row, column_of(ws, "projects", "progress")).value = 0.81
        ws.cell(row, column_of(ws, "projects", "name_sv")).value = "Chattbot"
        budget = workbook["Budget"]
        budget.cell(7, column_of(budget, "budget", "actual_cents")).value = 140_000.5

    before = await snapshot(sessions)
    data = edit(await export(sessions, "en"), three)
    plan = await check(sessions, data)
    assert plan.ok
    changed = sorted((c.sheet, c.key, tuple(sorted(c.fields))) for c in plan.changes)
    assert changed == [
        ("budget", (2025, "data_analytics"), ("actual_cents",)),
        ("projects", ("DR24-08",), ("name_sv", "progress")),
    ]
    assert plan.changes[0].fields or True
    assert await snapshot(sessions) == before  # checking writes nothing
    async with sessions() as session:
        demo_audit = (
            await (await session.connection()).execute(text("SELECT MAX(id) FROM auditlog"))
        ).scalar_one()  # the demo's own load came in through the import, audited too
    async with write_transaction(sessions) as session:
        await apply_plan(plan, session=session, actor=None)
    async with sessions() as session:
        row = (
            await (await session.connection()).execute(
                text("SELECT progress, name_sv FROM project WHERE code = 'DR24-08'")
            )
        ).one()
        assert tuple(row) == (81, "Chattbot")
        audit = (
            await (await session.connection()).execute(
                text(
                    "SELECT action, entity, entity_id FROM auditlog"
                    " WHERE action LIKE 'workbook.%' AND id > :demo ORDER BY id"
                ),
                {"demo": demo_audit},
            )
        ).all()
    assert sorted(tuple(a) for a in audit) == [
        ("workbook.change", "budget", "2025/data_analytics"),
        ("workbook.change", "projects", "DR24-08"),
    ]
    assert (await check(sessions, data)).changes == []


async def test_an_apply_over_a_changed_database_writes_nothing(sessions: SessionFactory) -> None:
    await demo(sessions)
    data = edit(await export(sessions), lambda wb: setattr(wb["Projects"].cell(2, 2), "value", "X"))
    plan = await check(sessions, data)
    async with transaction(sessions) as session:
        await (await session.connection()).execute(
            text("UPDATE project SET name_fi = 'Y' WHERE code = 'DR24-01'")
        )
    before = await snapshot(sessions)
    with pytest.raises(PlanOutdated):
        async with write_transaction(sessions) as session:
            await apply_plan(plan, session=session, actor=None)
    assert await snapshot(sessions) == before


EDITABLE: dict[str, dict[str, Callable[[Random], object]]] = {
    "projects": {
        "progress": lambda rng: rng.randint(0, 100) / 100,
        "name_en": lambda rng: f"Renamed {rng.randint(1, 10**6)}",
        "planned_cents": lambda rng: rng.randint(0, 10**6) + rng.randint(0, 99) / 100,
        "end_date": lambda rng: date(2027, rng.randint(1, 12), rng.randint(1, 28)),
    },
    "budget": {"forecast_cents": lambda rng: float(rng.randint(1, 10**7))},
}


@pytest.mark.parametrize("seed", range(4))
async def test_a_generated_portfolio_round_trips_and_edits_are_exactly_the_changes(
    database_url: str, sessions: SessionFactory, seed: int
) -> None:
    async with transaction(sessions) as session:
        await generate_portfolio(session, projects=150, months=3, seed=seed, today=TODAY)
    language = ("fi", "sv", "en")[seed % 3]
    data = await export(sessions, language)
    plan = await check(sessions, data, "en")
    assert plan.ok and plan.changes == [], plan.errors[:3]

    rng = Random(seed)
    expected: set[tuple[str, tuple[Any, ...], str]] = set()

    def three(workbook: Workbook) -> None:
        while len(expected) < 3:
            sheet = rng.choice(sorted(EDITABLE))
            ws = workbook[title(sheet, language)]
            row = rng.randint(2, ws.max_row)
            field = rng.choice(sorted(EDITABLE[sheet]))
            cell = ws.cell(row, column_of(ws, sheet, field))
            new = EDITABLE[sheet][field](rng)
            if cell.value == new or any(e[0] == sheet and e[2] == field for e in expected):
                continue
            cell.value = new
            key = (
                (ws.cell(row, 1).value,)
                if sheet == "projects"
                else (ws.cell(row, 1).value, ws.cell(row, 2).value)
            )
            expected.add((sheet, key, field))

    plan = await check(sessions, edit(data, three))
    assert plan.ok, plan.errors
    assert {(c.sheet, c.key, f) for c in plan.changes for f in c.fields} == expected


# ---------------------------------------------------------------------------------------
# Bad files: a clear message, and nothing written
# ---------------------------------------------------------------------------------------


async def attempt(sessions: SessionFactory, data: bytes, language: str = "en") -> Plan | str:
    """Check the file and apply it if it passed; what the admin would read."""
    try:
        async with write_transaction(sessions) as session:
            plan = await read_workbook(data, language=language, session=session)
            if plan.ok:
                await apply_plan(plan, session=session, actor=None)
            return plan
    except WorkbookRefused as refused:
        return str(refused)


def rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, change(entry.filename, source.read(entry)))
    return out.getvalue()


@pytest.fixture
async def demo_file(sqlite_url: str, sessions: SessionFactory) -> bytes:
    await demo(sessions)
    return await export(sessions)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: b"name;code\nx;y\n", "The file is not an Excel workbook (.xlsx)."),
        (lambda good: good[: len(good) // 2], "The file is not an Excel workbook (.xlsx)."),
        (lambda good: good + b"\0" * (10 * 1024 * 1024), "The file is larger than 10 MB."),
        (
            lambda good: rezip(
                good,
                lambda name, body: body.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ),
            ),
            "Workbooks with macros (.xlsm) are refused: save it as an .xlsx workbook.",
        ),
    ],
    ids=["not-a-zip", "corrupt-zip", "over-10-mb", "xlsm"],
)
async def test_files_that_are_refused_whole(
    demo_file: bytes, sessions: SessionFactory, make: Callable[[bytes], bytes], message: str
) -> None:
    before = await snapshot(sessions)
    assert await attempt(sessions, make(demo_file)) == message
    assert await snapshot(sessions) == before


async def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(demo_file)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
        target.writestr("xl/media/padding.bin", b"\0" * (101 * 1024 * 1024))
    assert len(bomb.getvalue()) < 10 * 1024 * 1024
    before = await snapshot(sessions)
    assert await attempt(sessions, bomb.getvalue()) == (
        "The workbook unpacks to more than 100 MB: it is refused."
    )
    assert await snapshot(sessions) == before


def messages(plan: Plan | str) -> list[str]:
    assert isinstance(plan, Plan), plan
    return [str(issue) for issue in plan.errors]


def cell_edit(sheet: str, code: str | int, field: str, value: Any) -> Callable[[Workbook], None]:
    def change(workbook: Workbook) -> None:
        ws = workbook[title(sheet)]
        ws.cell(row_of(ws, code), column_of(ws, sheet, field)).value = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            cell_edit("projects", "DR24-02", "code", "DR24-01"),
            "Projects / 3 / Code: Duplicated: row 2 has the same key.",
        ),
        (
            cell_edit("projects", "DR24-08", "owner", "nobody@porvoo.example"),
            "Projects / 9 / Owner (e-mail): No person has the e-mail nobody@porvoo.example.",
        ),
        (
            cell_edit("budget", 2025, "planned_cents", -5),
            "Budget / 7 / Planned: Money cannot be negative.",
        ),
        (
            cell_edit("projects", "DR24-08", "progress", 1.5),
            "Projects / 9 / Progress: A percentage from 0 to 100 is needed, not 150 %.",
        ),
        (
            cell_edit("projects", "DR24-08", "start_date", "next spring"),
            "Projects / 9 / Start: Not a date: next spring (write for example 2025-01-31).",
        ),
        (
            lambda wb: wb["Projects"].delete_cols(column_of(wb["Projects"], "projects", "level")),
            "Projects / 1 / Level: A required column is missing.",
        ),
        (
            lambda wb: wb["Projects"].merge_cells("B3:C3"),
            "Projects: Merged cells (B3:C3): unmerge them, then send the file again.",
        ),
        (
            lambda wb: setattr(wb["Budget"], "sheet_state", "hidden"),
            "Budget: The sheet is hidden: show it or delete it, then send the file again.",
        ),
    ],
    ids=[
        "duplicated-code",
        "unknown-owner",
        "negative-budget",
        "progress-150",
        "date-text",
        "missing-column",
        "merged-cells",
        "hidden-sheet",
    ],
)
async def test_bad_rows_are_reported_and_nothing_is_written(
    demo_file: bytes, sessions: SessionFactory, change: Callable[[Workbook], None], expected: str
) -> None:
    before = await snapshot(sessions)
    assert expected in messages(await attempt(sessions, edit(demo_file, change)))
    assert await snapshot(sessions) == before


async def test_errors_are_in_the_admins_language(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    data = edit(demo_file, cell_edit("projects", "DR24-08", "progress", 1.5))
    assert "Projektit / 9 / Edistyminen: Tarvitaan prosentti väliltä 0–100, ei 150 %." in messages(
        await attempt(sessions, data, "fi")
    )


async def test_numbers_and_dates_typed_as_text_are_read_with_a_warning(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    for typed, language in (
        ("1 500,50", "fi"),
        ("1,500.50", "fi"),
        ("1,500.50 €", "en"),
        ("1 500,50", "en"),
    ):
        data = edit(demo_file, cell_edit("projects", "DR24-08", "planned_cents", typed))
        plan = await check(sessions, data, language)
        assert plan.ok, (typed, plan.errors)
        [change] = plan.changes
        assert change.fields["planned_cents"][1] == 150_050, typed
        assert any("typed as text" in str(w) or "tekstinä" in str(w) for w in plan.warnings)
    data = edit(demo_file, cell_edit("projects", "DR24-08", "end_date", "31.12.2027"))
    plan = await check(sessions, data)
    assert plan.changes[0].fields["end_date"][1] == date(2027, 12, 31)
    assert [str(w) for w in plan.warnings] == [
        "Projects / 9 / End: A date typed as text: read as 31 December 2027."
    ]


async def test_unknown_columns_and_sheets_are_ignored_with_a_warning(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    def add(workbook: Workbook) -> None:
        ws = workbook["Projects"]
        ws.cell(1, ws.max_column + 1).value = "My notes"
        workbook.create_sheet("Scratch")["A1"] = "x"

    plan = await check(sessions, edit(demo_file, add))
    assert plan.ok and plan.changes == []
    assert [str(w) for w in plan.warnings] == [
        "Scratch: This sheet is not one the import knows: it was ignored.",
        "Projects / 1 / My notes: The import does not know this column: it was ignored.",
    ]


async def test_headers_in_any_language_and_order(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    def shuffle(workbook: Workbook) -> None:
        ws = workbook["Projects"]
        ws.cell(1, column_of(ws, "projects", "name_fi")).value = "Nimi (fi)"
        ws.cell(1, column_of(ws, "projects", "state")).value = "Skede"
        ws.move_range(f"A1:A{ws.max_row}", cols=ws.max_column)
        ws.title = "Projektit"

    plan = await check(sessions, edit(demo_file, shuffle))
    assert plan.ok and plan.changes == [], plan.errors


async def test_a_workbook_written_before_the_glossarys_terms_imports_as_it_went_out(
    sessions: SessionFactory,
) -> None:
    """Titles, headers and labels as the catalogs wrote them before docs/glossary.md."""
    await demo(sessions)
    former = {  # the words of then, in place of today's
        "sv": {
            "Rapporteringsomgång": "Cykel",
            "Budgeterat": "Planerat",
            "Sista svarsdag efter arbetsdagar": "Förfaller efter arbetsdagar",
            "Påminnelser (arbetsdagar från sista svarsdagen)": (
                "Påminnelser (arbetsdagar från förfallodag)"
            ),
            "Slutfört": "Slutförda",
            "Avbrutet": "Inställda",
            "Huvudanvändare": "Administratör",
            "Digital grund och informationssäkerhet": "Digital grund och säkerhet",
        },
        "fi": {
            "Budjetoitu": "Suunniteltu",
            "Suunnitteilla": "Suunniteltu",
            "Indikaattorien arvot": "Mittarien arvot",
            "Määräpäivä työpäivinä": "Määräaika työpäivinä",
        },
    }
    for language, words in former.items():
        replaced: set[str] = set()

        def back_then(
            workbook: Workbook, words: dict[str, str] = words, replaced: set[str] = replaced
        ) -> None:
            for ws in workbook.worksheets:
                if ws.title in words:
                    replaced.add(ws.title)
                    ws.title = words[ws.title]
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and cell.value in words:
                            replaced.add(cell.value)
                            cell.value = words[cell.value]

        data = edit(await export(sessions, language), back_then)
        assert replaced == set(words), "today's export writes today's words"
        plan = await check(sessions, data, language)
        assert plan.ok and plan.changes == [] and plan.warnings == [], (plan.errors, plan.warnings)


def _with_formula(sheet_xml: bytes, cell: str, cached: bool) -> bytes:
    pattern = re.compile(rb'<c r="' + cell.encode() + rb'"([^>]*)><v>([^<]*)</v></c>')
    value = b"<v>\\2</v>" if cached else b""
    replaced, count = pattern.subn(
        rb'<c r="' + cell.encode() + rb'"\1><f>1+1</f>' + value + b"</c>", sheet_xml
    )
    assert count == 1
    return replaced


async def test_formulas_are_read_as_their_cached_values(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    workbook = load_workbook(io.BytesIO(demo_file), read_only=True)
    sheet_index = workbook.sheetnames.index("Budget") + 1
    workbook.close()
    path = f"xl/worksheets/sheet{sheet_index}.xml"
    column = "F"  # planned
    cached = rezip(
        demo_file,
        lambda name, body: _with_formula(body, f"{column}3", True) if name == path else body,
    )
    plan = await check(sessions, cached)
    assert plan.ok and plan.changes == [] and plan.warnings == []
    uncached = rezip(
        demo_file,
        lambda name, body: _with_formula(body, f"{column}3", False) if name == path else body,
    )
    before = await snapshot(sessions)
    result = await attempt(sessions, uncached)
    assert isinstance(result, Plan)
    assert "Budget / 3 / Planned: A formula with no saved value: it was read as empty." in [
        str(w) for w in result.warnings
    ]
    assert "Budget / 3 / Planned: This column is required." in messages(result)
    assert await snapshot(sessions) == before


async def test_100000_empty_formatted_rows_end_where_the_data_ends(
    demo_file: bytes, sessions: SessionFactory
) -> None:
    source = load_workbook(io.BytesIO(demo_file), read_only=True)
    budget = [list(row) for row in source["Budget"].iter_rows(values_only=True)]
    source.close()
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Budget")
    for row in budget:
        ws.append(row)
    from openpyxl.cell import WriteOnlyCell

    for _ in range(100_000):
        blank = WriteOnlyCell(ws)
        blank.font = Font(bold=True)
        ws.append([blank, blank])
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert xml.count(b"<row") > 100_000
    assert _scan(xml).last_row == len(budget)
    before = await snapshot(sessions)
    plan = await attempt(sessions, data)
    assert isinstance(plan, Plan) and plan.ok, plan
    assert plan.sheets["budget"].unchanged == len(budget) - 1
    assert await snapshot(sessions) == before
