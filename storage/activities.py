"""Replay protection: every incoming activity id is processed once.

An id is claimed before the turn runs and marked complete after it. A claim whose turn
crashed (never completed, older than ``STALE_AFTER``) may be taken again, so a retry
of a lost turn is processed rather than dropped.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.db import SessionFactory
from storage.models import ProcessedActivity, utcnow

STALE_AFTER = timedelta(minutes=2)


async def claim(activity_id: str, *, sessions: SessionFactory, completed: bool = False) -> bool:
    """True when this turn should run; False for a replay of a completed or running turn.

    ``completed`` claims and completes in one write, for turns whose loss a retry need not undo.
    """
    try:
        async with sessions() as session, session.begin():
            now = utcnow()
            session.add(
                ProcessedActivity(
                    activity_id=activity_id,
                    received_at=now,
                    completed_at=now if completed else None,
                )
            )
        return True
    except IntegrityError:
        pass
    async with sessions() as session, session.begin():
        stale = utcnow() - STALE_AFTER
        result = await session.exec(
            update(ProcessedActivity)
            .where(
                col(ProcessedActivity.activity_id) == activity_id,
                col(ProcessedActivity.completed_at).is_(None),
                col(ProcessedActivity.received_at) < stale,
            )
            .values(received_at=utcnow())
        )
        return bool(result.rowcount)


async def complete(activity_id: str, *, sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        await session.exec(
            update(ProcessedActivity)
            .where(col(ProcessedActivity.activity_id) == activity_id)
            .values(completed_at=utcnow())
        )


async def release(activity_id: str, *, sessions: SessionFactory) -> None:
    """Forget a claim whose turn failed, so the channel's retry is processed."""
    async with sessions() as session, session.begin():
        await session.exec(
            delete(ProcessedActivity).where(col(ProcessedActivity.activity_id) == activity_id)
        )
