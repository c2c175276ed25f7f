"""The numbers of a period's digest, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import previous_period
from storage.models import Director, Lifecycle, Person, Project, StatusReport


@dataclass(frozen=True, slots=True)
class Missing:
    project: Project
    owner_name: str
    director: Director | None


@dataclass(frozen=True, slots=True)
class Change:
    project: Project
    before_health: str | None
    after_health: str
    before_progress: int | None
    after_progress: int


@dataclass(frozen=True, slots=True)
class Digest:
    expected: int
    received: int
    health: dict[str, int]
    changes: list[Change]
    late: list[Missing]
    planned_cents: int
    actual_cents: int


async def missing(
    period: str, *, session: AsyncSession, project_ids: list[int] | None = None
) -> list[Missing]:
    """Started projects (or the given ones) with no report for the period, with owner and director."""
    answered = select(StatusReport.project_id).where(StatusReport.period == period)
    statement = (
        select(Project, Person.name, Director)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .outerjoin(Director, col(Director.id) == col(Project.director_id))
        .where(col(Project.id).not_in(answered))
        .order_by(col(Project.code))
    )
    if project_ids is not None:
        statement = statement.where(col(Project.id).in_(project_ids))
    else:
        statement = statement.where(Project.state == Lifecycle.started)
    rows = (await session.exec(statement)).all()
    return [Missing(project, owner or "–", director) for project, owner, director in rows]


async def digest(period: str, *, session: AsyncSession) -> Digest:
    started = Project.state == Lifecycle.started
    expected = (await session.exec(select(func.count()).select_from(Project).where(started))).one()
    health_rows = (
        await session.exec(
            select(StatusReport.health, func.count())
            .where(StatusReport.period == period)
            .group_by(col(StatusReport.health))
        )
    ).all()
    health = {str(h): int(n) for h, n in health_rows}
    before = aliased(StatusReport)
    change_rows = (
        await session.exec(
            select(Project, StatusReport, before)
            .join(StatusReport, col(StatusReport.project_id) == col(Project.id))
            .outerjoin(
                before,
                (col(before.project_id) == col(Project.id))
                & (col(before.period) == previous_period(period)),
            )
            .where(
                col(StatusReport.period) == period,
                (col(before.health).is_(None)) | (col(before.health) != col(StatusReport.health)),
            )
            .order_by(col(Project.code))
        )
    ).all()
    planned, actual = (
        await session.exec(
            select(
                func.coalesce(func.sum(Project.planned_cents), 0),
                func.coalesce(func.sum(Project.actual_cents), 0),
            ).where(col(Project.state).in_([Lifecycle.started, Lifecycle.completed]))
        )
    ).one()
    return Digest(
        expected=int(expected),
        received=sum(health.values()),
        health=health,
        changes=[
            Change(
                project,
                str(old.health) if old else None,
                str(new.health),
                old.progress if old else None,
                new.progress,
            )
            for project, new, old in change_rows
        ],
        late=await missing(period, session=session),
        planned_cents=int(planned or 0),
        actual_cents=int(actual or 0),
    )
