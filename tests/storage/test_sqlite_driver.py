"""storage.sqlite_driver: one hand-off to the connection's thread per statement, same results."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage import sqlite_driver
from storage.db import ROOT, SessionFactory, create_engine, write_transaction
from storage.models import ProcessedActivity, utcnow


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """This module is about SQLite's driver: conftest's ``engine`` and ``sessions``, on
    SQLite only."""
    return sqlite_url


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each call handed to a connection's thread ("statement" for a query)."""
    calls: list[str] = []
    execute: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(function, "__name__", "?"))
        return await execute(self, function, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_query_is_one_hand_off_and_reads_every_row(
    sessions: SessionFactory, hand_offs: list[str]
) -> None:
    async with sessions() as session, session.begin():
        session.add_all(
            ProcessedActivity(activity_id=f"c|{n}", received_at=utcnow()) for n in range(150)
        )
    hand_offs.clear()
    async with sessions() as session:
        rows = (await session.exec(select(ProcessedActivity))).all()
        counted = (await session.exec(select(ProcessedActivity.activity_id))).all()
    assert len(rows) == len(counted) == 150  # more than one fetch chunk
    assert hand_offs == ["statement", "statement"]


async def test_reads_alone_end_without_a_hand_off_and_writes_still_commit(
    engine: AsyncEngine, sessions: SessionFactory, hand_offs: list[str]
) -> None:
    async with engine.connect():  # the pool's connection, opened
        hand_offs.clear()
    async with sessions() as session:  # closing rolls back: nothing to roll back
        await session.exec(select(ProcessedActivity))
    async with sessions() as session, session.begin():  # nothing to commit
        await session.exec(select(ProcessedActivity))
    assert hand_offs == ["statement", "statement"]

    hand_offs.clear()
    async with sessions() as session, session.begin():
        session.add(ProcessedActivity(activity_id="c|1", received_at=utcnow()))
    assert hand_offs == ["statement", "commit"]
    hand_offs.clear()
    async with sessions() as session:
        session.add(ProcessedActivity(activity_id="c|2", received_at=utcnow()))
        await session.flush()  # never committed
    assert hand_offs == ["statement", "rollback"]
    async with sessions() as session:
        assert (await session.exec(select(ProcessedActivity.activity_id))).all() == ["c|1"]


async def test_rowcount_lastrowid_and_errors_are_the_drivers(
    engine: AsyncEngine, sessions: SessionFactory
) -> None:
    async with sessions() as session, session.begin():
        session.add(ProcessedActivity(activity_id="c|1", received_at=utcnow()))
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(activity_id="c|1", received_at=utcnow()))
    async with sessions() as session, session.begin():
        result = await session.exec(
            update(ProcessedActivity)
            .where(col(ProcessedActivity.activity_id).like("c|%"))
            .values(completed_at=utcnow())
        )
        assert result.rowcount == 1
    async with engine.connect() as connection:
        await connection.execute(text("CREATE TEMP TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        assert inserted.lastrowid == 2
        batch = await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "c"}, {"v": "d"}]
        )
        assert batch.rowcount == 2
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 4


async def test_an_unfinished_transaction_never_outlives_its_connections_use(
    engine: AsyncEngine, sessions: SessionFactory
) -> None:
    """The pool does not roll back on return (storage.db); sessions and connections do."""
    async with sessions() as session:
        session.add(ProcessedActivity(activity_id="c|lost", received_at=utcnow()))
        await session.flush()  # written inside a transaction that is never committed
    async with engine.connect() as connection:
        await connection.execute(text("DELETE FROM processedactivity"))  # not committed
    for n in range(3):  # whichever pooled connection comes back, nothing leaked
        async with sessions() as session, session.begin():
            found = (await session.exec(select(ProcessedActivity.activity_id))).all()
            assert sorted(found) == [f"c|{i}" for i in range(n)]
            session.add(ProcessedActivity(activity_id=f"c|{n}", received_at=utcnow()))
    async with sessions() as session:
        assert len((await session.exec(select(ProcessedActivity))).all()) == 3


