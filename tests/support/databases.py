"""Fresh, migrated databases for tests and benchmarks: SQLite files and PostgreSQL databases.

Migrations run once per session into a template; each test gets a copy. The benchmarks
(``bench/``) create and drop their PostgreSQL databases with the same functions, on their
own server (``ROADMAP_BENCH_PG``), so this module imports nothing of pytest.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # no stubs

from storage.db import upgrade

PG_HOST = os.environ.get("ROADMAP_TEST_PG", "127.0.0.1:5432")
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}/test"


def pg_url(name: str, *, host: str = PG_HOST) -> str:
    return f"postgresql+asyncpg://postgres@{host}/{name}"


async def _admin(host: str) -> asyncpg.Connection:
    """A connection to the server's ``test`` database, to create and drop others from."""
    return await asyncpg.connect(f"postgresql://postgres@{host}/test", timeout=10)


async def create_pg_database(name: str, *, host: str = PG_HOST, template: str | None = None) -> str:
    """Create the database ``name`` (a copy of ``template`` if given); its SQLAlchemy URL."""
    connection = await _admin(host)
    try:
        copy = f' TEMPLATE "{template}"' if template is not None else ""
        await connection.execute(f'CREATE DATABASE "{name}"{copy}')
    finally:
        await connection.close()
    return pg_url(name, host=host)


async def drop_pg_databases(names: list[str], *, host: str = PG_HOST) -> None:
    """Drop the databases, in the order given, even with sessions still open on them."""
    connection = await _admin(host)
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason to skip."""
    try:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL at {PG_HOST} is not reachable: {error}"
    await connection.close()
    return None


class SqliteTemplates:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._template: Path | None = None

    async def fresh(self, target: Path) -> str:
        if self._template is None:
            template = self._directory / "template.db"
            await upgrade(f"sqlite+aiosqlite:///{template}")
            self._template = template
        shutil.copyfile(self._template, target)
        return f"sqlite+aiosqlite:///{target}"


class PgTemplates:
    def __init__(self) -> None:
        self._template: str | None = None
        self.created: list[str] = []

    async def fresh(self) -> str:
        if self._template is None:
            template = f"roadmap_tpl_{uuid.uuid4().hex[:10]}"
            url = await create_pg_database(template)
            self.created.append(template)
            await upgrade(url)
            self._template = template
        name = f"roadmap_t_{uuid.uuid4().hex[:12]}"
        url = await create_pg_database(name, template=self._template)
        self.created.append(name)
        return url

    async def drop_all(self) -> None:
        await drop_pg_databases(list(reversed(self.created)))
