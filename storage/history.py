"""The portfolio as it stood at the end of a month, rebuilt from the status history.

The board's autumn deck reports "as of 10/2024", and a manager asks for "roadmap 2024 as
of 10/2024". Projects hold only their latest figures, so a past month is rebuilt:

* a project's **standing** at the end of a month is its latest report for a period up to
  that month that had been given by then, with the values of its latest revision given by
  then (a correction made a few days into the next month is not yet known at the month's
  end). A report without revision rows (bulk-loaded history) counts with its own values;
* its **lifecycle state** then follows from the dates and the reports (``state_as_of``):
  the database keeps no history of state changes;
* a **metric**'s value is the latest one for a period up to that month.

"The end of a month" is midnight after its last day in the city's time zone. Every
function takes the session by keyword; none of them writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, inspect
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Health,
    Lifecycle,
    MetricValue,
    Project,
    Roadmap,
    StatusReport,
    StatusRevision,
)
from storage.portfolio import ProjectRow, roadmap_projects
from storage.rights import Rights


class BadPeriodError(ValueError):
    """Not a month written YYYY-MM."""


def parse_month(text: str) -> str:
    """``2024-10``, ``10/2024`` or ``2024-1`` as ``2024-10``; BadPeriodError otherwise."""
    cleaned = text.strip()
    if "/" in cleaned:
        month_text, _, year_text = cleaned.partition("/")
    else:
        year_text, _, month_text = cleaned.partition("-")
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        raise BadPeriodError(text)
    if not (month_text.isascii() and month_text.isdigit() and 1 <= len(month_text) <= 2):
        raise BadPeriodError(text)
    year, month = int(year_text), int(month_text)
    if not (1 <= month <= 12 and 1900 < year < 2200):
        raise BadPeriodError(text)
    return f"{year:04d}-{month:02d}"


def month_end(period: str, zone: ZoneInfo) -> datetime:
    """The moment a month ends: midnight after its last day, in ``zone`` (an aware datetime)."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 1, tzinfo=zone)


