"""The demo portfolio holds the seed deck's facts, on SQLite and on PostgreSQL.

Each backend gets one fresh database, migrated with Alembic and loaded once with
``today = 2026-11-29``; the tests then check it with plain SQL of their own.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]  # no stubs
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import create_engine, session_factory, transaction, upgrade
from storage.demo import (
    ACHIEVEMENTS,
    DEMO_MANAGER_AAD,
    DEMO_OWNER_AAD,
    DEMO_VIEWER_AAD,
    NEXT_STEPS,
    RISKS,
    demo_files,
    load_demo,
)
from translations import LANGUAGES, language_of

TODAY = date(2026, 11, 29)
PG_SERVER = os.environ.get("ROADMAP_TEST_PG", "127.0.0.1:5432")
LAST_SIX_PERIODS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up code on its own event loop, away from the tests' loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _migrate_and_load(url: str) -> bool:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await load_demo(session, today=TODAY)
    finally:
        await engine.dispose()


async def _postgres(sql: str) -> None:
    host, _, port = PG_SERVER.partition(":")
    connection = await asyncpg.connect(
        host=host, port=int(port or 5432), user="postgres", database="test", timeout=5
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    loaded: bool  # what the first load_demo returned


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoDatabase]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        url = f"sqlite+aiosqlite:///{path}"
        yield DemoDatabase(url, _run(_migrate_and_load(url)))
        return
    name = f"roadmap_demo_{uuid.uuid4().hex}"
    try:
        _run(_postgres(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL is not reachable at {PG_SERVER} (database test): {exc!r}"
        if os.environ.get("ROADMAP_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    url = f"postgresql+asyncpg://postgres@{PG_SERVER}/{name}"
    try:
        yield DemoDatabase(url, _run(_migrate_and_load(url)))
    finally:
        _run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def db(demo_db: DemoDatabase) -> AsyncIterator[AsyncConnection]:
    engine = create_engine(demo_db.url)
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


async def rows(db: AsyncConnection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await db.execute(text(sql), params)).all()]


async def scalar(db: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await db.execute(text(sql), params)).scalar_one()


ON_ROADMAP = """
    FROM project p
    JOIN roadmapproject rp ON rp.project_id = p.id
    JOIN roadmap r ON r.id = rp.roadmap_id
    WHERE r.year = :year
"""


async def test_ta25_is_the_decks_budget(db: AsyncConnection) -> None:
    lines = dict(await rows(db, "SELECT area, planned_cents FROM budgetline WHERE year = 2025"))
    assert lines == {
        "data_analytics": 15_000_000,
        "tosi": 50_000_000,
        "tori": 80_000_000,
        "digital_foundation": 600_000_000,
        "digital_programme": 50_000_000,
    }
    assert await scalar(db, "SELECT SUM(planned_cents) FROM budgetline WHERE year = 2025") == (
        795_000_000
    )
    names = await rows(db, "SELECT name_fi, name_sv, name_en FROM budgetline WHERE year = 2025")
    # the deck's own names: "Data & Analytiikka", and the programme's line is an estimate
    assert ("Data & Analytiikka", "Data och analys", "Data & Analytics") in names
    assert (
        "Arvio vuoden 2025 digiohjelmasta",
        "Uppskattning av digitaliseringsprogrammet 2025",
        "Estimate for the 2025 digital programme",
    ) in names
    assert {year for (year,) in await rows(db, "SELECT DISTINCT year FROM budgetline")} == {
        2024,
        2025,
        2026,
    }
    # every project's budget area is a budget line's area
    assert (
        await rows(
            db,
            "SELECT code FROM project WHERE budget_area NOT IN (SELECT area FROM budgetline)",
        )
        == []
    )


async def test_roadmap_2025_needs_come_from_1_end_of_support_9_laws_16_strategy(
    db: AsyncConnection,
) -> None:
    needs = dict(
        await rows(db, f"SELECT p.need_source, COUNT(*) {ON_ROADMAP} GROUP BY 1", year=2025)
    )
    assert needs == {"end_of_support": 1, "law": 9, "strategy": 16}
    spread = await rows(
        db,
        f"SELECT COUNT(DISTINCT p.level), COUNT(DISTINCT p.benefit), COUNT(DISTINCT p.director_id),"
        f" COUNT(DISTINCT p.theme_id) {ON_ROADMAP}",
        year=2025,
    )
    assert spread == [(4, 3, 10, 3)]
    states = dict(await rows(db, f"SELECT p.state, COUNT(*) {ON_ROADMAP} GROUP BY 1", year=2025))
    assert set(states) == {"started", "planned"}


async def test_three_approved_roadmaps_and_projects_continue_between_years(
    db: AsyncConnection,
) -> None:
    roadmaps = await rows(db, "SELECT year, state, approved_on FROM roadmap ORDER BY year")
    assert [(year, state, str(day)) for year, state, day in roadmaps] == [
        (2024, "approved", "2024-01-22"),
        (2025, "approved", "2024-11-18"),
        (2026, "approved", "2025-11-17"),
    ]
    continuing = """
        SELECT COUNT(*) FROM roadmapproject a
        JOIN roadmap ra ON ra.id = a.roadmap_id AND ra.year = :first
        JOIN roadmapproject b ON b.project_id = a.project_id
        JOIN roadmap rb ON rb.id = b.roadmap_id AND rb.year = :first + 1
    """
    assert await scalar(db, continuing, first=2024) >= 1
    assert await scalar(db, continuing, first=2025) >= 1


NOT_ON_2024_OR_2025 = """
    AND p.id NOT IN (SELECT x.project_id FROM roadmapproject x
    JOIN roadmap y ON y.id = x.roadmap_id WHERE y.year IN (2024, 2025))
