"""Workbooks sent in Teams, kept from the check to the admin's Apply (at most an hour)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PendingImport

KEPT_FOR = timedelta(hours=1)  # a sent file waits this long for its Apply or its errors file


async def keep(
    person_id: int, digest: str, file_name: str, data: bytes, *, session: AsyncSession
) -> int:
    """Keep a checked file for its sender's Apply; its id."""
    pending = PendingImport(person_id=person_id, digest=digest, file_name=file_name, data=data)
    session.add(pending)
    await session.flush()
    assert pending.id is not None  # noqa: S101 (flushed)
    return pending.id


async def waiting(
    import_id: int, person_id: int, *, since: datetime, session: AsyncSession
) -> PendingImport | None:
    """The file ``person_id`` sent as ``import_id``, if it was sent after ``since``."""
    found = await session.exec(
        select(PendingImport).where(
            col(PendingImport.id) == import_id,
            col(PendingImport.person_id) == person_id,
            col(PendingImport.created_at) > since,
        )
    )
    return found.first()


async def forget(import_id: int, *, session: AsyncSession) -> None:
    await session.exec(delete(PendingImport).where(col(PendingImport.id) == import_id))


async def prune(older_than: datetime, *, session: AsyncSession) -> int:
    """Drop files whose hour has passed; how many."""
    result = await session.exec(
        delete(PendingImport).where(col(PendingImport.created_at) < older_than)
    )
    return int(result.rowcount or 0)
