"""A demo database per backend (loaded once per module), and decks built from it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import create_engine, session_factory, transaction, upgrade
from storage.demo import load_demo
from tests.support.deck import TODAY

PG_SERVER = os.environ.get("ROADMAP_TEST_PG", "127.0.0.1:5432")
T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up code on its own event loop, away from the tests' loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _migrate_and_load(url: str) -> None:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await load_demo(session, today=TODAY)
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


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("deck") / "demo.db"
        url = f"sqlite+aiosqlite:///{path}"
        run_apart(_migrate_and_load(url))
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
        run_apart(_migrate_and_load(url))
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
