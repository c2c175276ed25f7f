"""storage.db.write_unit: a write unit runs again, whole, after a transient clash only."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import db
from storage.db import SessionFactory, create_engine, session_factory, write_unit
from storage.models import ProcessedActivity, utcnow


async def _ids(sessions: SessionFactory) -> list[str]:
    async with sessions() as session:
        return sorted((await session.exec(select(ProcessedActivity.activity_id))).all())


def _claim(activity_id: str) -> ProcessedActivity:
    return ProcessedActivity(activity_id=activity_id, received_at=utcnow())


async def test_a_unique_clash_runs_the_whole_unit_again_with_nothing_of_the_first_kept(
    sessions: SessionFactory,
) -> None:
    async with sessions() as session, session.begin():
        session.add(_claim("taken"))
    attempts: list[int] = []

    async def unit(*, session: AsyncSession) -> int:
        attempts.append(len(attempts) + 1)
        session.add(_claim(f"written-{len(attempts)}"))
        await session.flush()
        if len(attempts) == 1:  # another unit won the key since this one decided on it
            session.add(_claim("taken"))
            await session.flush()
        return len(attempts)

    assert await write_unit(sessions, unit) == 2
    assert await _ids(sessions) == ["taken", "written-2"]


async def test_an_error_that_would_come_again_is_raised_at_once(sessions: SessionFactory) -> None:
    attempts: list[int] = []

    async def unit(*, session: AsyncSession) -> None:
        attempts.append(1)
        session.add(_claim("kept-out"))
        await session.flush()
        await session.exec(  # NOT NULL: no other unit could change that
            ProcessedActivity.__table__.update().values(received_at=None)  # type: ignore[attr-defined]
        )

    with pytest.raises(IntegrityError):
        await write_unit(sessions, unit)
    assert attempts == [1]
    assert await _ids(sessions) == []


async def test_the_attempts_are_bounded(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        session.add(_claim("taken"))
    attempts: list[int] = []

    async def unit(*, session: AsyncSession) -> None:
        attempts.append(1)
        session.add(_claim("taken"))
        await session.flush()

    with pytest.raises(IntegrityError):
        await write_unit(sessions, unit, attempts=3)
    assert len(attempts) == 3


async def test_a_unit_that_finds_sqlite_locked_runs_again_once_the_writer_is_done(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0)  # "database is locked" without waiting
    engine = create_engine(sqlite_url)
    sessions = session_factory(engine)
    try:
        async with engine.connect() as writer:
            await writer.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
            attempts: list[int] = []

            async def unit(*, session: AsyncSession) -> None:
                attempts.append(1)
                if len(attempts) == 2:
                    await writer.rollback()  # the other writer is done
                await session.exec(
                    select(ProcessedActivity).where(col(ProcessedActivity.activity_id) == "x")
                )
                session.add(_claim("mine"))

            await write_unit(sessions, unit)
        assert len(attempts) == 2
        assert await _ids(sessions) == ["mine"]
    finally:
        await engine.dispose()
