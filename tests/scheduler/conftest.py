"""Fixtures the scheduler's test modules share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from scheduler import jobs
from storage.db import SessionFactory
from tests.support.portfolio import Portfolio, add_cycle_world, create_portfolio


@pytest.fixture
async def cycle_world(sessions: SessionFactory) -> AsyncIterator[Portfolio]:
    """The test portfolio with directors and personal chats, and the cycle's jobs installed
    on it (in Helsinki time)."""
    async with sessions() as session, session.begin():
        portfolio = await create_portfolio(session)
        await add_cycle_world(session)
    jobs.install(jobs.Runtime(sessions=sessions, zone=ZoneInfo("Europe/Helsinki")))
    yield portfolio
    jobs.install(None)
