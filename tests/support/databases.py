"""Fresh, migrated databases for tests: SQLite files and PostgreSQL databases.

Migrations run once per session into a template; each test gets a copy.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import asyncpg

from storage.db import upgrade

PG_HOST = os.environ.get("ROADMAP_TEST_PG", "127.0.0.1:5432")
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}/test"


def pg_url(name: str) -> str:
    return f"postgresql+asyncpg://postgres@{PG_HOST}/{name}"


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

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(PG_ADMIN_DSN)

    async def fresh(self) -> str:
        connection = await self._admin()
        try:
            if self._template is None:
                template = f"roadmap_tpl_{uuid.uuid4().hex[:10]}"
                await connection.execute(f'CREATE DATABASE "{template}"')
                self.created.append(template)
                await upgrade(pg_url(template))
                self._template = template
            name = f"roadmap_t_{uuid.uuid4().hex[:12]}"
            await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
            self.created.append(name)
            return pg_url(name)
        finally:
            await connection.close()

    async def drop_all(self) -> None:
        connection = await self._admin()
        try:
            for name in reversed(self.created):
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
