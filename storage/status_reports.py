"""Status reports: who may report on what, last period's answers, saving a revision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BindParameter, and_, bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage import audit
from storage.models import (
    Health,
    Lifecycle,
    MetricValue,
    Person,
    Programme,
    Project,
    ProjectMetric,
    ReportingPeriod,
    Roadmap,
    RoadmapProject,
    Role,
    StatusReport,
    StatusRevision,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class StatusInput:
    """One report as the form's checks let it through (``bot.forms``): what is saved."""

    health: Health
    progress: int
    spent_cents: int
    forecast_cents: int
    metrics: dict[int, Decimal]
    achievements: str
    next_steps: str
    risks: str


class NotAllowedError(Exception):
    """The person may not report on this project."""


class UnknownProjectError(Exception):
    """No such project."""


class NoProjectPeriodError(Exception):
    """The period is before the project's first roadmap year or the programme's start."""


class PeriodFrozenError(Exception):
    """The period is closed and its report was given: it can no longer be changed."""


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
_CURRENT = aliased(StatusReport, name="current_report")
_PREVIOUS = aliased(StatusReport, name="previous_report")
_EARLIER = aliased(StatusReport, name="earlier_report")
# A metric's value: this period's, else the latest earlier one.
_LATEST_VALUE = (
    select(col(MetricValue.value))
    .where(
        col(MetricValue.metric_id) == col(ProjectMetric.id),
        col(MetricValue.period) <= _PERIOD,
    )
    .order_by(col(MetricValue.period).desc())
    .limit(1)
    .scalar_subquery()
    .label("latest_value")
)
# Each project with its owner, whether the period is closed, this period's report, the
# latest earlier one, and each of its metrics with its value: one row a metric however long
# its history, one row for a project without metrics. One statement, so one round trip,
# for every card of a turn.
_CONTEXT_ROWS = cast(  # more entities than sqlmodel's select() is typed for
    "Select[Project, Person | None, datetime | None, StatusReport | None,"
    " StatusReport | None, ProjectMetric | None, Decimal | None]",
    select(
        Project,
        Person,
        select(ReportingPeriod.closed_at)
        .where(col(ReportingPeriod.period) == _PERIOD)
        .scalar_subquery(),
    )
    .add_columns(_CURRENT, _PREVIOUS, ProjectMetric, _LATEST_VALUE)
    .outerjoin(Person, col(Person.id) == col(Project.owner_id))
    .outerjoin(
        _CURRENT,
        and_(col(_CURRENT.project_id) == col(Project.id), col(_CURRENT.period) == _PERIOD),
    )
    .outerjoin(
        _PREVIOUS,
        and_(
            col(_PREVIOUS.project_id) == col(Project.id),
            col(_PREVIOUS.period)
            == select(func.max(_EARLIER.period))
            .where(col(_EARLIER.project_id) == col(Project.id), col(_EARLIER.period) < _PERIOD)
            .scalar_subquery(),
        ),
    )
    .outerjoin(ProjectMetric, col(ProjectMetric.project_id) == col(Project.id))
    .order_by(col(Project.code), col(ProjectMetric.position), col(ProjectMetric.id)),
)
_CONTEXTS = {
    "ids": _CONTEXT_ROWS.where(col(Project.id).in_(_IDS)),
    "person": _CONTEXT_ROWS.where(_REPORTABLE_BY),
}


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
    """One statement whatever the number of projects: each project with its owner, the
    period's state, this and the latest earlier report, and its metrics with their values."""
    rows = (await session.exec(_CONTEXTS[which], params=params | {"period": period})).all()
    if not rows:
        return []
    period_closed = rows[0][2] is not None
    projects: dict[int, tuple[Project, Person | None, StatusReport | None, StatusReport | None]]
    projects = {}  # in the rows' order: by code
    metrics_by_project: dict[int, list[ProjectMetric]] = {}
    values: dict[int, Decimal] = {}
    for project, owner, _closed, report, previous, metric, value in rows:
        key = project.id or 0
        if key not in projects:
            projects[key] = (project, owner, report, previous)
            metrics_by_project[key] = []
        if metric is not None:
            metrics_by_project[key].append(metric)
            if value is not None and metric.id is not None:
                values[metric.id] = value

    people = {owner.id: owner for _, owner, _, _ in projects.values() if owner is not None}
    submitters = {
        report.submitted_by_id for _, _, report, _ in projects.values() if report is not None
    }
    submitters -= set(people) | {None}
    if submitters:  # a deputy or an admin answered
        people.update(
            (person.id, person)
            for person in (
                await session.exec(select(Person).where(col(Person.id).in_(submitters)))
            ).all()
        )
    contexts = []
    for key, (project, owner, report, previous) in projects.items():
        metrics = metrics_by_project[key]
        deputies = {d for d in (project.deputy_id, owner.deputy_id if owner else None) if d}
        contexts.append(
            ReportContext(
                project=project,
                owner=owner,
                deputy_ids=frozenset(deputies),
                metrics=metrics,
                current=report,
                previous=previous,
                metric_values={m.id: values[m.id] for m in metrics if m.id in values},
                submitted_by=people.get(report.submitted_by_id) if report else None,
                period_closed=period_closed,
            )
        )
    return contexts


