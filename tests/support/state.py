"""Read what the database holds, to assert that bad input changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from storage.db import SessionFactory
from storage.models import AuditLog, MetricValue, Project, StatusReport, StatusRevision


async def snapshot(sessions: SessionFactory) -> dict[str, Any]:
    """Row counts of everything a submission writes, and the projects' rolled-up values."""
    async with sessions() as session:
        counts = {
            model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
            for model in (StatusReport, StatusRevision, AuditLog, MetricValue)
        }
        projects = (await session.exec(select(Project).order_by(col(Project.id)))).all()
        reports = (await session.exec(select(StatusReport).order_by(col(StatusReport.id)))).all()
    return {
        **counts,
        "projects": [(p.progress, p.health, p.actual_cents, p.forecast_cents) for p in projects],
        "reports": [(r.revision, r.progress, r.spent_cents, r.achievements) for r in reports],
    }