def month_last_day(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def state_as_of(
    current: Lifecycle,
    *,
    start: date | None,
    end: date | None,
    reported: bool,
    last_day: date,
) -> Lifecycle:
    """A project's lifecycle state on ``last_day``, from what is kept today.

    A completed project counts as completed once its end date has passed; before that, and
    for any project with a report by then or a start date reached, it counts as started.
    A paused or cancelled project keeps that state unless it was reporting by then (it was
    running), and a project that had neither started nor reported was planned.
    """
    if current is Lifecycle.completed and end is not None and end <= last_day:
        return Lifecycle.completed
    if reported:
        return Lifecycle.started
    if current in (Lifecycle.paused, Lifecycle.cancelled):
        return current
    if current is not Lifecycle.planned and start is not None and start <= last_day:
        return Lifecycle.started
    return Lifecycle.planned


@dataclass(frozen=True, slots=True)
class Standing:
    """One project's report as it was known at a moment: the values of its revision then."""

    project_id: int
    period: str
    health: Health
    progress: int
    spent_cents: int
    forecast_cents: int
    achievements: str
    next_steps: str
    risks: str


def _effective(cutoff: datetime, period: str, project_ids: Collection[int] | None) -> object:
    """Reports up to ``period`` given by ``cutoff``, each with its latest revision by then."""
    known = (
        select(
            col(StatusRevision.report_id).label("report_id"),
            func.max(StatusRevision.number).label("number"),
        )
        .where(col(StatusRevision.submitted_at) < cutoff)
        .group_by(col(StatusRevision.report_id))
        .subquery()
    )
    revision = aliased(StatusRevision)
    statement = (
        select(StatusReport, revision)
        .outerjoin(known, known.c.report_id == col(StatusReport.id))
        .outerjoin(
            revision,
            and_(
                col(revision.report_id) == known.c.report_id,
                col(revision.number) == known.c.number,
            ),
        )
        .where(
            col(StatusReport.period) <= period,
            col(StatusReport.first_submitted_at) < cutoff,
        )
    )
    if project_ids is not None:
        statement = statement.where(col(StatusReport.project_id).in_(list(project_ids)))
    return statement


def _standing(report: StatusReport, revision: StatusRevision | None) -> Standing:
    source: StatusReport | StatusRevision = revision if revision is not None else report
    return Standing(
        project_id=report.project_id,
        period=report.period,
        health=Health(source.health),
        progress=source.progress,
        spent_cents=source.spent_cents,
        forecast_cents=source.forecast_cents,
        achievements=source.achievements,
        next_steps=source.next_steps,
        risks=source.risks,
    )


async def standing_as_of(
    period: str,
    *,
    session: AsyncSession,
    zone: ZoneInfo,
    project_ids: Collection[int] | None = None,
) -> dict[int, Standing]:
    """Each project's latest standing at the end of ``period`` (projects without one absent)."""
    cutoff = month_end(period, zone)
    latest = (
        select(
            col(StatusReport.project_id).label("project_id"),
            func.max(StatusReport.period).label("period"),
        )
        .where(col(StatusReport.period) <= period, col(StatusReport.first_submitted_at) < cutoff)
        .group_by(col(StatusReport.project_id))
        .subquery()
    )
    statement = _effective(cutoff, period, project_ids).join(  # type: ignore[attr-defined]
        latest,
        and_(
            latest.c.project_id == col(StatusReport.project_id),
            latest.c.period == col(StatusReport.period),
        ),
    )
    rows = (await session.exec(statement)).all()
    return {report.project_id: _standing(report, revision) for report, revision in rows}


async def history_as_of(
    period: str,
    *,
    session: AsyncSession,
    zone: ZoneInfo,
    project_ids: Collection[int],
    months: int = 12,
) -> dict[int, list[Standing]]:
    """Each project's standings, oldest first: the last ``months`` reports up to ``period``."""
    if not project_ids:
        return {}
    statement = _effective(month_end(period, zone), period, project_ids)
    rows = (await session.exec(statement)).all()  # type: ignore[call-overload]
    series: dict[int, list[Standing]] = {}
    for report, revision in sorted(rows, key=lambda row: (row[0].project_id, row[0].period)):
        series.setdefault(report.project_id, []).append(_standing(report, revision))
    return {key: values[-months:] for key, values in series.items()}


async def metric_values_as_of(
    period: str, *, session: AsyncSession, metric_ids: Collection[int]
) -> dict[int, tuple[str, Decimal]]:
    """Each metric's latest value for a period up to ``period``: ``{metric id: (period, value)}``."""
    if not metric_ids:
        return {}
    latest = (
        select(
            col(MetricValue.metric_id).label("metric_id"),
            func.max(MetricValue.period).label("period"),
        )
        .where(col(MetricValue.metric_id).in_(list(metric_ids)), col(MetricValue.period) <= period)
        .group_by(col(MetricValue.metric_id))
        .subquery()
    )
    rows = await session.exec(
        select(MetricValue).join(
            latest,
            and_(
                latest.c.metric_id == col(MetricValue.metric_id),
                latest.c.period == col(MetricValue.period),
            ),
        )
    )
    return {row.metric_id: (row.period, row.value) for row in rows.all()}


_PROJECT_COLUMNS: Final = inspect(Project).column_attrs


async def roadmap_as_of(
    year: int, period: str, rights: Rights, *, session: AsyncSession, zone: ZoneInfo
) -> tuple[Roadmap | None, list[ProjectRow]]:
    """Roadmap ``year``'s projects as they stood at the end of ``period``.

    Each row's project is a copy, never added to the session, with the state, health and
    progress of its standing then (``state_as_of``; a project without a report by then has
    no health and the progress it had when it started: none). Spent and forecast are the
    standing's, under ``rights``; a completed project keeps its final figures, a planned
    one had spent nothing. The planned cost, names and owners are today's: the database
    keeps no history of them.
    """
    roadmap, rows = await roadmap_projects(year, rights, session=session)
    ids = [row.project.id for row in rows if row.project.id is not None]
    standings = await standing_as_of(period, session=session, zone=zone, project_ids=ids)
    last_day = month_last_day(period)
    then: list[ProjectRow] = []
    for row in rows:
        project = row.project
        standing = standings.get(project.id or 0)
        state = state_as_of(
            Lifecycle(project.state),
            start=project.start_date,
            end=project.end_date,
            reported=standing is not None,
            last_day=last_day,
        )
        copy = Project(**{a.key: getattr(project, a.key) for a in _PROJECT_COLUMNS})
        copy.state = state
        spent: int | None
        forecast: int | None
        if state is Lifecycle.completed:
            spent, forecast = project.actual_cents, project.forecast_cents
        elif standing is not None:
            copy.health, copy.progress = standing.health, standing.progress
            spent, forecast = standing.spent_cents, standing.forecast_cents
        else:
            copy.health, copy.progress = None, 0
            spent, forecast = (
                (0, project.planned_cents) if state is Lifecycle.planned else (None, None)
            )
        then.append(
            ProjectRow(
                copy,
                row.owner,
                row.planned_cents,
                rights.money(project, spent),
                rights.money(project, forecast),
            )
        )
    return roadmap, then
