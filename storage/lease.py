"""A lease row: among several replicas, the one holding it schedules and dispatches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory, write_transaction, write_unit
from storage.models import Lease, utcnow


async def acquire(name: str, holder: str, ttl: timedelta, *, sessions: SessionFactory) -> bool:
    """Take or renew the lease; True while this holder has it."""
    now = utcnow()
    async with write_transaction(sessions) as session:
        result = await session.exec(
            update(Lease)
            .where(
                col(Lease.name) == name,
                (col(Lease.holder) == holder) | (col(Lease.expires_at) <= now),
            )
            .values(holder=holder, expires_at=now + ttl)
        )
        if result.rowcount:
            return True
    try:
        async with write_transaction(sessions) as session:
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False  # someone else holds an unexpired lease


async def release(name: str, holder: str, *, sessions: SessionFactory) -> None:
    """Give the lease up at once, so another replica need not wait for it to expire.

    A unit of this replica's that was cancelled on the way down may still hold SQLite's
    write lock for a moment: the release runs again after such a clash (``write_unit``).
    """

    async def expire(*, session: AsyncSession) -> None:
        await session.exec(
            update(Lease)
            .where(col(Lease.name) == name, col(Lease.holder) == holder)
            .values(expires_at=utcnow())
        )

    await write_unit(sessions, expire)
