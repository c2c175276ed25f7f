"""Replay protection: every incoming activity id is processed once.

An id is claimed before the turn runs and marked complete after it. A claim whose turn
crashed (never completed, older than ``STALE_AFTER``) may be taken again, so a retry
of a lost turn is processed rather than dropped.

Claims older than ``KEEP`` are pruned daily (``scheduler.jobs.prune_claims``): the
channel retries an activity within minutes, not days.

Every turn writes a claim before it runs, so ``Claims`` writes the claims of concurrent
turns together: one transaction holds every claim that arrived while the previous one
was being written (a group commit). A turn still runs only once its own claim is durable.
Each write here is a write unit (``storage.db.write_unit``): run again after a lock clash
rather than failing the turns.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory, upsert_insert, write_unit
from storage.models import ProcessedActivity, utcnow

STALE_AFTER = timedelta(minutes=2)
KEEP = timedelta(days=7)
PRUNE_BATCH = 5000


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """``completed`` claims and completes in one write, for turns a retry need not redo."""

    activity_id: str
    completed: bool = False


async def claim_all(requests: Sequence[ClaimRequest], *, session: AsyncSession) -> list[bool]:
    """For each request: True when its turn should run, False for a replay.

    A replay is an id already claimed by a completed or running turn, or one requested
    earlier in the same batch.
    """
    now = utcnow()
    first: dict[str, ClaimRequest] = {}
    # in key order, so that two replicas claiming overlapping batches cannot deadlock
    for request in sorted(requests, key=lambda r: r.activity_id):
        first.setdefault(request.activity_id, request)
    insert = upsert_insert(session)
    table = ProcessedActivity.__table__  # type: ignore[attr-defined]
    # One statement with many parameter sets: SQLAlchemy sends it as one multi-row INSERT
    # (its "insertmanyvalues") and compiles it once, where a statement with the rows in
    # its VALUES would be compiled anew for every batch.
    rows = [
        {
            "activity_id": r.activity_id,
            "received_at": now,
            "completed_at": now if r.completed else None,
        }
        for r in first.values()
    ]
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["activity_id"])
        .returning(table.c.activity_id)
    )
    inserted = set((await session.exec(statement, params=rows)).scalars())
    taken = set(inserted)
    for request in first.values():
        if request.activity_id in inserted:
            continue
        # claimed before: run it again only if that turn crashed (never completed, stale)
        retaken = await session.exec(
            update(ProcessedActivity)
            .where(
                col(ProcessedActivity.activity_id) == request.activity_id,
                col(ProcessedActivity.completed_at).is_(None),
                col(ProcessedActivity.received_at) < now - STALE_AFTER,
            )
            .values(received_at=now, completed_at=now if request.completed else None)
        )
        if retaken.rowcount:
            taken.add(request.activity_id)
    return [
        request.activity_id in taken and first[request.activity_id] is request
        for request in requests
    ]


@dataclass
class Claims:
    """Claims of concurrent turns, written together, each turn waiting for its own."""

    # three bind parameters a claim: far below SQLite's and asyncpg's limits
    MAX_BATCH: ClassVar[int] = 500

    sessions: SessionFactory
    _waiting: list[tuple[ClaimRequest, asyncio.Future[bool]]] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None

    async def claim(self, activity_id: str, *, completed: bool = False) -> bool:
        """True when this turn should run; False for a replay of a completed or running turn."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((ClaimRequest(activity_id, completed), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.MAX_BATCH]
            self._waiting = self._waiting[self.MAX_BATCH :]
            requests = [request for request, _ in batch]
            try:
                results = await write_unit(self.sessions, functools.partial(claim_all, requests))
            except Exception as error:  # every turn of the batch fails as its own write would
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            except BaseException:  # shutting down: none of these turns runs
                for _, future in batch + self._waiting:
                    future.cancel()
                self._waiting = []
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


async def complete(activity_id: str, *, sessions: SessionFactory) -> None:
    async def unit(*, session: AsyncSession) -> None:
        await session.exec(
            update(ProcessedActivity)
            .where(col(ProcessedActivity.activity_id) == activity_id)
            .values(completed_at=utcnow())
        )

    await write_unit(sessions, unit)


async def release(activity_id: str, *, sessions: SessionFactory) -> None:
    """Forget a claim whose turn failed, so the channel's retry is processed."""

    async def unit(*, session: AsyncSession) -> None:
        await session.exec(
            delete(ProcessedActivity).where(col(ProcessedActivity.activity_id) == activity_id)
        )

    await write_unit(sessions, unit)


async def prune(older_than: datetime, *, sessions: SessionFactory) -> int:
    """Forget claims received before ``older_than``; how many were forgotten.

    A batch of ``PRUNE_BATCH`` a transaction, so a long backlog never holds the write lock
    that the turns' claims wait for.
    """
    old = (
        select(col(ProcessedActivity.activity_id))
        .where(col(ProcessedActivity.received_at) < older_than)
        .limit(PRUNE_BATCH)
    )

    async def batch(*, session: AsyncSession) -> int:
        result = await session.exec(
            delete(ProcessedActivity).where(col(ProcessedActivity.activity_id).in_(old))
        )
        return int(result.rowcount or 0)

    pruned = 0
    while True:
        count = await write_unit(sessions, batch)
        pruned += count
        if count < PRUNE_BATCH:
            return pruned
