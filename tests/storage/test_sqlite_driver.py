"""storage.sqlite_driver: one hand-off to the connection's thread per statement, same results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from storage import sqlite_driver
from storage.db import create_engine, session_factory
from storage.models import ProcessedActivity, utcnow


@pytest.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    run = sqlite_driver.Connection.run

    async def counted(self: sqlite_driver.Connection, function: Any) -> Any:
        calls.append(getattr(function, "__name__", "?"))
        return await run(self, function)

    monkeypatch.setattr(sqlite_driver.Connection, "run", counted)
    return calls


async def test_a_query_is_one_hand_off_and_reads_every_row(
    sqlite_engine: AsyncEngine, hand_offs: list[str]
) -> None:
    sessions = session_factory(sqlite_engine)
    async with sessions() as session, session.begin():
        session.add_all(
            ProcessedActivity(activity_id=f"c|{n}", received_at=utcnow()) for n in range(150)
        )
    hand_offs.clear()
    async with sessions() as session:
        rows = (await session.exec(select(ProcessedActivity))).all()
        counted = (await session.exec(select(ProcessedActivity.activity_id))).all()
    assert len(rows) == len(counted) == 150  # more than one fetch chunk
    assert hand_offs == ["execute", "execute"]


async def test_rowcount_lastrowid_and_errors_are_the_drivers(sqlite_engine: AsyncEngine) -> None:
    sessions = session_factory(sqlite_engine)
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
    async with sqlite_engine.connect() as connection:
        await connection.execute(text("CREATE TEMP TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        assert inserted.lastrowid == 2
        batch = await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "c"}, {"v": "d"}]
        )
        assert batch.rowcount == 2
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 4


async def test_an_unfinished_transaction_never_outlives_its_connections_use(
    sqlite_engine: AsyncEngine,
) -> None:
    """The pool does not roll back on return (storage.db); sessions and connections do."""
    sessions = session_factory(sqlite_engine)
    async with sessions() as session:
        session.add(ProcessedActivity(activity_id="c|lost", received_at=utcnow()))
        await session.flush()  # written inside a transaction that is never committed
    async with sqlite_engine.connect() as connection:
        await connection.execute(text("DELETE FROM processedactivity"))  # not committed
    for n in range(3):  # whichever pooled connection comes back, nothing leaked
        async with sessions() as session, session.begin():
            found = (await session.exec(select(ProcessedActivity.activity_id))).all()
            assert sorted(found) == [f"c|{i}" for i in range(n)]
            session.add(ProcessedActivity(activity_id=f"c|{n}", received_at=utcnow()))
    async with sessions() as session:
        assert len((await session.exec(select(ProcessedActivity))).all()) == 3