async def test_a_failed_write_is_rolled_back_before_its_connection_is_used_again(
    sessions: SessionFactory, hand_offs: list[str]
) -> None:
    async with sessions() as session, session.begin():
        session.add(ProcessedActivity(activity_id="c|1", received_at=utcnow()))
    hand_offs.clear()
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(activity_id="c|2", received_at=utcnow()))
            await session.flush()
            session.add(ProcessedActivity(activity_id="c|1", received_at=utcnow()))
    assert hand_offs[-1] == "rollback"
    async with sessions() as session:  # the one pooled connection: c|2 was rolled back
        assert (await session.exec(select(ProcessedActivity.activity_id))).all() == ["c|1"]


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite://"])
async def test_an_in_memory_database_has_an_engine_too(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_a_write_unit_holds_the_write_lock_from_its_first_read_at_no_extra_hand_off(
    engine: AsyncEngine, sessions: SessionFactory, hand_offs: list[str]
) -> None:
    """BEGIN IMMEDIATE goes with the unit's first statement: a read, here."""
    insert = text(
        "INSERT INTO processedactivity (activity_id, received_at) VALUES (:id, '2026-01-01')"
    )
    async with engine.connect(), engine.connect():  # two pooled connections, opened
        pass
    async with engine.connect() as other:
        await other.exec_driver_sql("PRAGMA busy_timeout=0")  # told not to wait
        async with write_transaction(sessions) as session:
            assert (await session.exec(select(ProcessedActivity))).all() == []
            with pytest.raises(OperationalError, match="database is locked"):
                await other.execute(insert, {"id": "other"})
            await other.rollback()
            session.add(ProcessedActivity(activity_id="unit", received_at=utcnow()))
        await other.execute(insert, {"id": "other"})  # the unit is over: the lock is free
        await other.commit()

    hand_offs.clear()
    async with write_transaction(sessions) as session:
        await session.exec(select(ProcessedActivity))
        session.add(ProcessedActivity(activity_id="second", received_at=utcnow()))
    assert hand_offs == ["statement", "statement", "commit"]  # read, insert, commit
    async with sessions() as session:
        found = (await session.exec(select(ProcessedActivity.activity_id))).all()
    assert sorted(found) == ["other", "second", "unit"]


async def test_an_empty_write_unit_costs_nothing_and_leaves_the_next_transaction_deferred(
    engine: AsyncEngine, sessions: SessionFactory, hand_offs: list[str]
) -> None:
    async with engine.connect():  # the pool's connection, opened
        hand_offs.clear()
    async with write_transaction(sessions):
        pass
    assert hand_offs == []
    async with sessions() as session, session.begin():  # the same pooled connection
        await session.exec(select(ProcessedActivity))
        async with engine.connect() as other:  # a read takes no write lock
            await other.execute(
                text(
                    "INSERT INTO processedactivity (activity_id, received_at)"
                    " VALUES ('other', '2026-01-01')"
                )
            )
            await other.commit()
    assert hand_offs[0] == "statement"
    assert "commit" not in hand_offs[:1]


async def test_a_unit_cancelled_while_it_waits_for_the_lock_leaves_no_transaction_open(
    engine: AsyncEngine, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its statement still runs on the connection's thread once the lock is free, and
    opens the transaction there; the rollback of the cancelled unit must follow it."""
    async with engine.connect(), engine.connect(), engine.connect():  # three pooled
        pass
    async with engine.connect() as writer:
        await writer.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock

        async def unit() -> None:
            async with write_transaction(sessions) as session:
                await session.exec(select(ProcessedActivity))  # waits in the busy handler

        handed_off = asyncio.Event()
        execute: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

        async def execute_and_tell(self: aiosqlite.Connection, function: Any) -> Any:
            call = asyncio.ensure_future(execute(self, function))
            await asyncio.sleep(0)  # the call is on the thread's queue now
            handed_off.set()
            return await call

        monkeypatch.setattr(aiosqlite.Connection, "_execute", execute_and_tell)
        task = asyncio.create_task(unit())
        await handed_off.wait()  # its BEGIN IMMEDIATE and read wait on the connection's thread
        monkeypatch.undo()
        task.cancel()  # a shutdown, or a job's cancelled coroutine
        await writer.rollback()
        with pytest.raises(asyncio.CancelledError):
            await task
    async with engine.connect() as other:
        await other.exec_driver_sql("PRAGMA busy_timeout=5000")
        await other.execute(
            text(
                "INSERT INTO processedactivity (activity_id, received_at)"
                " VALUES ('after', '2026-01-01')"
            )
        )
        await other.commit()


def test_the_aiosqlite_internals_the_driver_relies_on_are_still_there() -> None:
    """storage.sqlite_driver subclasses aiosqlite.Connection and overrides private parts of
    it. It was written against aiosqlite 0.22.1: a new version must be read before the pin
    moves, and this fails if what the driver uses has changed shape."""
    pinned = re.search(r'"aiosqlite==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned and pinned.group(1) == importlib.metadata.version("aiosqlite") == "0.22.1"

    init = list(inspect.signature(aiosqlite.Connection.__init__).parameters)
    assert init[:3] == ["self", "connector", "iter_chunk_size"]  # connect() builds one
    execute = aiosqlite.Connection._execute
    assert inspect.iscoroutinefunction(execute)  # overridden, and called through super()
    assert list(inspect.signature(execute).parameters) == ["self", "fn", "args", "kwargs"]
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property)
    for name in ("commit", "rollback"):  # overridden, and called through super()
        method = getattr(aiosqlite.Connection, name)
        assert inspect.iscoroutinefunction(method)
        assert list(inspect.signature(method).parameters) == ["self"]
    assert callable(aiosqlite.Connection.cursor)  # replaced by the driver's own

    connection = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), 64)
    assert connection._connection is None  # read after each call: None until connected
    assert isinstance(connection._thread, threading.Thread)  # made a daemon in connect()
    assert not connection._thread.is_alive()


async def test_the_driver_connects_runs_and_closes_on_aiosqlites_thread() -> None:
    connection = await sqlite_driver.connect(":memory:")
    assert isinstance(connection, sqlite_driver.Connection)
    try:
        assert connection._thread.daemon
        assert isinstance(connection._connection, sqlite3.Connection)
        thread = await connection.run(lambda _: threading.get_ident())
        assert thread == connection._thread.ident != threading.get_ident()
    finally:
        await connection.close()
    assert connection._connection is None
