"""Engine, sessions, write units and migrations.

Every transaction that writes runs as a *write unit*: ``write_transaction`` for one
attempt, ``write_unit`` to run the whole unit again after a transient clash.

SQLite has one writer at a time. sqlite3 opens a transaction with a DEFERRED ``BEGIN``
before its first write, so a unit that reads and then writes (the next revision number,
then the revision) holds a read snapshot while it waits for the write lock. If another
writer commits meanwhile, SQLite cannot let the unit write from its stale snapshot: the
write fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), whatever the busy
timeout, and ``SELECT … FOR UPDATE`` is ignored on SQLite, so two units can read the same
number. A write unit therefore opens its transaction with ``BEGIN IMMEDIATE``: it takes
the write lock first, waiting up to the busy timeout for it, and reads only what the last
writer committed (SQLAlchemy's recipe for pysqlite and aiosqlite, applied to write units
alone: ``storage.sqlite_driver`` sends the ``BEGIN IMMEDIATE`` in the same hand-off as the
unit's first statement, and read-only sessions stay as cheap as they were). PostgreSQL
needs none of this: its row locks and ``FOR UPDATE`` serialise the units.

``write_unit`` runs the whole unit again, from a new transaction, when the database says
the clash was transient: SQLite busy or locked, a unique constraint another unit won, a
PostgreSQL serialization failure or deadlock. Attempts are bounded and spaced with
jittered exponential backoff. A unit run by ``write_unit`` must therefore be repeatable:
everything it decides on is read inside it, and it has no effect outside the database.

A failed statement must not put what people typed into the logs: a status report's
text is a statement parameter, and SQLAlchemy writes the parameters into its error
message (and into the SQL it echoes at INFO). Every engine is made with
``hide_parameters=True``. PostgreSQL has a second copy: its DETAIL line repeats the
values ("Failing row contains (…)", "Key (…)=(…) already exists"), and asyncpg prints it
with the error that SQLAlchemy chains to its own. ``_hide_row_values`` drops it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg  # type: ignore[import-untyped]  # no stubs; only its error class is used
from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver

ROOT = Path(__file__).resolve().parent.parent
# How long a SQLite statement waits for another connection's lock before "database is
# locked": a write unit's BEGIN IMMEDIATE waits here for the writer before it.
BUSY_TIMEOUT_S = 30
WRITE_ATTEMPTS = 6
_BACKOFF_S = 0.01  # before the second attempt at most; doubled for each later one
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
log = logging.getLogger(__name__)
_jitter = random.Random()  # noqa: S311 (spreads retries; not a secret)
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
            hide_parameters=True,
            connect_args={"timeout": BUSY_TIMEOUT_S, "async_creator_fn": sqlite_driver.connect},
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
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        return engine
    idle_ms = int(IDLE_IN_TRANSACTION.total_seconds() * 1000)
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        hide_parameters=True,
        connect_args={"server_settings": {"idle_in_transaction_session_timeout": str(idle_ms)}},
    )
    event.listen(engine.sync_engine, "handle_error", _hide_row_values)
    event.listen(engine.sync_engine, "checkout", _ping)
    return engine


def _ping(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """A pooled PostgreSQL connection is tried before each use, so one the server dropped
    (a restart, an idle session it ended) is replaced instead of failing a turn.

    ``pool_pre_ping`` does the same in three round trips (BEGIN, the ping, ROLLBACK: the
    asyncpg dialect wraps it for pgbouncer's transaction mode, which is not used here);
    this is the one ping alone. Every session checks a connection out, so this was a tenth
    of a status turn's time. Raising ``DisconnectionError`` here makes the pool discard the
    connection and open a new one."""
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as error:
        raise exc.DisconnectionError(str(error)) from error


HIDDEN_DETAIL = "(values hidden)"


def _hide_row_values(context: ExceptionContext) -> None:
    """Replace the DETAIL of every PostgreSQL error in the chain: it quotes row values."""
    error: BaseException | None = context.original_exception
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, asyncpg.PostgresError) and error.detail:
            error.detail = HIDDEN_DETAIL
        error = error.__cause__ or error.__context__


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


@asynccontextmanager
async def write_transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One attempt at a unit that writes: on SQLite its transaction begins IMMEDIATE.

    Commits on success, rolls everything back on any error.
    """
    async with sessions() as session, session.begin():
        connection = await session.connection()
        if connection.dialect.name == "sqlite":
            driver = (await connection.get_raw_connection()).driver_connection
            if isinstance(driver, sqlite_driver.Connection):
                driver.begin_immediate()
            else:  # another driver: a hand-off of its own
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield session


class Unit(Protocol[T_co]):
    """A write unit's work: like a query function, it takes the session by keyword."""

    def __call__(self, *, session: AsyncSession) -> Awaitable[T_co]: ...


async def write_unit(
    sessions: SessionFactory, work: Unit[T], *, attempts: int = WRITE_ATTEMPTS
) -> T:
    """``work(session=…)`` in a write transaction, committed; what it returned.

    After a transient clash (``is_transient``) the whole unit runs again in a new
    transaction, up to ``attempts`` times in all; any other error, or the last attempt's,
    is raised with nothing of the unit written.
    """
    for attempt in range(1, attempts + 1):
        try:
            async with write_transaction(sessions) as session:
                return await work(session=session)
        except exc.DBAPIError as error:
            if attempt == attempts or not is_transient(error):
                raise
            log.info("write unit clashed (attempt %d): %s", attempt, _reason(error))
        await asyncio.sleep(_jitter.uniform(0, _BACKOFF_S * 2 ** (attempt - 1)))
    raise AssertionError("unreachable: the last attempt returns or raises")


# SQLite's primary result codes (the low byte of an extended code) and extended codes
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_UNIQUE = {1555, 2067}  # SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
# PostgreSQL: unique_violation, serialization_failure, deadlock_detected
_PG_TRANSIENT = {"23505", "40001", "40P01"}


def is_transient(error: exc.DBAPIError) -> bool:
    """Whether running the unit again may succeed: a lock or a race another unit won."""
    original = error.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", 0)
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED) or code in _SQLITE_UNIQUE
    return getattr(original, "sqlstate", None) in _PG_TRANSIENT


def _reason(error: exc.DBAPIError) -> str:
    original = error.orig
    return getattr(original, "sqlite_errorname", None) or str(
        getattr(original, "sqlstate", None) or type(original).__name__
    )


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