"""
ALSO_ON_2024 = """
    AND p.id IN (SELECT x.project_id FROM roadmapproject x
    JOIN roadmap y ON y.id = x.roadmap_id WHERE y.year = 2024)
"""
SEED_COMPLETED = ("DR24-01", "DR24-02", "DR24-03", "DR24-04", "DR24-05", "DR24-06")


async def test_six_completed_2024_projects_carry_the_decks_impacts_and_costs(
    db: AsyncConnection,
) -> None:
    seed = "FROM project p WHERE p.code IN ('DR24-01', 'DR24-02', 'DR24-03', 'DR24-04', 'DR24-05',"
    seed += " 'DR24-06')"
    assert await rows(db, f"SELECT COUNT(*), MIN(p.progress), MAX(p.progress) {seed}") == [
        (6, 100, 100)
    ]
    assert await rows(db, f"SELECT DISTINCT p.state, p.health {seed}") == [
        ("completed", "on_track")
    ]
    # the impact in all three languages, so a Finnish or Swedish card shows no English
    assert (
        await scalar(
            db,
            f"SELECT COUNT(*) {seed} AND (p.impact_fi = '' OR p.impact_sv = ''"
            " OR p.impact_en = '' OR p.impact_fi IS NULL OR p.impact_sv IS NULL)",
        )
        == 0
    )
    assert "15 000 €" in await scalar(db, f"SELECT p.impact_fi {seed} AND p.code = 'DR24-05'")
    costs = await rows(
        db,
        f"SELECT p.code, p.one_time_cost_cents, p.recurring_cost_cents_per_year,"
        f" p.savings_cents_per_year, p.planned_cents, p.funding {seed} ORDER BY p.code",
    )
    assert costs == [
        # ticket sales and Kartalla: €/year
        ("DR24-01", None, 310_000, None, 310_000, "city_budget"),
        # cyber meter and ICT continuity: one-time, with project funding
        ("DR24-02", 280_000, None, None, 280_000, "project_grant"),
        ("DR24-03", None, 570_000, None, 570_000, "city_budget"),
        # invasive plants and stormwater wells: the deck gives a cost and does not say
        # one-time or yearly, so it is the project's cost only
        ("DR24-04", None, None, None, 875_000, "city_budget"),
        ("DR24-05", None, None, 1_500_000, 990_000, "city_budget"),
        ("DR24-06", 1_240_000, None, None, 1_240_000, "project_grant"),
    ]
    on_2024 = await rows(
        db, f"SELECT p.code {ON_ROADMAP} AND p.state = 'completed' ORDER BY 1", year=2024
    )
    assert set(SEED_COMPLETED) <= {code for (code,) in on_2024}
    # so are the filler projects completed on roadmap 2024: 18 in all, none without an impact
    assert len(on_2024) == 18
    assert (
        await scalar(
            db,
            f"SELECT COUNT(*) {ON_ROADMAP} AND p.state = 'completed' AND (p.impact_fi = ''"
            " OR p.impact_sv = '' OR p.impact_en = '')",
            year=2024,
        )
        == 0
    )


async def test_every_impact_text_is_in_finnish_swedish_and_english(db: AsyncConnection) -> None:
    """A project with an impact text has it in all three languages, each its own: a Finnish
    or Swedish card never falls back to the English text."""
    impacts = await rows(
        db,
        "SELECT code, impact_fi, impact_sv, impact_en FROM project"
        " WHERE impact_fi <> '' OR impact_sv <> '' OR impact_en <> '' ORDER BY code",
    )
    assert len(impacts) == 44  # the completed projects and the started ones described
    for code, fi, sv, en in impacts:
        assert fi.strip() and sv.strip() and en.strip(), code
        assert len({fi.strip(), sv.strip(), en.strip()}) == 3, code


async def test_the_public_follow_up_of_december_2025(db: AsyncConnection) -> None:
    """Roadmaps 2024 and 2025: 52 actions, 18 completed, 26 ongoing; 2026 adds 28, 13 by law."""
    both = """
        FROM project p WHERE p.id IN (SELECT rp.project_id FROM roadmapproject rp
        JOIN roadmap r ON r.id = rp.roadmap_id WHERE r.year IN (2024, 2025))
    """
    assert await scalar(db, f"SELECT COUNT(*) {both}") == 52
    states = dict(await rows(db, f"SELECT p.state, COUNT(*) {both} GROUP BY 1"))
    assert states["completed"] == 18
    assert states["started"] == 26
    new_2026 = f"{ON_ROADMAP} {NOT_ON_2024_OR_2025}"
    assert await scalar(db, f"SELECT COUNT(*) {new_2026}", year=2026) == 28
    assert (
        await scalar(db, f"SELECT COUNT(*) {new_2026} AND p.need_source = 'law'", year=2026) == 13
    )
    # about a third of roadmap 2025 was planned a year ahead, on roadmap 2024
    on_2025 = await scalar(db, f"SELECT COUNT(*) {ON_ROADMAP}", year=2025)
    ahead = await scalar(
        db,
        f"SELECT COUNT(*) {ON_ROADMAP} {ALSO_ON_2024}",
        year=2025,
    )
    assert (on_2025, ahead) == (26, 9)


def test_invented_projects_are_marked_as_filler() -> None:
    files = demo_files()
    codes = [row[0] for row in files.sheets["projects"][1:]]
    assert len(codes) == 80
    assert files.filler == frozenset(codes) - set(SEED_COMPLETED)


async def test_kake_is_the_director_of_education_and_culture(db: AsyncConnection) -> None:
    titles = dict(
        (key, (fi, en))
        for key, fi, en in await rows(db, "SELECT key, title_fi, title_en FROM director")
    )
    assert titles["education_culture"] == (
        "Kasvatuksen ja kulttuurin johtaja",  # the deck's "Kaken johtaja"
        "Director of Education and Culture",
    )
    assert titles["development"] == ("Kehitysjohtaja", "Development Director")
    holders = dict(await rows(db, "SELECT key, person_id FROM director"))
    assert holders["education_culture"] != holders["development"]


async def test_programme_themes_directors_and_indicators(db: AsyncConnection) -> None:
    programme = await rows(
        db, "SELECT name_fi, name_sv, name_en, start_year, end_year, approved_on FROM programme"
    )
    assert len(programme) == 1
    *names, start, end, approved = programme[0]
    assert names == [
        "Porvoon digiohjelma 2024–2026",
        "Borgå digitaliseringsprogram 2024–2026",
        "Porvoo Digital Programme 2024–2026",
    ]
    assert (start, end, str(approved)) == (2024, 2026, "2024-01-22")
    assert await scalar(db, "SELECT COUNT(*) FROM theme") == 3
    assert await scalar(db, "SELECT COUNT(*) FROM capability") >= 3

    directors = await rows(
        db, "SELECT d.key, p.role FROM director d JOIN person p ON p.id = d.person_id"
    )
    assert len(directors) == 10
    assert {role for _, role in directors} == {"manager"}
    assert {"finance", "development", "porvoo_water", "meal_cleaning"} <= {k for k, _ in directors}

    assert await scalar(db, "SELECT COUNT(*) FROM indicatorset") == 9
    periods = await rows(
        db,
        "SELECT i.code, COUNT(v.id) FROM indicatorset i JOIN indicatorvalue v"
        " ON v.indicator_set_id = i.id AND v.period IN ('2024', '2025') GROUP BY i.code",
    )
    assert len(periods) == 9
    assert {count for _, count in periods} == {2}
    assert await scalar(db, "SELECT COUNT(*) FROM indicatorset WHERE target IS NULL") == 0


async def test_status_history_closes_past_periods_and_leaves_this_month_open(
    db: AsyncConnection,
) -> None:
    closed = await scalar(
        db,
        "SELECT COUNT(DISTINCT s.period) FROM statusreport s"
        " JOIN reportingperiod r ON r.period = s.period WHERE r.closed_at IS NOT NULL",
    )
    assert closed >= 6
    assert await scalar(db, "SELECT COUNT(*) FROM statusreport WHERE period >= '2026-11'") == 0
    assert await scalar(db, "SELECT COUNT(*) FROM reportingperiod WHERE period >= '2026-11'") == 0
    assert await rows(db, "SELECT period FROM reportingperiod WHERE closed_at IS NULL") == [
        ("2026-10",)
    ]
    assert (
        await scalar(
            db,
            "SELECT COUNT(*) FROM statusreport"
            " WHERE period NOT IN (SELECT period FROM reportingperiod)",
        )
        == 0
    )
    # every started project answered each of the six months before this one
    missing = await rows(
        db,
        "SELECT p.code FROM project p WHERE p.state = 'started' AND (SELECT COUNT(*)"
        " FROM statusreport s WHERE s.project_id = p.id AND s.period BETWEEN :a AND :b) < 6",
        a=LAST_SIX_PERIODS[0],
        b=LAST_SIX_PERIODS[-1],
    )
    assert missing == []
    assert (
        await scalar(
            db,
            "SELECT COUNT(*) FROM statusreport s JOIN project p ON p.id = s.project_id"
            " WHERE p.state <> 'started'",
        )
        == 0
    )


async def test_started_projects_show_their_latest_report(db: AsyncConnection) -> None:
    started = await rows(
        db,
        "SELECT code, progress, health, actual_cents, forecast_cents FROM project"
        " WHERE state = 'started' ORDER BY code",
    )
    latest = await rows(
        db,
        "SELECT p.code, s.progress, s.health, s.spent_cents, s.forecast_cents"
        " FROM statusreport s JOIN project p ON p.id = s.project_id"
        " WHERE s.period = (SELECT MAX(period) FROM statusreport x WHERE x.project_id = p.id)"
        " AND p.state = 'started' ORDER BY p.code",
    )
    assert len(started) >= 20
    assert started == latest
    assert {health for _, _, health, _, _ in started} >= {"on_track", "at_risk", "off_track"}


async def test_history_rises_and_every_answer_is_kept(db: AsyncConnection) -> None:
    history = await rows(
        db, "SELECT project_id, period, progress, spent_cents FROM statusreport ORDER BY 1, 2"
    )
    for before, after in itertools.pairwise(history):
        if before[0] == after[0]:
            assert after[2] >= before[2], (before, after)
            assert after[3] >= before[3], (before, after)
    # a report holds its last revision's values; revisions are numbered 1..n
    mismatched = await rows(
        db,
        "SELECT s.id FROM statusreport s JOIN statusrevision v"
        " ON v.report_id = s.id AND v.number = s.revision"
        " WHERE v.progress <> s.progress OR v.spent_cents <> s.spent_cents"
        " OR v.health <> s.health OR v.submitted_at <> s.submitted_at",
    )
    assert mismatched == []
    counts = await rows(
        db,
        "SELECT s.revision, COUNT(v.id), MAX(v.number) FROM statusreport s"
        " JOIN statusrevision v ON v.report_id = s.id GROUP BY s.id, s.revision",
    )
    assert len(counts) == await scalar(db, "SELECT COUNT(*) FROM statusreport")
    assert all(revision == count == top for revision, count, top in counts)
    assert {revision for revision, _, _ in counts} == {1, 2}
    # every metric of a started project has a value for each of its project's periods
    gaps = await scalar(
        db,
        "SELECT COUNT(*) FROM projectmetric m JOIN statusreport s ON s.project_id = m.project_id"
        " LEFT JOIN metricvalue v ON v.metric_id = m.id AND v.period = s.period"
        " WHERE v.id IS NULL",
    )
    assert gaps == 0


def _written_in(language: str) -> set[str]:
    """Every status text the demo's owners write in ``language``."""
    return {
        text
        for table in (ACHIEVEMENTS[language], NEXT_STEPS[language], RISKS[language].values())
        for texts in table
        for text in texts
        if text
    }


