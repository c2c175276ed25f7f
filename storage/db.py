"""Engine, sessions and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver

ROOT = Path(__file__).resolve().parent.parent
# A replica stopped dead inside a transaction (a long pause, a frozen VM, SIGSTOP) keeps
# its row locks, the cycle lease's or an outbox row's, for as long as it is stopped, and
# no other replica could take over. PostgreSQL ends such a session after this long:
# less than the lease's 20 s, more than any transaction of the bot stays idle.
IDLE_IN_TRANSACTION = timedelta(seconds=15)


def create_engine(url: str) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # as many as for PostgreSQL: a connection beyond the pool is opened for one
            # session and closed after it, and opening one costs a thread and four PRAGMAs
            # (an in-memory database has one connection, in a pool of its own kind)
            pool = {"pool_size": 10, "max_overflow": 10}
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30, "async_creator_fn": sqlite_driver.connect},
            # The session or connection that used a connection has already ended its
            # transaction when the pool takes it back; the pool's own second rollback would
            # only cost another hand-off to aiosqlite's thread.
            pool_reset_on_return=None,
            **pool,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    idle_ms = int(IDLE_IN_TRANSACTION.total_seconds() * 1000)
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"server_settings": {"idle_in_transaction_session_timeout": str(idle_ms)}},
    )


SessionFactory = async_sessionmaker[AsyncSession]


def upsert_insert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's ``insert`` (with ``on_conflict_do_nothing``) for this session's database."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls everything back on any error."""
    async with sessions() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_sync(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` (in a worker thread: env.py owns a loop)."""
    await asyncio.to_thread(upgrade_sync, url, revision)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
