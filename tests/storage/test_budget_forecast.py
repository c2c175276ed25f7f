"""A budget line's actual and forecast: each year counts only its own share of what the
area's started projects still expect to spend, a closed year none, and nothing twice."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from storage import portfolio
from storage.db import SessionFactory
from storage.forecast import year_share
from storage.models import (
    ActualSource,
    Benefit,
    BudgetLine,
    Health,
    Level,
    Lifecycle,
    NeedSource,
    Person,
    Project,
    StatusReport,
)
from storage.rights import Rights

TODAY = date(2026, 11, 15)
MANAGER = Rights(all_money=True)


# The rule, without a database


def test_a_closed_year_gets_nothing_and_this_year_its_months() -> None:
    # 12 months from 2026-11 to 2027-10: two of them in 2026, ten in 2027
    end = date(2027, 10, 31)
    assert year_share(1_200_000, year=2025, this_month=TODAY, end=end) == 0
    assert year_share(1_200_000, year=2026, this_month=TODAY, end=end) == 200_000
    assert year_share(1_200_000, year=2027, this_month=TODAY, end=end) == 1_000_000
    assert year_share(1_200_000, year=2028, this_month=TODAY, end=end) == 0


def test_past_its_end_or_without_one_the_rest_is_spent_this_year() -> None:
    for end in (date(2026, 3, 31), None):
        assert year_share(50_000, year=2026, this_month=TODAY, end=end) == 50_000
        assert year_share(50_000, year=2027, this_month=TODAY, end=end) == 0
    assert year_share(-5, year=2026, this_month=TODAY, end=None) == 0


def test_the_years_shares_add_up_to_the_remainder_to_the_cent() -> None:
    rng = Random(14)
    for _ in range(2_000):
        remaining = rng.randint(0, 10**10)
        this_month = date(rng.randint(2024, 2027), rng.randint(1, 12), 1)
        end = date(rng.randint(2023, 2031), rng.randint(1, 12), 28)
        shares = [
            year_share(remaining, year=y, this_month=this_month, end=end) for y in range(2020, 2035)
        ]
        assert sum(shares) == remaining
        assert all(s >= 0 for s in shares)
        assert all(
            s == 0 for y, s in zip(range(2020, 2035), shares, strict=True) if y < this_month.year
        )


# The budget lines, on SQLite and PostgreSQL


def _project(code: str, *, state: Lifecycle, end: date, actual: int, forecast: int) -> Project:
    return Project(
        code=code,
        name_fi=code,
        name_sv=code,
        name_en=code,
        level=Level.common,
        need_source=NeedSource.strategy,
        benefit=Benefit.human_centred,
        state=state,
        start_date=date(2025, 3, 1),
        end_date=end,
        budget_area="tori",
        planned_cents=forecast,
        actual_cents=actual,
        forecast_cents=forecast,
    )


def _line(year: int, planned: int, actual: int, source: ActualSource) -> BudgetLine:
    return BudgetLine(
        year=year,
        area="tori",
        name_fi="TORI",
        name_sv="TORI",
        name_en="TORI",
        planned_cents=planned,
        actual_cents=actual,
        actual_source=source,
    )


@pytest.fixture
async def tori(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        person = Person(name="Owner")
        session.add(person)
        multi_year = _project(
            "T-1",
            state=Lifecycle.started,
            end=date(2027, 10, 31),
            actual=200_000,
            forecast=1_400_000,
        )
        overdue = _project(
            "T-2", state=Lifecycle.started, end=date(2026, 3, 31), actual=450_000, forecast=500_000
        )
        done = _project(  # completed: it expects nothing more, whatever it forecast
            "T-3", state=Lifecycle.completed, end=date(2026, 6, 30), actual=90_000, forecast=99_000
        )
        session.add_all([multi_year, overdue, done])
        await session.flush()
        assert person.id is not None and multi_year.id is not None and overdue.id is not None
        for project_id, period, spent in (
            (multi_year.id, "2025-06", 40_000),
            (multi_year.id, "2025-12", 120_000),  # spent in 2025: 120 000
            (multi_year.id, "2026-10", 200_000),  # spent in 2026: 80 000
            (overdue.id, "2025-11", 300_000),  # spent in 2025: 300 000
            (overdue.id, "2026-04", 450_000),  # spent in 2026: 150 000
        ):
            session.add(
                StatusReport(
                    project_id=project_id,
                    period=period,
                    health=Health.on_track,
                    progress=50,
                    spent_cents=spent,
                    forecast_cents=0,
                    submitted_by_id=person.id,
                )
            )
        session.add_all(
            [
                _line(2025, 500_000, 410_000, ActualSource.entered),
                _line(2026, 400_000, 1, ActualSource.reports),  # the 1 cent is not used
                _line(2027, 1_000_000, 0, ActualSource.entered),
            ]
        )


async def _budget(sessions: SessionFactory, year: int) -> portfolio.BudgetRow:
    async with sessions() as session:
        [row] = await portfolio.budget(year, None, today=TODAY, session=session)
    return row


@pytest.mark.usefixtures("tori")
async def test_a_closed_years_forecast_is_its_actual(sessions: SessionFactory) -> None:
    row = await _budget(sessions, 2025)
    assert (row.actual_cents, row.forecast_cents, row.closed) == (410_000, 410_000, True)
    assert row.actual_source == ActualSource.entered
    assert (row.variance_cents, row.over_plan) == (90_000, False)


@pytest.mark.usefixtures("tori")
async def test_each_year_counts_only_its_share_and_nothing_twice(sessions: SessionFactory) -> None:
    this_year, next_year = await _budget(sessions, 2026), await _budget(sessions, 2027)
    # T-1 still expects 1 200 000 over 2026-11..2027-10 (2/12 this year); T-2 is past its
    # end, so its 50 000 is this year's; the completed T-3 expects nothing
    assert this_year.forecast_cents - this_year.actual_cents == 200_000 + 50_000
    assert next_year.forecast_cents - next_year.actual_cents == 1_000_000
    remaining = (1_400_000 - 200_000) + (500_000 - 450_000)
    assert sum(r.forecast_cents - r.actual_cents for r in (this_year, next_year)) == remaining
    assert this_year.over_plan and this_year.variance_cents == 400_000 - 230_000 - 250_000


@pytest.mark.usefixtures("tori")
async def test_an_actual_from_the_reports_is_the_years_spend(sessions: SessionFactory) -> None:
    row = await _budget(sessions, 2026)
    assert row.actual_source == ActualSource.reports
    assert row.actual_cents == 80_000 + 150_000
    async with sessions() as session:
        summary = await portfolio.summary("2026-11", 2026, MANAGER, session=session)
        closed = await portfolio.summary("2026-11", 2025, MANAGER, session=session)
    assert (summary.planned_cents, summary.actual_cents) == (400_000, 230_000)
    assert (closed.planned_cents, closed.actual_cents) == (500_000, 410_000)
    async with sessions() as session:
        assert await portfolio.reported_spend(2025, session=session) == {"tori": 420_000}