def test_status_texts_say_the_same_in_each_language() -> None:
    # the same lists in the same shape, so an owner's language draws the same history
    shapes = {
        language: (
            [len(texts) for texts in ACHIEVEMENTS[language]],
            [len(texts) for texts in NEXT_STEPS[language]],
            {health: [bool(t) for t in texts] for health, texts in RISKS[language].items()},
        )
        for language in LANGUAGES
    }
    assert shapes["fi"] == shapes["sv"] == shapes["en"]
    fi, sv, en = (_written_in(language) for language in LANGUAGES)
    assert not fi & sv and not fi & en and not sv & en


async def test_owners_write_their_reports_in_their_own_language(db: AsyncConnection) -> None:
    answers = await rows(
        db,
        "SELECT p.code, o.locale, v.achievements, v.next_steps, v.risks FROM statusrevision v"
        " JOIN statusreport s ON s.id = v.report_id JOIN project p ON p.id = s.project_id"
        " JOIN person o ON o.id = p.owner_id",
    )
    languages = set()
    for code, locale, *written in answers:
        language = language_of(locale)
        languages.add(language)
        assert {text for text in written if text} <= _written_in(language), (code, written)
    # Petra Wikström, Erik Blomqvist, Anders Forsman and Oskar Lindroos write Swedish
    assert languages == {"fi", "sv"}


