"""The outbox: every proactive message is a row with a unique idempotency key.

Writers add rows with ``enqueue`` (a key that exists already is left alone). A
dispatcher ``claim``s due rows: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
dispatchers never take the same row; on SQLite the database's single writer does the
same.

A claim carries the cycle lease's epoch (``storage.lease``). The leader of a newer epoch
takes the rows claimed in an older one at once: their dispatcher has lost the lease, and
checks it before each post, so it will not send them. A claim made without a lease
(epoch 0) whose dispatcher died is taken again after ``CLAIM_TIMEOUT``. Either way only
the messages whose post was under way at a crash can be sent twice. Recording the
outcome (``finish``) is fenced by worker and epoch, so a dispatcher that lost its claim
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.models import OutboxAttempt, OutboxMessage, OutboxStatus, utcnow

CLAIM_TIMEOUT = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class NewMessage:
    key: str
    kind: str
    period: str
    person_id: int | None
    project_id: int | None
    conversation_id: int | None
    tenant_id: str | None
    not_before: datetime
    payload: dict[str, Any]


async def enqueue(messages: Sequence[NewMessage], *, session: AsyncSession) -> int:
    """Add the messages whose key is new; return how many were added."""
    if not messages:
        return 0
    now = utcnow()
    rows = [
        {
            "key": m.key,
            "kind": m.kind,
            "period": m.period,
            "person_id": m.person_id,
            "project_id": m.project_id,
            "conversation_id": m.conversation_id,
            "tenant_id": m.tenant_id,
            "payload": m.payload,
            "status": OutboxStatus.pending.value,
            "not_before": m.not_before,
            "next_attempt_at": m.not_before,
            "attempts": 0,
            "last_error": "",
            "created_at": now,
        }
        for m in messages
    ]
    insert = upsert_insert(session)
    added = 0
    for start in range(0, len(rows), 500):
        statement = insert(OutboxMessage).values(rows[start : start + 500])
        result = await session.exec(statement.on_conflict_do_nothing(index_elements=["key"]))
        added += max(int(result.rowcount or 0), 0)
    return added


async def claim(
    worker: str,
    *,
    limit: int,
    session: AsyncSession,
    epoch: int = 0,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker in ``epoch``, oldest first.

    Due: pending and past ``next_attempt_at``, or in flight under an older epoch, or in
    flight for longer than ``CLAIM_TIMEOUT``.

    One ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``: on
    PostgreSQL concurrent dispatchers skip each other's rows; on SQLite the statement
    is one write, so two dispatchers cannot take the same row.
    """
    now = now or utcnow()
    stale = now - CLAIM_TIMEOUT
    due = (
        select(OutboxMessage.id)
        .where(
            or_(
                (col(OutboxMessage.status) == OutboxStatus.pending)
                & (col(OutboxMessage.next_attempt_at) <= now),
                (col(OutboxMessage.status) == OutboxStatus.in_flight)
                & (
                    (col(OutboxMessage.claim_epoch) < epoch)
                    | (col(OutboxMessage.claimed_at) < stale)
                ),
            )
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.in_flight.value,
            claimed_by=worker,
            claimed_at=now,
            claim_epoch=epoch,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.exec(statement)).scalars().all())
    return sorted(claimed, key=lambda m: (m.next_attempt_at, m.id or 0))


async def finish(
    message_id: int,
    *,
    worker: str,
    status: OutboxStatus,
    outcome: str,
    session: AsyncSession,
    epoch: int = 0,
    status_code: int | None = None,
    retry_at: datetime | None = None,
    retry_after_s: float | None = None,
    error: str = "",
    duration_ms: int = 0,
    sent_activity_id: str | None = None,
) -> bool:
    """Record an attempt and the message's new state; False if another worker took it over.

    The attempt is recorded either way; the message only while this worker's claim, in
    this epoch, still stands.
    """
    now = utcnow()
    values: dict[str, Any] = {
        "status": status.value,
        "attempts": OutboxMessage.attempts + 1,
        "claimed_by": None,
        "claimed_at": None,
        "last_error": error[:500],
    }
    if status == OutboxStatus.sent:
        values["sent_at"] = now
        values["sent_activity_id"] = sent_activity_id
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.claim_epoch) == epoch,
        )
        .values(**values)
    )
    session.add(
        OutboxAttempt(
            message_id=message_id,
            worker=worker,
            epoch=epoch,
            outcome=outcome,
            status_code=status_code,
            retry_after_s=retry_after_s,
            duration_ms=duration_ms,
            error=error[:500],
        )
    )
    await session.flush()
    return bool(result.rowcount)


async def release(message_id: int, *, worker: str, epoch: int, session: AsyncSession) -> bool:
    """Give a claimed message back, unsent and without an attempt (the cycle was paused)."""
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.claim_epoch) == epoch,
        )
        .values(status=OutboxStatus.pending.value, claimed_by=None, claimed_at=None)
    )
    return bool(result.rowcount)


async def counts(*, session: AsyncSession, period: str | None = None) -> dict[str, int]:
    statement = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    if period is not None:
        statement = statement.where(OutboxMessage.period == period)
    return {str(status): int(count) for status, count in (await session.exec(statement)).all()}


async def pending_count(*, session: AsyncSession) -> int:
    statement = select(func.count()).where(
        col(OutboxMessage.status).in_([OutboxStatus.pending, OutboxStatus.in_flight])
    )
    return int((await session.exec(statement)).one())
