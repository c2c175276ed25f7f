"""A demo database per backend (loaded once per module), and decks built from it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_engine
from tests.support.deck import migrate_and_load, run_apart

PG_SERVER = os.environ.get("ROADMAP_TEST_PG", "127.0.0.1:5432")


async def _postgres(sql: str) -> None:
    host, _, port = PG_SERVER.partition(":")
    connection = await asyncpg.connect(
        host=host, port=int(port or 5432), user="postgres", database="test", timeout=5
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("deck") / "demo.db"
        url = f"sqlite+aiosqlite:///{path}"
        run_apart(migrate_and_load(url))
        yield url
        return
    name = f"roadmap_deck_{uuid.uuid4().hex}"
    try:
        run_apart(_postgres(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL is not reachable at {PG_SERVER} (database test): {exc!r}"
        if os.environ.get("ROADMAP_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    url = f"postgresql+asyncpg://postgres@{PG_SERVER}/{name}"
    try:
        run_apart(migrate_and_load(url))
        yield url
    finally:
        run_apart(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def demo_engine(demo_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(demo_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(demo_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with demo_engine.connect() as connection:
        yield connection
