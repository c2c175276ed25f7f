"""Status reports: who may report on what, last period's answers, saving a revision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, func
from sqlalchemy.exc import IntegrityError
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


# The hot reads are built once, with bind parameters: SQLAlchemy then reuses each
# statement's cache key and compiled form instead of building them for every card.
_PERSON: BindParameter[int] = bindparam("person")
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_PERIOD: BindParameter[str] = bindparam("period")
# Started projects the person owns or is deputy for, directly or for the owner.
_REPORTABLE_BY = and_(
    col(Project.state) == Lifecycle.started,
    or_(
        col(Project.owner_id).in_(
            select(Person.id)
            .where(or_(col(Person.id) == _PERSON, col(Person.deputy_id) == _PERSON))
            .scalar_subquery()
        ),
        col(Project.deputy_id) == _PERSON,
    ),
)
_REPORTABLE_PROJECTS = select(Project).where(_REPORTABLE_BY).order_by(col(Project.code))
_WITH_OWNER_AND_PERIOD = (
    select(
        Project,
        Person,
        select(ReportingPeriod.closed_at)
        .where(col(ReportingPeriod.period) == _PERIOD)
        .scalar_subquery(),
    )
    .outerjoin(Person, col(Person.id) == col(Project.owner_id))
    .order_by(col(Project.code))
)
_CONTEXT_PROJECTS = {
    "ids": _WITH_OWNER_AND_PERIOD.where(col(Project.id).in_(_IDS)),
    "person": _WITH_OWNER_AND_PERIOD.where(_REPORTABLE_BY),
}
_METRICS_WITH_VALUES = (
    select(ProjectMetric, col(MetricValue.value))
    .outerjoin(
        MetricValue,
        and_(
            col(MetricValue.metric_id) == col(ProjectMetric.id),
            col(MetricValue.period) <= _PERIOD,
        ),
    )
    .where(col(ProjectMetric.project_id).in_(_IDS))
    .order_by(col(ProjectMetric.position), col(ProjectMetric.id), col(MetricValue.period))
)
_LATEST_BEFORE = (
    select(StatusReport.project_id, func.max(StatusReport.period).label("period"))
    .where(col(StatusReport.project_id).in_(_IDS), col(StatusReport.period) < _PERIOD)
    .group_by(col(StatusReport.project_id))
    .subquery()
)
_THIS_AND_PREVIOUS_REPORT = (
    select(StatusReport)
    .outerjoin(
        _LATEST_BEFORE,
        and_(
            col(StatusReport.project_id) == _LATEST_BEFORE.c.project_id,
            col(StatusReport.period) == _LATEST_BEFORE.c.period,
        ),
    )
    .where(
        col(StatusReport.project_id).in_(_IDS),
        or_(col(StatusReport.period) == _PERIOD, _LATEST_BEFORE.c.period.is_not(None)),
    )
)


async def reportable_projects(person: Person, *, session: AsyncSession) -> list[Project]:
    """Started projects the person owns or is deputy for, directly or for the owner."""
    return list((await session.exec(_REPORTABLE_PROJECTS, params={"person": person.id})).all())


async def report_context(project_id: int, period: str, *, session: AsyncSession) -> ReportContext:
    contexts = await report_contexts([project_id], period, session=session)
    if not contexts:
        raise UnknownProjectError(project_id)
    return contexts[0]


async def report_contexts(
    project_ids: list[int], period: str, *, session: AsyncSession
) -> list[ReportContext]:
    """The status card's data for these projects, ordered by code."""
    if not project_ids:
        return []
    return await _contexts("ids", {"ids": project_ids}, period, session=session)


async def reportable_contexts(
    person: Person, period: str, *, session: AsyncSession
) -> list[ReportContext]:
    """The status card's data for every project the person may report on, ordered by code."""
    return await _contexts("person", {"person": person.id}, period, session=session)


async def _contexts(
    which: str, params: dict[str, Any], period: str, *, session: AsyncSession
) -> list[ReportContext]:
    """Three statements whatever the number of projects: projects with their owners and the
    period's state, metrics with their values, and this and the latest earlier report."""
    rows = (await session.exec(_CONTEXT_PROJECTS[which], params=params | {"period": period})).all()
    if not rows:
        return []
    project_ids = [project.id for project, _owner, _closed in rows if project.id is not None]
    people = {owner.id: owner for _project, owner, _closed in rows if owner is not None}
    period_closed = rows[0][2] is not None

    metrics_by_project: dict[int, list[ProjectMetric]] = {}
    values: dict[int, Decimal] = {}
    found = {"ids": project_ids, "period": period}
    for metric, value in (await session.exec(_METRICS_WITH_VALUES, params=found)).all():
        metrics = metrics_by_project.setdefault(metric.project_id, [])
        if not metrics or metrics[-1] is not metric:
            metrics.append(metric)
        if value is not None and metric.id is not None:
            values[metric.id] = value  # ascending periods: the latest wins

    current: dict[int, StatusReport] = {}
    previous: dict[int, StatusReport] = {}
    for found_report in (await session.exec(_THIS_AND_PREVIOUS_REPORT, params=found)).all():
        reports = current if found_report.period == period else previous
        reports[found_report.project_id] = found_report

    submitters = {r.submitted_by_id for r in current.values()} - set(people) - {None}
    if submitters:  # a deputy or an admin answered
        people.update(
            (person.id, person)
            for person in (
                await session.exec(select(Person).where(col(Person.id).in_(submitters)))
            ).all()
        )
    contexts = []
    for project, owner, _closed in rows:
        report = current.get(project.id or 0)
        metrics = metrics_by_project.get(project.id or 0, [])
        deputies = {d for d in (project.deputy_id, owner.deputy_id if owner else None) if d}
        contexts.append(
            ReportContext(
                project=project,
                owner=owner,
                deputy_ids=frozenset(deputies),
                metrics=metrics,
                current=report,
                previous=previous.get(project.id or 0),
                metric_values={m.id: values[m.id] for m in metrics if m.id in values},
                submitted_by=people.get(report.submitted_by_id) if report else None,
                period_closed=period_closed,
            )
        )
    return contexts


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
