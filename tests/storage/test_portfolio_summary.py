"""The summary's single statement, at the edges the demo portfolio never reaches."""

from __future__ import annotations

from storage import portfolio
from storage.db import SessionFactory
from storage.models import (
    BudgetLine,
    Health,
    Lifecycle,
    Person,
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


async def test_what_moved_is_this_month_against_the_last_or_else_last_month_against_the_one_before(
    sessions: SessionFactory,
) -> None:
    # (state, reports as (period, health, progress, forecast))
    projects = [
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
