"""The audit log: who changed what, when, from which activity."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog


async def record(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    activity_id: str | None,
    details: dict[str, Any],
    session: AsyncSession,
) -> AuditLog:
    entry = AuditLog(
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        activity_id=activity_id,
        details=details,
    )
    session.add(entry)
    await session.flush()
    return entry
