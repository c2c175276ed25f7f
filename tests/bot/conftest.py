"""Fixtures the bot's tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from settings import Settings
from storage.db import create_engine, session_factory
from storage.demo import load_demo
from tests.support.connector import FakeConnector
from tests.support.harness import BotHarness, serve_bot

HELSINKI = ZoneInfo("Europe/Helsinki")
DEMO_ADMIN_AAD = "aad-demo-admin"  # admins by ADMINS, as a city names its own
OTHER_ADMIN_AAD = "aad-demo-admin-2"


@pytest.fixture
async def demo_bot(database_url: str, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session, session.begin():
        await load_demo(session, today=datetime.now(HELSINKI).date())
        # the demo people's own language would override the Teams locale in these tests
        await (await session.connection()).execute(text("UPDATE person SET locale = NULL"))
    await engine.dispose()
    settings = Settings(
        DATABASE_URL=database_url,
        ADMINS=f"{DEMO_ADMIN_AAD},{OTHER_ADMIN_AAD}",
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    async for harness in serve_bot(database_url, connector, settings, portfolio=False):
        yield harness
