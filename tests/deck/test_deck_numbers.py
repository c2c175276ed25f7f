"""Every number on every slide, read back with python-pptx, against SQL on the same database.

Two decks of the demo (loaded with today = 2026-11-29): the seed's deck in Finnish
(approval of roadmap 2025, follow-up of 2024, as it is now), and a Swedish one for
roadmap 2026 as of the end of June 2026, rebuilt from the status history. The expected
figures come from the test's own SQL; they are formatted with the deck's Translator, so
what is compared is the numbers.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cards.labels import BENEFIT, HEALTH, LEVEL, NEED, STATE
from tests.support.deck import (
    NOW,
    TODAY,
    ZONE,
    SlideContent,
    aware,
    make_deck,
    read_deck,
    rows,
    slides_titled,
)
from translations import Translator

CASES = [(2025, None, "fi"), (2026, "2026-06", "sv")]


@dataclass
class Expected:
    """One project's figures in a deck, from the test's own SQL."""

    code: str
    state: str
    progress: int | None
    health: str | None
    spent: int | None
    forecast: int | None
    planned: int | None
    risks: str
    history: list[tuple[str, int]]


def _last_day(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


async def expected_projects(
    db: AsyncConnection, year: int, as_of: str | None
) -> dict[str, Expected]:
    projects = await rows(
        db,
        """SELECT p.id, p.code, p.state, p.progress, p.health, p.actual_cents, p.forecast_cents,
                  p.planned_cents, p.start_date, p.end_date
           FROM project p JOIN roadmapproject rp ON rp.project_id = p.id
           JOIN roadmap r ON r.id = rp.roadmap_id WHERE r.year = :year""",
        year=year,
    )
    reports = await rows(
        db,
        """SELECT id, project_id, period, health, progress, spent_cents, forecast_cents, risks,
                  first_submitted_at FROM statusreport ORDER BY period""",
    )
    revisions = await rows(
        db,
        """SELECT report_id, number, health, progress, spent_cents, forecast_cents, risks,
                  submitted_at FROM statusrevision ORDER BY number""",
    )
    period = as_of or f"{NOW.astimezone(ZONE):%Y-%m}"
    cutoff = datetime(
        int(period[:4]) + (period[5:] == "12"), int(period[5:]) % 12 + 1, 1, tzinfo=ZONE
    )
    known: dict[int, tuple[Any, ...]] = {}
    for report_id, _n, *values, at in revisions:
        if aware(at) < cutoff:
            known[report_id] = tuple(values)  # the latest number given by the cutoff wins
    by_project: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
    for report_id, project_id, report_period, *values, first_at in reports:
        if report_period <= period and aware(first_at) < cutoff:
            by_project.setdefault(project_id, []).append(
                (report_period, known.get(report_id, tuple(values)))
            )
    expected = {}
    last_day = _last_day(as_of) if as_of else TODAY
    for pid, code, state, progress, health, actual, forecast, planned, start, end in projects:
        start = date.fromisoformat(start) if isinstance(start, str) else start
        end = date.fromisoformat(end) if isinstance(end, str) else end
        history = by_project.get(pid, [])
        latest = history[-1][1] if history else None
        if as_of is None:
            shown_state = state
            shown_progress = 100 if state == "completed" else (progress if latest else None)
            shown_health = health if latest else None
            spent, fc = actual, forecast
        else:
            if state == "completed" and end <= last_day:
                shown_state = "completed"
            elif latest or (state != "planned" and start <= last_day):
                shown_state = "started"
            else:
                shown_state = "planned"
            shown_progress = 100 if shown_state == "completed" else (latest[1] if latest else None)
            shown_health = latest[0] if latest else None
            if shown_state == "completed":
                spent, fc = actual, forecast
            elif latest:
                spent, fc = latest[2], latest[3]
            else:
                spent, fc = (0, planned) if shown_state == "planned" else (None, None)
        if shown_state != "started":
            shown_health = None
        expected[code] = Expected(
            code=code,
            state=shown_state,
            progress=shown_progress if shown_state != "planned" else None,
            health=shown_health,
            spent=spent,
            forecast=fc,
            planned=planned,
            risks=(latest[4] if latest else "").strip(),
            history=[(p, values[1]) for p, values in history][-12:],
        )
    return expected


@pytest.fixture(scope="module")
def decks() -> dict[tuple[int, str | None, str], bytes]:
    return {}


async def deck_for(
    engine: AsyncEngine, cache: dict[Any, bytes], demo_url: str, case: tuple[int, str | None, str]
) -> list[SlideContent]:
    key = (demo_url, *case)
    if key not in cache:
        year, as_of, language = case
        cache[key] = await make_deck(engine, year=year, language=language, as_of=as_of)
    return read_deck(cache[key])


def _t(language: str) -> Translator:
    return Translator(language, ZONE)


def _health_text(t: Translator, e: Expected) -> str:
    if e.state != "started":
        return t(STATE[e.state])
    return t(HEALTH[e.health]) if e.health else t("No report")


def _pct(t: Translator, value: int | None) -> str:
    return "–" if value is None else t.percent(value)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_follow_up_projects_table(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    expected = await expected_projects(db, year - 1, as_of)
    pages = slides_titled(
        slides, t("2a. Roadmap {year}: projects, progress and spend", year=year - 1)
    )
    table = {row[1]: row for page in pages for row in page.rows}
    assert set(table) == set(expected), "every project of the roadmap, once"
    for code, e in expected.items():
        _theme, _code, _name, health, progress, spent, budget, _owner = table[code]
        assert (health, progress) == (_health_text(t, e), _pct(t, e.progress)), code
        assert (spent, budget) == (t.money(e.spent), t.money(e.planned)), code


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_theme_chart_counts(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    expected = await expected_projects(db, year - 1, as_of)
    themes = dict(
        await rows(
            db,
            """SELECT p.code, t.number FROM project p JOIN theme t ON t.id = p.theme_id""",
        )
    )
    (slide,) = slides_titled(
        slides, t("2a. Roadmap {year}: projects by theme and health", year=year - 1)
    )
    (chart,) = slide.charts
    assert chart.kind == XL_CHART_TYPE.BAR_STACKED
    groups: Counter[tuple[Any, str]] = Counter()
    for code, e in expected.items():
        group = e.state if e.state != "started" else (e.health or "no_report")
        groups[(themes[code], group)] += 1
    names = {
        "completed": t(STATE["completed"]),
        "planned": t(STATE["planned"]),
        "paused": t(STATE["paused"]),
        "cancelled": t(STATE["cancelled"]),
        "no_report": t("No report"),
        **{k: t(v) for k, v in HEALTH.items()},
    }
    shown = {
        (int(category.split()[-1]), group): chart.series[names[group]][i]
        for group in names
        if names[group] in chart.series
        for i, category in enumerate(chart.categories)
    }
    assert {k: v for k, v in shown.items() if v} == {k: float(v) for k, v in groups.items()}
    assert f"{len(expected)}" in slide.text


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_late_or_at_risk_and_totals(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    expected = await expected_projects(db, year - 1, as_of)
    ends = {code: end for code, end in await rows(db, "SELECT code, end_date FROM project")}
    day = _last_day(as_of) if as_of else TODAY
    late = {
        e.code
        for e in expected.values()
        if e.state == "started"
        and (e.health in ("at_risk", "off_track") or date.fromisoformat(str(ends[e.code])) < day)
    }
    pages = slides_titled(slides, t("2a. Roadmap {year}: late or at risk", year=year - 1))
    shown = {row[0]: row for page in pages for row in page.rows}
    assert set(shown) == late
    for code in late:
        assert shown[code][3] == _pct(t, expected[code].progress)
        risks = expected[code].risks or "–"
        assert shown[code][6].rstrip("…") in risks, code  # cut to four lines at most

    (totals,) = slides_titled(slides, t("2a. Roadmap {year}: totals by state", year=year - 1))
    by_state: dict[str, list[int]] = {}
    for e in expected.values():
        figures = by_state.setdefault(e.state, [0, 0, 0, 0])
        figures[0] += 1
        figures[1] += e.planned or 0
        figures[2] += e.spent or 0
        figures[3] += e.forecast or 0
    table = {row[0]: row[1:] for row in totals.rows}
    for state, (count, planned, spent, forecast) in by_state.items():
        assert table[t(STATE[state])] == [
            t.number(count),
            t.money(planned),
            t.money(spent),
            t.money(forecast),
        ], state
    assert table[t("Total")][0] == t.number(len(expected))
    (chart,) = totals.charts
    assert dict(zip(chart.categories, chart.series[t("Projects")], strict=True)) == {
        t(STATE[s]): float(v[0]) for s, v in by_state.items()
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_completed_projects(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    expected = await expected_projects(db, year - 1, as_of)
    figures = {
        code: rest
        for code, *rest in await rows(
            db,
            """SELECT code, impact_score, one_time_cost_cents, recurring_cost_cents_per_year,
                      funding, savings_cents_per_year FROM project""",
        )
    }
    done = sorted(code for code, e in expected.items() if e.state == "completed")
    pages = slides_titled(slides, t("2b. Completed projects: impacts and costs"))
    shown = {row[0].split()[0]: row for page in pages for row in page.rows}
    assert sorted(shown) == done
    funding = {"city_budget": "City budget", "project_grant": "Project funding"}
    for code in done:
        score, one_time, recurring, source, savings = figures[code]
        row = shown[code]
        assert row[1] == t.number(score)
        assert row[3:] == [
            t.money(one_time),
            t.money(recurring),
            t(funding[source]),
            t.money(savings),
        ]
    if year == 2025:  # the seed's six, with its 2 800 € and 12 400 € on project funding
        assert {"DR24-01", "DR24-02", "DR24-03", "DR24-04", "DR24-05", "DR24-06"} <= set(done)
        assert len(done) == 18  # the completed of December 2025's public follow-up
        assert shown["DR24-02"][3:6] == [t.money(280_000), "–", t("Project funding")]
        # the seed does not say whether 8 750 € and 9 900 € are one-time: no label invented
        assert shown["DR24-04"][3:5] == ["–", "–"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_budget_lines(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    day = _last_day(as_of) if as_of else TODAY
    for line_year in (year - 1, year):
        expected = await expected_projects(db, line_year, as_of)
        areas = dict(await rows(db, "SELECT code, budget_area FROM project"))
        remaining: Counter[str] = Counter()
        if line_year >= day.year:
            for e in expected.values():
                if e.state == "started":
                    remaining[areas[e.code]] += max((e.forecast or 0) - (e.spent or 0), 0)
        lines = await rows(
            db,
            "SELECT area, planned_cents, actual_cents FROM budgetline WHERE year = :y ORDER BY id",
            y=line_year,
        )
        (slide,) = slides_titled(
            slides, t("Budget {year} by line: planned, actual and forecast", year=line_year)
        )
        (table,) = slide.tables
        body = table[1:]
        assert len(body) == len(lines) + 1
        totals = [0, 0, 0]
        for row, (area, planned, actual) in zip(body, lines, strict=False):
            forecast = actual + remaining[area]
            assert row[1:] == [
                t.money(planned),
                t.money(actual),
                t.money(forecast),
                t.money(planned - forecast),
            ], area
            totals = [totals[0] + planned, totals[1] + actual, totals[2] + forecast]
        assert body[-1][1:] == [
            t.money(totals[0]),
            t.money(totals[1]),
            t.money(totals[2]),
            t.money(totals[0] - totals[2]),
        ]
        (chart,) = slide.charts
        assert chart.series[t.context("budget", "Planned")] == [
            planned / 100 for _a, planned, _ in lines
        ]
        assert chart.series[t("Actual")] == [actual / 100 for _a, _p, actual in lines]
        if line_year == 2025:
            assert totals[0] == 795_000_000  # the seed's TA25


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_roadmap_for_approval(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, _as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    projects = await rows(
        db,
        """SELECT p.code, p.need_source, p.benefit, p.level, d.title_fi, d.title_sv, d.title_en,
                  p.impact_score, p.one_time_cost_cents, p.recurring_cost_cents_per_year,
                  p.planned_cents
           FROM project p JOIN roadmapproject rp ON rp.project_id = p.id
           JOIN roadmap r ON r.id = rp.roadmap_id
           LEFT JOIN director d ON d.id = p.director_id WHERE r.year = :year""",
        year=year,
    )
    pages = slides_titled(slides, t("3. Roadmap {year}: projects", year=year) + " (")
    pages = pages or slides_titled(slides, t("3. Roadmap {year}: projects", year=year))
    codes = [row[0] for page in pages for row in page.rows if page.title.endswith(")") or True]
    assert sorted(c for c in codes if c in {p[0] for p in projects}) == sorted(
        p[0] for p in projects
    )

    (need_slide,) = slides_titled(
        slides, t("3. Roadmap {year}: where the need comes from, and long-term benefit", year=year)
    )
    need, benefit = need_slide.charts
    assert need.series[t("Projects")] == [
        float(sum(1 for p in projects if p[1] == key)) for key in NEED
    ]
    assert need.categories == [t(v) for v in NEED.values()]
    assert benefit.series[t("Projects")] == [
        float(sum(1 for p in projects if p[2] == key)) for key in BENEFIT
    ]
    if year == 2025:  # the seed: 1 end of support, 9 law, 16 strategy
        assert need.series[t("Projects")] == [1.0, 9.0, 16.0]
    (level_slide,) = slides_titled(
        slides, t("3. Roadmap {year}: projects by level and responsible director", year=year)
    )
    level, directors = level_slide.charts
    assert level.series[t("Projects")] == [
        float(sum(1 for p in projects if p[3] == k)) for k in LEVEL
    ]
    column = {"fi": 4, "sv": 5, "en": 6}[language]
    by_director = Counter(p[column] for p in projects)
    assert dict(zip(directors.categories, directors.series[t("Projects")], strict=True)) == {
        k: float(v) for k, v in by_director.items()
    }

    (matrix,) = slides_titled(slides, t("3. Roadmap {year}: estimated impact and cost", year=year))
    (chart,) = matrix.charts
    assert chart.kind == XL_CHART_TYPE.XY_SCATTER
    expected_points = {
        p[0]: (
            ((p[8] or 0) + (p[9] or 0)) / 100 if (p[8] or p[9]) else (p[10] or 0) / 100,
            float(p[7]),
        )
        for p in projects
        if p[7] is not None and (p[8] is not None or p[9] is not None or p[10] is not None)
    }
    assert dict(zip(chart.labels, chart.points, strict=True)) == expected_points


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_indicators(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    _year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    (slide,) = slides_titled(slides, t("1. Programme follow-up: indicators"))
    header, *body = slide.tables[0]
    years = header[2:-2]
    sets = await rows(
        db, "SELECT id, name_fi, name_sv, name_en, unit, target FROM indicatorset ORDER BY id"
    )
    values = await rows(
        db, "SELECT indicator_set_id, period, value FROM indicatorvalue ORDER BY period"
    )
    end_year = (await rows(db, "SELECT end_year FROM programme"))[0][0]
    assert len(body) == len(sets)
    for row, (set_id, fi, sv, en, unit, target) in zip(body, sets, strict=True):
        assert row[0] == {"fi": fi, "sv": sv, "en": en}[language]
        mine = [
            (p, Decimal(v))
            for s, p, v in values
            if s == set_id and (as_of is None or p <= as_of[:4])
        ]

        def shown(value: Decimal, unit: str = unit) -> str:
            return t.percent(value) if unit == "%" else f"{t.number(value)} {t.unit(unit)}"

        assert row[1] == f"{shown(mine[0][1])} ({mine[0][0]})"
        assert row[2:-2] == [shown(dict(mine)[y]) if y in dict(mine) else "–" for y in years]
        assert row[-2] == shown(Decimal(target))
        base_year, base = int(mine[0][0]), mine[0][1]
        last_year, last = int(mine[-1][0]), mine[-1][1]
        path = base + (Decimal(target) - base) * (last_year - base_year) / (end_year - base_year)
        behind = last < path if Decimal(target) > base else last > path
        assert row[-1] == (t("Behind the path") if behind else t("On the path"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
async def test_appendix_one_slide_per_project(
    demo_engine: AsyncEngine,
    db: AsyncConnection,
    decks: dict[Any, bytes],
    demo_url: str,
    case: tuple[int, str | None, str],
) -> None:
    year, as_of, language = case
    t = _t(language)
    slides = await deck_for(demo_engine, decks, demo_url, case)
    expected = await expected_projects(db, year, as_of)
    metrics = await rows(
        db,
        """SELECT p.code, m.id, m.baseline, m.target, m.unit FROM projectmetric m
           JOIN project p ON p.id = m.project_id ORDER BY m.position""",
    )
    values = await rows(db, "SELECT metric_id, period, value FROM metricvalue ORDER BY period")
    period = as_of or f"{NOW.astimezone(ZONE):%Y-%m}"
    by_code = {s.title.split()[0]: s for s in slides if s.title.split()[0] in expected}
    assert set(by_code) == set(expected)
    for code, e in expected.items():
        slide = by_code[code]
        facts = slide.texts[0]
        assert f"{t('Progress')}: {_pct(t, e.progress)}" in facts
        assert f"{t('Budget')}: {t.money(e.planned)}" in facts
        assert f"{t('Spent')}: {t.money(e.spent)}" in facts
        assert f"{t('Forecast')}: {t.money(e.forecast)}" in facts
        mine = [m for m in metrics if m[0] == code][:4]
        if mine:
            (table,) = slide.tables
            for row, (_c, metric_id, baseline, target, unit) in zip(table[1:], mine, strict=True):
                latest = [(p, v) for m, p, v in values if m == metric_id and p <= period]
                unit_text = t.unit(unit)

                def shown(value: Any, unit: str = unit, unit_text: str = unit_text) -> str:
                    return (
                        t.percent(Decimal(value))
                        if unit == "%"
                        else f"{t.number(Decimal(value))} {unit_text}"
                    )

                assert row[1:3] == [shown(baseline), shown(target)]
                if latest:
                    assert row[3].startswith(shown(latest[-1][1]))
                else:
                    assert row[3] == "–"
        if e.history:
            (chart,) = slide.charts
            assert chart.series[t("Progress (%)")] == [float(p) for _, p in e.history]
            assert len(chart.categories) == len(e.history)
        else:
            assert not slide.charts


async def test_decision_text_comes_from_the_roadmap(
    demo_engine: AsyncEngine, db: AsyncConnection
) -> None:
    t = _t("sv")
    content = await make_deck(demo_engine, year=2025, language="sv")
    (slide,) = slides_titled(read_deck(content), t("Decision proposal"))
    total = (await rows(db, "SELECT SUM(planned_cents) FROM budgetline WHERE year = 2025"))[0][0]
    count = (
        await rows(
            db,
            "SELECT COUNT(*) FROM roadmapproject rp JOIN roadmap r ON r.id = rp.roadmap_id WHERE r.year = 2025",
        )
    )[0][0]
    assert t.money(total) in slide.texts[0] and f"{count}" in slide.texts[0]
    assert "standardformulering" in slide.texts[1]
    async with demo_engine.begin() as connection:
        await connection.execute(
            text("UPDATE roadmap SET decision_fi = :fi, decision_sv = '' WHERE year = 2025"),
            {"fi": "Kaupunginhallitus hyväksyy Digitiekartan 2025."},
        )
    try:
        slides = read_deck(await make_deck(demo_engine, year=2025, language="sv"))
        (slide,) = slides_titled(slides, t("Decision proposal"))
        # no Swedish text: the Finnish one, marked, and the mark explained
        assert slide.texts[0] == "Kaupunginhallitus hyväksyy Digitiekartan 2025. [fi]"
        assert "[fi]" in slide.texts[1]
    finally:
        async with demo_engine.begin() as connection:
            await connection.execute(text("UPDATE roadmap SET decision_fi = '' WHERE year = 2025"))


async def test_a_deck_without_money(demo_engine: AsyncEngine) -> None:
    t = _t("en")
    slides = read_deck(await make_deck(demo_engine, year=2025, language="en", shows_money=False))
    everything = "\n".join(
        [s.title for s in slides]
        + [s.text for s in slides]
        + ["\t".join(c) for s in slides for table in s.tables for c in table]
    )
    assert "€" not in everything
    assert not slides_titled(
        slides, t("Budget {year} by line: planned, actual and forecast", year=2025)
    )
    assert not slides_titled(slides, t("3. Roadmap {year}: estimated impact and cost", year=2025))


async def test_python_pptx_round_trip(demo_engine: AsyncEngine) -> None:
    content = await make_deck(demo_engine, year=2026, language="fi", as_of="2026-06")
    first = Presentation(io.BytesIO(content))
    buffer = io.BytesIO()
    first.save(buffer)
    assert read_deck(buffer.getvalue()) == read_deck(content)
    assert len(first.slides) > 40