async def test_demo_people_match_the_playground_users(db: AsyncConnection) -> None:
    people = dict(
        (aad, (role, locale))
        for aad, role, locale in await rows(
            db,
            "SELECT aad_object_id, role, locale FROM person WHERE aad_object_id IN (:a, :b, :c)",
            a=DEMO_OWNER_AAD,
            b=DEMO_MANAGER_AAD,
            c=DEMO_VIEWER_AAD,
        )
    )
    assert people[DEMO_OWNER_AAD] == ("admin", "fi-FI")
    assert people[DEMO_MANAGER_AAD] == ("manager", "sv-FI")
    assert people[DEMO_VIEWER_AAD][0] == "viewer"
    assert people[DEMO_VIEWER_AAD][1].startswith("en")

    owned = await rows(
        db,
        "SELECT p.code, (SELECT COUNT(*) FROM projectmetric m WHERE m.project_id = p.id)"
        " FROM project p JOIN person o ON o.id = p.owner_id"
        " WHERE o.aad_object_id = :aad AND p.state = 'started' ORDER BY 2",
        aad=DEMO_OWNER_AAD,
    )
    assert [metrics for _, metrics in owned] == [0, 1, 2]
    assert (
        await scalar(db, "SELECT COUNT(*) FROM person WHERE email NOT LIKE '%@porvoo.example'") == 0
    )
    assert await scalar(db, "SELECT COUNT(DISTINCT aad_object_id) FROM person") == await scalar(
        db, "SELECT COUNT(*) FROM person"
    )


