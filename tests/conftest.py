"""Shared fixtures: a migrated database (SQLite, and PostgreSQL where marked), the fake
connector, and the real app served over HTTP."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import Settings
from storage.db import SessionFactory, create_engine, session_factory
from tests.support.connector import FakeConnector
from tests.support.databases import PgTemplates, SqliteTemplates, pg_available
from tests.support.harness import BotHarness, serve_bot
from tests.support.openid import BlackHole

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PgTemplates]:
    templates = PgTemplates()
    yield templates
    if templates.created:
        asyncio.run(templates.drop_all())


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_templates: SqliteTemplates
) -> str:
    """A fresh, migrated database; storage tests run on both backends."""
    if request.param == "sqlite":
        return await sqlite_templates.fresh(tmp_path / "roadmap.db")
    reason = await pg_available()
    if reason:
        if os.environ.get("ROADMAP_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    templates: PgTemplates = request.getfixturevalue("pg_templates")
    return await templates.fresh()


@pytest.fixture
async def sqlite_url(tmp_path: Path, sqlite_templates: SqliteTemplates) -> str:
    return await sqlite_templates.fresh(tmp_path / "roadmap.db")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def bot(database_url: str, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    """The bot in local mode (no credentials), on SQLite and PostgreSQL."""
    settings = Settings(
        DATABASE_URL=database_url, ADMINS="aad-admin", CYCLE_ENABLED=False, _env_file=None
    )
    async for harness in serve_bot(database_url, connector, settings):
        yield harness


@pytest.fixture
async def sqlite_bot(sqlite_url: str, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    """The bot in local mode on SQLite only, for HTTP behaviour that does not depend on storage."""
    settings = Settings(
        DATABASE_URL=sqlite_url, ADMINS="aad-admin", CYCLE_ENABLED=False, _env_file=None
    )
    async for harness in serve_bot(sqlite_url, connector, settings):
        yield harness


@pytest.fixture
async def black_hole() -> AsyncIterator[BlackHole]:
    """A server that accepts connections and never answers (a proxy or endpoint gone dark)."""
    hole = BlackHole()
    await hole.start()
    yield hole
    await hole.close()
