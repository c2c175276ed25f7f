"""Status reports: who may report on what, last period's answers, saving a revision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.inputs import StatusInput
from storage.models import (
    Lifecycle,
    MetricValue,
    Person,
    Project,
    ProjectMetric,
    ReportingPeriod,
    Role,
    StatusReport,
    StatusRevision,
    utcnow,
)


class NotAllowedError(Exception):
    """The person may not report on this project."""


class UnknownProjectError(Exception):
    """No such project."""


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the status card shows for one project and period."""

    project: Project
    owner: Person | None
    deputy_ids: frozenset[int]
    metrics: list[ProjectMetric]
    current: StatusReport | None  # this period's report, if answered
    previous: StatusReport | None  # the latest earlier report, for pre-filling
    metric_values: dict[int, Decimal]  # this period's values, else the latest earlier ones
    submitted_by: Person | None
    period_closed: bool


def may_report(person: Person, project: Project, owner: Person | None) -> bool:
    """Owners, their deputies (the project's or the owner's) and admins may report."""
    if person.role == Role.admin:
        return True
    allowed = {project.owner_id, project.deputy_id, owner.deputy_id if owner else None}
    return person.id is not None and person.id in allowed


async def reportable_projects(person: Person, *, session: AsyncSession) -> list[Project]:
    """Started projects the person owns or is deputy for, directly or for the owner."""
    owner = aliased(Person)
    statement = (
        select(Project)
        .outerjoin(owner, col(owner.id) == col(Project.owner_id))
        .where(
            Project.state == Lifecycle.started,
            or_(
                col(Project.owner_id) == person.id,
                col(Project.deputy_id) == person.id,
                col(owner.deputy_id) == person.id,
            ),
        )
        .order_by(col(Project.code))
    )
    return list((await session.exec(statement)).all())


async def report_context(project_id: int, period: str, *, session: AsyncSession) -> ReportContext:
    project = await session.get(Project, project_id)
    if project is None:
        raise UnknownProjectError(project_id)
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    metrics = list(
        (
            await session.exec(
                select(ProjectMetric)
                .where(ProjectMetric.project_id == project_id)
                .order_by(col(ProjectMetric.position), col(ProjectMetric.id))
            )
        ).all()
    )
    current = (
        await session.exec(
            select(StatusReport).where(
                StatusReport.project_id == project_id, StatusReport.period == period
            )
        )
    ).first()
    previous = (
        await session.exec(
            select(StatusReport)
            .where(StatusReport.project_id == project_id, col(StatusReport.period) < period)
            .order_by(col(StatusReport.period).desc())
            .limit(1)
        )
    ).first()
    values: dict[int, Decimal] = {}
    if metrics:
        rows = await session.exec(
            select(MetricValue)
            .where(
                col(MetricValue.metric_id).in_([m.id for m in metrics]),
                col(MetricValue.period) <= period,
            )
            .order_by(col(MetricValue.period))
        )
        for row in rows:  # ascending: the latest period wins
            values[row.metric_id] = row.value
    closed = await session.get(ReportingPeriod, period)
    submitted_by = (
        await session.get(Person, current.submitted_by_id) if current is not None else None
    )
    deputies = {d for d in (project.deputy_id, owner.deputy_id if owner else None) if d}
    return ReportContext(
        project=project,
        owner=owner,
        deputy_ids=frozenset(deputies),
        metrics=metrics,
        current=current,
        previous=previous,
        metric_values=values,
        submitted_by=submitted_by,
        period_closed=bool(closed and closed.closed_at),
    )


async def save_report(
    *,
    person: Person,
    project_id: int,
    period: str,
    values: StatusInput,
    activity_id: str | None,
    session: AsyncSession,
) -> StatusReport:
    """Save the period's report, or a new revision of it, with its audit entry.

    Runs inside the caller's transaction: rights are checked again here, against the
    database, whatever the card showed. Raises ``NotAllowedError`` or
    ``UnknownProjectError`` before anything is written.
    """
    project = await session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise UnknownProjectError(project_id)
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    if not may_report(person, project, owner):
        raise NotAllowedError(project_id)
    if person.id is None:
        raise NotAllowedError(project_id)
    metric_ids = {
        m
        for m in (
            await session.exec(
                select(ProjectMetric.id).where(ProjectMetric.project_id == project_id)
            )
        ).all()
        if m is not None
    }
    if not set(values.metrics) <= metric_ids:
        raise UnknownProjectError(project_id)

    closed = await session.get(ReportingPeriod, period)
    late = bool(closed and closed.closed_at)
    now = utcnow()
    report = (
        await session.exec(
            select(StatusReport)
            .where(StatusReport.project_id == project_id, StatusReport.period == period)
            .with_for_update()
        )
    ).first()
    if report is None:
        report = StatusReport(
            project_id=project_id,
            period=period,
            revision=1,
            health=values.health,
            progress=values.progress,
            spent_cents=values.spent_cents,
            forecast_cents=values.forecast_cents,
            submitted_by_id=person.id,
            first_submitted_at=now,
            submitted_at=now,
        )
    else:
        report.revision += 1
    report.health = values.health
    report.progress = values.progress
    report.spent_cents = values.spent_cents
    report.forecast_cents = values.forecast_cents
    report.achievements = values.achievements
    report.next_steps = values.next_steps
    report.risks = values.risks
    report.submitted_by_id = person.id
    report.submitted_at = now
    report.late = report.late or late
    session.add(report)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent first answer won: retry as a revision
        raise ConcurrentReportError(project_id) from exc
    if report.id is None:
        raise RuntimeError("flush assigns the report an id")
    session.add(
        StatusRevision(
            report_id=report.id,
            number=report.revision,
            health=values.health,
            progress=values.progress,
            spent_cents=values.spent_cents,
            forecast_cents=values.forecast_cents,
            metric_values={str(k): str(v) for k, v in values.metrics.items()},
            achievements=values.achievements,
            next_steps=values.next_steps,
            risks=values.risks,
            submitted_by_id=person.id,
            submitted_at=now,
            late=late,
            activity_id=activity_id,
        )
    )
    for metric_id, value in values.metrics.items():
        existing = (
            await session.exec(
                select(MetricValue).where(
                    MetricValue.metric_id == metric_id, MetricValue.period == period
                )
            )
        ).first()
        row = existing or MetricValue(metric_id=metric_id, period=period, value=value)
        row.value = value
        session.add(row)
    latest_period = (
        await session.exec(
            select(StatusReport.period)
            .where(StatusReport.project_id == project_id)
            .order_by(col(StatusReport.period).desc())
            .limit(1)
        )
    ).first()
    if latest_period is None or latest_period <= period:
        project.progress = values.progress
        project.health = values.health
        project.actual_cents = values.spent_cents
        project.forecast_cents = values.forecast_cents
        session.add(project)
    await audit.record(
        actor_id=person.id,
        action="status.revise" if report.revision > 1 else "status.submit",
        entity="status_report",
        entity_id=report.id,
        activity_id=activity_id,
        details={
            "project": project.code,
            "period": period,
            "revision": report.revision,
            "late": late,
            "health": values.health.value,
            "progress": values.progress,
        },
        session=session,
    )
    await session.flush()
    return report


class ConcurrentReportError(Exception):
    """Another first answer for the same project and period was saved at the same moment."""
