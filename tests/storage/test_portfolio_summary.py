"""The summary's statement, at the edges the demo portfolio never reaches, and what moved
since last month, summed again only when the months' reports change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import portfolio
from storage.db import SessionFactory
from storage.models import (
    BudgetLine,
    Health,
    Lifecycle,
    Person,
    ReportRevision,
    StatusReport,
)
from storage.rights import VIEWER, Rights
from tests.support.portfolio import plain_project

MANAGER = Rights(all_money=True)


async def test_a_portfolio_without_projects_still_shows_its_budget(
    sessions: SessionFactory,
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            BudgetLine(
                year=2026,
                area="ict",
                name_fi="ICT",
                name_sv="IKT",
                name_en="ICT",
                planned_cents=1_000_000,
                actual_cents=250_000,
            )
        )
    async with sessions() as session:
        found = await portfolio.summary("2026-11", 2026, MANAGER, session=session)
        other_year = await portfolio.summary("2026-11", 2025, MANAGER, session=session)
        viewer = await portfolio.summary("2026-11", 2026, VIEWER, session=session)

    assert (found.by_state, found.by_health, found.reports_received) == ({}, {}, 0)
    assert (found.planned_cents, found.actual_cents) == (1_000_000, 250_000)
    assert (other_year.planned_cents, other_year.actual_cents) == (0, 0)
    assert (viewer.planned_cents, viewer.actual_cents) == (None, None)


# Projects as (state, their reports as (period, health, progress, forecast in cents)).
Reports = list[tuple[Lifecycle, list[tuple[str, str, int, int]]]]


async def _with_reports(sessions: SessionFactory, projects: Reports) -> None:
    async with sessions() as session, session.begin():
        owner = Person(name="Olli Omistaja")
        session.add(owner)
        await session.flush()
        assert owner.id is not None
        for n, (state, reports) in enumerate(projects):
            project = plain_project(f"S-{n}", str(n), owner.id, state=state)
            session.add(project)
            await session.flush()
            assert project.id is not None
            for period, health, progress, forecast in reports:
                session.add(
                    StatusReport(
                        project_id=project.id,
                        period=period,
                        health=Health(health),
                        progress=progress,
                        spent_cents=0,
                        forecast_cents=forecast,
                        submitted_by_id=owner.id,
                    )
                )


async def _two_projects_reporting(sessions: SessionFactory, periods: list[str]) -> None:
    """Two started projects with a report for each of ``periods``, on track at 10 %."""
    on_track = [(period, "on_track", 10, 0) for period in periods]
    await _with_reports(sessions, [(Lifecycle.started, on_track)] * 2)


async def test_what_moved_is_this_month_against_the_last_or_else_last_month_against_the_one_before(
    sessions: SessionFactory,
) -> None:
    projects: Reports = [
        (
            Lifecycle.started,  # September worse than August; October better than September
            [
                ("2026-08", "on_track", 0, 0),
                ("2026-09", "off_track", 10, 1_000),
                ("2026-10", "at_risk", 30, 1_200),
            ],
        ),
        (Lifecycle.started, [("2026-09", "at_risk", 40, 500), ("2026-10", "on_track", 50, 500)]),
        (Lifecycle.started, [("2026-09", "on_track", 50, 500), ("2026-10", "off_track", 55, 400)]),
        (Lifecycle.started, [("2026-09", "on_track", 60, 300), ("2026-10", "on_track", 60, 300)]),
        (Lifecycle.started, [("2026-10", "on_track", 70, 900)]),  # no month before: not counted
        (Lifecycle.planned, []),
    ]
    await _with_reports(sessions, projects)
    async with sessions() as session:
        this_month = await portfolio.summary("2026-10", 2026, MANAGER, session=session)
        not_in_yet = await portfolio.summary("2026-11", 2026, MANAGER, session=session)
        september = await portfolio.summary("2026-09", 2026, MANAGER, session=session)
        viewer = await portfolio.summary("2026-11", 2026, VIEWER, session=session)
        none_paired = await portfolio.summary("2026-12", 2026, MANAGER, session=session)

    # October against September, though September against August has reports too
    october = portfolio.Moved(
        "2026-10", projects=4, better=2, worse=1, progress_points=35, forecast_cents=100
    )
    assert this_month.moved == not_in_yet.moved == october
    assert september.moved == portfolio.Moved(
        "2026-09", projects=1, better=0, worse=1, progress_points=10, forecast_cents=1_000
    )
    assert viewer.moved is not None and viewer.moved.forecast_cents is None
    assert none_paired.moved is None
    # the joined sums leave the projects' groups as they are
    assert this_month.by_state == {"started": 5, "planned": 1}
    assert (this_month.reports_received, not_in_yet.reports_received) == (5, 0)


async def _revisions_in(session: AsyncSession) -> dict[str, int]:
    return {r.period: r.revision for r in (await session.exec(select(ReportRevision))).all()}


async def _revisions(sessions: SessionFactory) -> dict[str, int]:
    async with sessions() as session:
        return await _revisions_in(session)


async def test_every_change_to_a_months_reports_bumps_its_revision(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    """Triggers count each insert, update and delete of a report in its month's revision,
    whoever writes it: here plain SQL, as an admin would."""
    await _two_projects_reporting(sessions, ["2026-09", "2026-10"])
    assert await _revisions(sessions) == {"2026-09": 2, "2026-10": 2}
    changes = [
        ("UPDATE statusreport SET progress = 20 WHERE period = '2026-10'", {"2026-10": 4}),
        (  # a report moved to another month: both months changed
            "UPDATE statusreport SET period = '2026-08' WHERE id = "
            "(SELECT min(id) FROM statusreport WHERE period = '2026-09')",
            {"2026-08": 1, "2026-09": 3},
        ),
        ("DELETE FROM statusreport WHERE period = '2026-10'", {"2026-10": 6}),
    ]
    expected = await _revisions(sessions)
    for sql, bumped in changes:
        async with sessions() as session, session.begin():
            await (await session.connection()).execute(text(sql))
            if engine.dialect.name == "postgresql":  # counted at the commit, not before
                assert await _revisions_in(session) == expected
        expected |= bumped
        assert await _revisions(sessions) == expected, sql


async def test_what_moved_is_summed_again_only_when_the_months_reports_change(
    sessions: SessionFactory, engine: AsyncEngine
) -> None:
    await _two_projects_reporting(sessions, ["2026-05", "2026-09", "2026-10"])
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async def summary_statements() -> tuple[portfolio.Summary, int]:
        statements.clear()
        async with sessions() as session:
            found = await portfolio.summary("2026-10", 2026, MANAGER, session=session)
        return found, len(statements)

    async def change(sql: str) -> None:
        async with sessions() as session, session.begin():
            await (await session.connection()).execute(text(sql))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        first, summed = await summary_statements()
        kept, summed_again = await summary_statements()
        await change("UPDATE statusreport SET progress = 50 WHERE period = '2026-05'")
        other_month, after_other_month = await summary_statements()
        await change("UPDATE statusreport SET progress = 30 WHERE period = '2026-10'")
        changed, after_change = await summary_statements()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert first.moved is not None and first.moved.progress_points == 0
    assert (summed, summed_again, after_other_month, after_change) == (2, 1, 1, 2)
    assert kept.moved == other_month.moved == first.moved
    assert changed.moved is not None and changed.moved.progress_points == 2 * 20
