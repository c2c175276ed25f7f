"""The summary's single statement, at the edges the demo portfolio never reaches."""

from __future__ import annotations

from storage import portfolio
from storage.db import SessionFactory
from storage.models import BudgetLine
from storage.rights import VIEWER, Rights

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
