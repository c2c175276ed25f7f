"""Status reports: who may report on what, last period's answers, saving a revision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import BindParameter, Row, and_, bindparam, func
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

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


# The status card's data as read models: plain rows of the columns the cards and the
# rules read, not ORM entities (every ``status`` turn reads them; loading entities was
# most of the read's time).
@dataclass(frozen=True, slots=True)
class ReportProject:
    id: int
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    owner_id: int | None
    deputy_id: int | None
    progress: int
    planned_cents: int | None
    actual_cents: int | None
    forecast_cents: int | None


@dataclass(frozen=True, slots=True)
class ReportPerson:
    id: int
    name: str
    deputy_id: int | None


@dataclass(frozen=True, slots=True)
class ReportMetric:
    id: int
    name_fi: str
    name_sv: str
    name_en: str
    unit: str
    target: Decimal | None


@dataclass(frozen=True, slots=True)
class ReportAnswer:
    """A period's report: its latest revision's values."""

    period: str
    revision: int
    health: str
    progress: int
    spent_cents: int
    forecast_cents: int
    achievements: str
    next_steps: str
    risks: str
    submitted_by_id: int
    submitted_at: datetime
    late: bool


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the status card shows for one project and period."""

    project: ReportProject
    owner: ReportPerson | None
    deputy_ids: frozenset[int]
    metrics: list[ReportMetric]
    current: ReportAnswer | None  # this period's report, if answered
    previous: ReportAnswer | None  # the latest earlier report, for pre-filling
    metric_values: dict[int, Decimal]  # this period's values, else the latest earlier ones
    submitted_by: ReportPerson | None
    period_closed: bool


class _Deputised(Protocol):
    @property
    def deputy_id(self) -> int | None: ...


class _Owned(_Deputised, Protocol):
    @property
    def owner_id(self) -> int | None: ...


def may_report(person: Person, project: _Owned, owner: _Deputised | None) -> bool:
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
_PROJECT_COLUMNS: list[Any] = [col(getattr(Project, name)) for name in ReportProject.__slots__]
_OWNER_COLUMNS: list[Any] = [col(Person.id), col(Person.name), col(Person.deputy_id)]
_METRIC_COLUMNS: list[Any] = [col(getattr(ProjectMetric, name)) for name in ReportMetric.__slots__]


def _answer_columns(report: type[StatusReport]) -> list[Any]:
    return [col(getattr(report, name)) for name in ReportAnswer.__slots__]


_P, _O, _A, _M = (
    len(_PROJECT_COLUMNS),
    len(_OWNER_COLUMNS),
    len(ReportAnswer.__slots__),
    len(_METRIC_COLUMNS),
)
# Each project with its owner, whether the period is closed, this period's report, the
# latest earlier one, and each of its metrics with its value: one row a metric however long
# its history, one row for a project without metrics. One statement, so one round trip,
# for every card of a turn; columns, not entities.
_CONTEXT_ROWS = (
    select_columns(
        *_PROJECT_COLUMNS,
        *_OWNER_COLUMNS,
        select(ReportingPeriod.closed_at)
        .where(col(ReportingPeriod.period) == _PERIOD)
        .scalar_subquery(),
        *_answer_columns(_CURRENT),
        *_answer_columns(_PREVIOUS),
        *_METRIC_COLUMNS,
        _LATEST_VALUE,
    )
    .select_from(Project)
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
    .order_by(col(Project.code), col(ProjectMetric.position), col(ProjectMetric.id))
)
_CONTEXTS = {
    "ids": _CONTEXT_ROWS.where(col(Project.id).in_(_IDS)),
    "person": _CONTEXT_ROWS.where(_REPORTABLE_BY),
}
_SUBMITTERS = select_columns(*_OWNER_COLUMNS).where(col(Person.id).in_(_IDS))


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


def _answer(row: Sequence[Any] | Row[Any]) -> ReportAnswer | None:
    return None if row[0] is None else ReportAnswer(*row)


async def _contexts(
    which: str, params: dict[str, Any], period: str, *, session: AsyncSession
) -> list[ReportContext]:
    """One statement whatever the number of projects: each project with its owner, the
    period's state, this and the latest earlier report, and its metrics with their values."""
    connection = await session.connection()
    rows = (await connection.execute(_CONTEXTS[which], params | {"period": period})).all()
    if not rows:
        return []
    owner_at = _P
    closed_at = owner_at + _O
    current_at = closed_at + 1
    previous_at = current_at + _A
    metric_at = previous_at + _A
    value_at = metric_at + _M
    period_closed = rows[0][closed_at] is not None
    projects: dict[int, tuple[ReportProject, ReportPerson | None, ReportAnswer | None]] = {}
    previous: dict[int, ReportAnswer | None] = {}
    metrics_by_project: dict[int, list[ReportMetric]] = {}
    values: dict[int, Decimal] = {}
    for row in rows:  # in the rows' order: by code
        key = row[0]
        if key not in projects:
            owner = ReportPerson(*row[owner_at:closed_at]) if row[owner_at] is not None else None
            projects[key] = (
                ReportProject(*row[:owner_at]),
                owner,
                _answer(row[current_at:previous_at]),
            )
            previous[key] = _answer(row[previous_at:metric_at])
            metrics_by_project[key] = []
        if row[metric_at] is not None:
            metrics_by_project[key].append(ReportMetric(*row[metric_at:value_at]))
            if row[value_at] is not None:
                values[row[metric_at]] = row[value_at]

    people = {owner.id: owner for _, owner, _ in projects.values() if owner is not None}
    submitters = {report.submitted_by_id for _, _, report in projects.values() if report}
    submitters -= set(people)
    if submitters:  # a deputy or an admin answered
        found = await connection.execute(_SUBMITTERS, {"ids": list(submitters)})
        people.update((row[0], ReportPerson(*row)) for row in found)
    contexts = []
    for key, (project, owner, report) in projects.items():
        metrics = metrics_by_project[key]
        deputies = {d for d in (project.deputy_id, owner.deputy_id if owner else None) if d}
        contexts.append(
            ReportContext(
                project=project,
                owner=owner,
                deputy_ids=frozenset(deputies),
                metrics=metrics,
                current=report,
                previous=previous[key],
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
