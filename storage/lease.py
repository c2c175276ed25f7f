"""A lease row: among several replicas, the one holding it schedules and dispatches.

A lease alone does not stop a leader that was paused (a long GC, a SIGSTOP, a frozen
VM) from waking up and acting on a lease that has since moved. So the lease has an
epoch, a fencing token: it grows each time the lease changes hands or is taken again
after it expired, and whatever the leader does in its name (claiming outbox rows,
recording a send) carries it. ``holds`` is the check a dispatcher makes right before
each post; a row claimed under an older epoch belongs to a leader that is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory, write_transaction, write_unit
from storage.models import Lease, utcnow


@dataclass(frozen=True, slots=True)
class Hold:
    """A lease as one holder holds it: in one epoch."""

    name: str
    holder: str
    epoch: int


async def acquire(
    name: str, holder: str, ttl: timedelta, *, sessions: SessionFactory
) -> Hold | None:
    """Take or renew the lease; the hold while this holder has it, else None.

    Renewing an unexpired lease keeps its epoch. Taking it, from another holder or
    after it expired (even from oneself: one may have been asleep), starts a new one.
    """
    now = utcnow()
    async with write_transaction(sessions) as session:
        renewed = await session.exec(
            update(Lease)
            .where(
                col(Lease.name) == name,
                col(Lease.holder) == holder,
                col(Lease.expires_at) > now,
            )
            .values(expires_at=now + ttl)
            .returning(col(Lease.epoch))
        )
        epoch = renewed.scalar_one_or_none()
        if epoch is None:
            taken = await session.exec(
                update(Lease)
                .where(col(Lease.name) == name, col(Lease.expires_at) <= now)
                .values(holder=holder, expires_at=now + ttl, epoch=col(Lease.epoch) + 1)
                .returning(col(Lease.epoch))
            )
            epoch = taken.scalar_one_or_none()
        if epoch is not None:
            return Hold(name, holder, int(epoch))
    try:
        async with write_transaction(sessions) as session:
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl, epoch=1))
        return Hold(name, holder, 1)
    except IntegrityError:
        return None  # someone else holds an unexpired lease


async def holds(hold: Hold, *, session: AsyncSession) -> bool:
    """True while the lease is still this holder's, in this epoch, and unexpired."""
    return await expiry(hold, session=session) is not None


async def expiry(hold: Hold, *, session: AsyncSession) -> datetime | None:
    """When the lease expires while it is still this holder's, in this epoch; else None."""
    found = await session.exec(
        select(Lease.expires_at).where(
            col(Lease.name) == hold.name,
            col(Lease.holder) == hold.holder,
            col(Lease.epoch) == hold.epoch,
            col(Lease.expires_at) > utcnow(),
        )
    )
    return found.first()


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