COUNT_ROWS = """
    SELECT (SELECT COUNT(*) FROM programme), (SELECT COUNT(*) FROM project),
        (SELECT COUNT(*) FROM person), (SELECT COUNT(*) FROM statusreport),
        (SELECT COUNT(*) FROM budgetline), (SELECT COUNT(*) FROM auditlog)
"""


async def test_loading_twice_loads_once(demo_db: DemoDatabase, db: AsyncConnection) -> None:
    assert demo_db.loaded is True
    before = await rows(db, COUNT_ROWS)
    await db.commit()

    engine = create_engine(demo_db.url)
    try:
        async with transaction(session_factory(engine)) as session:
            assert await load_demo(session, today=date(2027, 3, 1)) is False
    finally:
        await engine.dispose()

    assert await rows(db, COUNT_ROWS) == before
    assert await rows(db, "SELECT action, entity FROM auditlog WHERE action = 'demo.load'") == [
        ("demo.load", "programme")
    ]
    # the demo came in through the workbook import: one audit entry a row it added
    sources = await rows(db, "SELECT DISTINCT action FROM auditlog WHERE action <> 'demo.load'")
    assert sources == [("workbook.add",)]


def test_a_load_is_reproducible(tmp_path: Path) -> None:
    def history(url: str) -> list[tuple[Any, ...]]:
        async def read() -> list[tuple[Any, ...]]:
            engine = create_engine(url)
            try:
                async with engine.connect() as connection:
                    return await rows(
                        connection,
                        "SELECT p.code, s.period, s.revision, s.health, s.progress,"
                        " s.spent_cents, s.achievements, s.submitted_at FROM statusreport s"
                        " JOIN project p ON p.id = s.project_id ORDER BY 1, 2",
                    )
            finally:
                await engine.dispose()

        assert _run(_migrate_and_load(url)) is True
        return _run(read())

    first = history(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    assert first == history(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    assert len(first) > 100