async def first_period(project_id: int, *, session: AsyncSession) -> str | None:
    """The first month the project can report on: January of its first roadmap year, and
    never before the programme's start. None when neither is known."""
    roadmap_year = (
        await session.exec(
            select(func.min(Roadmap.year))
            .join(RoadmapProject, col(RoadmapProject.roadmap_id) == col(Roadmap.id))
            .where(col(RoadmapProject.project_id) == project_id)
        )
    ).one()
    programme_year = (await session.exec(select(func.min(Programme.start_year)))).one()
    years = [year for year in (roadmap_year, programme_year) if year is not None]
    return f"{max(years):04d}-01" if years else None


async def is_project_period(project_id: int, period: str, *, session: AsyncSession) -> bool:
    first = await first_period(project_id, session=session)
    return first is None or period >= first


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

    Runs inside the caller's write unit (``storage.db.write_unit``), which runs it again
    after a clash with a concurrent save: the revision number is read inside the unit.
    Rights are checked again here, against the database, whatever the card showed, and so
    is the period: ``NoProjectPeriodError`` before the project's first roadmap year,
    ``PeriodFrozenError`` for a report already given in a closed period (a first answer
    after close is kept, marked late). Raises these, ``NotAllowedError`` or
    ``UnknownProjectError`` before anything is written.

    An activity saves once: when its revision is in the database already (a retry of a
    turn that saved, then failed), that report is returned and nothing more is written.
    """
    if activity_id is not None:
        saved = await saved_by_activity(activity_id, session=session)
        if saved is not None:
            return saved
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
    if not await is_project_period(project_id, period, session=session):
        raise NoProjectPeriodError(project_id, period)

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
    if late and report is not None:  # a given report is frozen once its period is closed
        raise PeriodFrozenError(project_id, period)
    answer: dict[str, Any] = {
        "health": values.health,
        "progress": values.progress,
        "spent_cents": values.spent_cents,
        "forecast_cents": values.forecast_cents,
        "achievements": values.achievements,
        "next_steps": values.next_steps,
        "risks": values.risks,
        "submitted_by_id": person.id,
        "submitted_at": now,
    }
    if report is None:
        report = StatusReport(
            project_id=project_id,
            period=period,
            revision=1,
            first_submitted_at=now,
            late=late,
            **answer,
        )
    else:
        report.sqlmodel_update(
            answer | {"revision": report.revision + 1, "late": report.late or late}
        )
    session.add(report)
    await session.flush()
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


async def saved_by_activity(activity_id: str, *, session: AsyncSession) -> StatusReport | None:
    """The report that this activity saved a revision of, if it did."""
    return (
        await session.exec(
            select(StatusReport)
            .join(StatusRevision, col(StatusRevision.report_id) == col(StatusReport.id))
            .where(col(StatusRevision.activity_id) == activity_id)
        )
    ).first()
