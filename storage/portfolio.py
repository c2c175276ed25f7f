"""Managers' questions about the portfolio, answered with SQL aggregates.

Rights are enforced here, not only on the cards: every money figure is read through the
access policy's ``Rights`` (``storage.rights``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Engine,
    Executable,
    Integer,
    String,
    Subquery,
    bindparam,
    case,
    extract,
    func,
    literal_column,
    true,
)
from sqlalchemy import Select as RowSelect
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from scheduler.calendar import previous_period
from storage.forecast import year_share
from storage.matching import best, names_word, ranked
from storage.models import (
    ActualSource,
    Benefit,
    BudgetLine,
    Director,
    Health,
    IndicatorSet,
    IndicatorValue,
    Level,
    Lifecycle,
    MetricValue,
    NeedSource,
    Person,
    Project,
    ProjectMetric,
    ReportRevision,
    Roadmap,
    RoadmapProject,
    StatusReport,
    Theme,
)
from storage.rights import Rights


@dataclass(frozen=True, slots=True)
class Moved:
    """What moved between two months' reports, over the projects that reported for both."""

    period: str  # the later of the two months
    projects: int  # how many reported for both
    better: int  # health better: off track to at risk or on track, at risk to on track
    worse: int
    progress_points: int  # the progress changes' sum, in percentage points
    forecast_cents: int | None  # the forecasts' changes' sum; None without money rights


@dataclass(frozen=True, slots=True)
class Summary:
    by_state: dict[str, int]
    by_health: dict[str, int]
    average_progress: float
    reports_received: int
    reports_expected: int
    year: int
    planned_cents: int | None
    actual_cents: int | None
    # this month's reports against last month's; while this month's are not in, last
    # month's against the month before's; None when no project reported for either pair
    moved: Moved | None


# Constants written into the summary's statement rather than bound: it runs on every turn,
# and each bound value (an enum's above all) is processed again on every execution.
_ZERO, _ONE = literal_column("0", Integer), literal_column("1", Integer)
_ENTERED = literal_column(f"'{ActualSource.entered.value}'", String)
_FROM_REPORTS = literal_column(f"'{ActualSource.reports.value}'", String)
_SUMMARY_FIGURES = (
    select(func.count())
    .select_from(StatusReport)
    .where(col(StatusReport.period) == bindparam("period"))
    .scalar_subquery(),
    select(func.coalesce(func.sum(BudgetLine.planned_cents), _ZERO))
    .where(col(BudgetLine.year) == bindparam("year"))
    .scalar_subquery(),
    select(func.coalesce(func.sum(BudgetLine.actual_cents), _ZERO))
    .where(
        col(BudgetLine.year) == bindparam("year"),
        col(BudgetLine.actual_source) == _ENTERED,
    )
    .scalar_subquery(),
    select(func.count())
    .select_from(BudgetLine)
    .where(
        col(BudgetLine.year) == bindparam("year"),
        col(BudgetLine.actual_source) == _FROM_REPORTS,
    )
    .scalar_subquery(),
)
_BEFORE = aliased(StatusReport)


# Better to worse: a smaller rank is better health.
_HEALTH_RANK: Final = {Health.on_track: 0, Health.at_risk: 1, Health.off_track: 2}


def _rank(health: Any) -> Any:
    return case(
        *(
            (health == literal_column(f"'{h.value}'"), literal_column(str(rank)))
            for h, rank in _HEALTH_RANK.items()
        )
    )


_RANK_AFTER, _RANK_BEFORE = _rank(col(StatusReport.health)), _rank(col(_BEFORE.health))


def _moved(later: str, earlier: str, name: str) -> Subquery:
    """One row of sums over the projects with a report for the months bound as ``later`` and
    ``earlier``: how many, better, worse, and the changes of progress and forecast."""
    return (
        select_columns(
            func.count().label("projects"),
            func.coalesce(
                func.sum(case((_RANK_AFTER < _RANK_BEFORE, _ONE), else_=_ZERO)), _ZERO
            ).label("better"),
            func.coalesce(
                func.sum(case((_RANK_AFTER > _RANK_BEFORE, _ONE), else_=_ZERO)), _ZERO
            ).label("worse"),
            func.coalesce(
                func.sum(col(StatusReport.progress) - col(_BEFORE.progress)), _ZERO
            ).label("progress_points"),
            func.coalesce(
                func.sum(col(StatusReport.forecast_cents) - col(_BEFORE.forecast_cents)), _ZERO
            ).label("forecast_cents"),
        )
        .join(_BEFORE, col(_BEFORE.project_id) == col(StatusReport.project_id))
        .where(
            col(StatusReport.period) == bindparam(later),
            col(_BEFORE.period) == bindparam(earlier),
        )
        .subquery(name)
    )


# The revision of the three months' reports (``ReportRevision``): each month's only grows,
# so their sum is unchanged exactly while none of them changed.
_REVISION = (
    select(func.coalesce(func.sum(ReportRevision.revision), _ZERO))
    .where(
        col(ReportRevision.period).in_(
            [bindparam("period"), bindparam("previous"), bindparam("earlier")]
        )
    )
    .scalar_subquery()
)
_FIGURES_AT = 4  # the row's columns: state, health, count, progress, the figures, the revision
_SUMMARY = cast(  # add_columns keeps sqlmodel's Select; only its type is lost
    "Select[Any, Any, int, int, int, int, int, int, int]",
    select(
        col(Project.state),
        col(Project.health),
        func.count(),
        func.coalesce(func.sum(Project.progress), _ZERO),
    )
    .add_columns(*_SUMMARY_FIGURES, _REVISION)
    .group_by(col(Project.state), col(Project.health)),
)
# An aggregate without GROUP BY is always one row: the two months' sums, joined on true,
# are one row, with the revision they were summed at.
_THIS_MONTH = _moved("period", "previous", "moved_this_month")
_LAST_MONTH = _moved("previous", "earlier", "moved_last_month")
_MOVED = select_columns(_REVISION, *_THIS_MONTH.c, *_LAST_MONTH.c).select_from(
    _THIS_MONTH.join(_LAST_MONTH, true())
)
_MONTH_SUMS = len(_THIS_MONTH.c)

# What moved, by database (its engine, while it lives) and by month, with the revision of
# the months' reports it was summed at. A summary sums again only when that revision
# changed: the sums are most of the summary's database time, and reports change a few
# times a month. Every engine's few entries go at once when it has too many.
_MOVED_SUMS: WeakKeyDictionary[Engine, dict[tuple[str, int], Sequence[Any]]] = WeakKeyDictionary()
_MOVED_SUMS_KEPT = 64


async def _read(
    statement: Executable, params: dict[str, Any], *, session: AsyncSession
) -> Sequence[Any]:
    """A statement of plain columns, run on the session's connection: past the ORM's
    execution (about 45 µs of CPU a statement), which columns have no use for."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def _moved_sums(
    params: dict[str, Any], revision: int, *, session: AsyncSession
) -> Sequence[Any]:
    """The sums of what moved this month and last (``_moved``'s columns, twice) at the
    months' reports' ``revision``: kept ones, or summed now."""
    connection = await session.connection()
    kept = _MOVED_SUMS.setdefault(connection.sync_engine, {})
    sums = kept.get((params["period"], revision))
    if sums is None:
        # summed with the revision it is summed at, which may be later than ``revision``
        now, *sums = (await connection.execute(_MOVED, params)).one()
        if len(kept) >= _MOVED_SUMS_KEPT:
            kept.clear()
        kept[(params["period"], int(now))] = sums
    return sums


def _summary_moved(months: Sequence[tuple[str, Sequence[Any]]], rights: Rights) -> Moved | None:
    """The first of ``months`` (each the later month and its sums) that any project's
    reports pair up for."""
    for later, (projects, better, worse, progress, forecast) in months:
        if projects:
            return Moved(
                later,
                int(projects),
                int(better),
                int(worse),
                int(progress),
                int(forecast) if rights.all_money else None,
            )
    return None


async def summary(period: str, year: int, rights: Rights, *, session: AsyncSession) -> Summary:
    """Projects grouped by state and health, each row with the period's reports received,
    the year's budget planned and used, and the revision of the last three months' reports;
    and what moved since last month, summed again only when that revision changed."""
    previous = previous_period(period)
    params = {
        "period": period,
        "year": year,
        "previous": previous,
        "earlier": previous_period(previous),
    }
    groups = await _read(_SUMMARY, params, session=session)
    if groups:
        received, planned, actual, from_reports, revision = groups[0][_FIGURES_AT:]
        sums = await _moved_sums(params, int(revision), session=session)
        this_month, last_month = sums[:_MONTH_SUMS], sums[_MONTH_SUMS:]
        moved = _summary_moved([(period, this_month), (previous, last_month)], rights)
    else:  # no projects at all, so no reports either
        received, planned, actual, from_reports = (
            await session.exec(select(*_SUMMARY_FIGURES), params=params)
        ).one()
        moved = None
    if from_reports and rights.all_money:  # lines whose actual the reports give
        connection = await session.connection()
        reported = (await connection.execute(_REPORTED_ACTUAL, _year_bounds(year))).scalar_one()
        actual = int(actual or 0) + int(reported)
    by_state: dict[str, int] = {}
    by_health: dict[str, int] = {}
    started_count = started_progress = 0
    for state, health, count, progress, *_figures in groups:
        by_state[state] = by_state.get(state, 0) + count
        if state == Lifecycle.started:
            started_count += count
            started_progress += progress
            if health:
                by_health[health] = by_health.get(health, 0) + count
    average = started_progress / started_count if started_count else 0
    return Summary(
        by_state={str(k): int(v) for k, v in by_state.items()},
        by_health={str(k): int(v) for k, v in by_health.items()},
        average_progress=float(average or 0),
        reports_received=int(received),
        reports_expected=int(by_state.get(Lifecycle.started, 0)),
        year=year,
        planned_cents=int(planned or 0) if rights.all_money else None,
        actual_cents=int(actual or 0) if rights.all_money else None,
        moved=moved,
    )


@dataclass(frozen=True, slots=True)
class ProjectRow:
    project: Project
    owner: str
    planned_cents: int | None
    actual_cents: int | None
    forecast_cents: int | None


def _rows(rows: list[tuple[Project, str | None]], rights: Rights) -> list[ProjectRow]:
    return [
        ProjectRow(
            project,
            owner or "–",
            rights.money(project, project.planned_cents),
            rights.money(project, project.actual_cents),
            rights.money(project, project.forecast_cents),
        )
        for project, owner in rows
    ]


def _with_owner() -> object:
    return select(Project, Person.name).outerjoin(Person, col(Person.id) == col(Project.owner_id))


async def roadmap_projects(
    year: int, rights: Rights, *, session: AsyncSession
) -> tuple[Roadmap | None, list[ProjectRow]]:
    roadmap = (await session.exec(select(Roadmap).where(Roadmap.year == year))).first()
    if roadmap is None:
        return None, []
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .join(RoadmapProject, col(RoadmapProject.project_id) == col(Project.id))
        .where(RoadmapProject.roadmap_id == roadmap.id)
        .order_by(col(Project.code))
    )
    return roadmap, _rows(list((await session.exec(statement)).all()), rights)


@dataclass(frozen=True, slots=True)
class BudgetRow:
    area: str
    name: tuple[str, str, str]
    planned_cents: int
    actual_cents: int  # the year's spend: entered, or from the reports (``actual_source``)
    # the actual, plus this year's share of what the area's started projects still expect
    # to spend (``storage.forecast``); a closed year's forecast is its actual
    forecast_cents: int
    actual_source: ActualSource
    closed: bool  # a year before this one

    @property
    def variance_cents(self) -> int:
        """Planned minus forecast: positive is under plan, negative over it."""
        return self.planned_cents - self.forecast_cents

    @property
    def over_plan(self) -> bool:
        return self.forecast_cents > self.planned_cents


# What a started project still expects to spend, beyond what it has spent to date.
_STILL_TO_SPEND = case(
    (
        col(Project.forecast_cents) > func.coalesce(col(Project.actual_cents), 0),
        col(Project.forecast_cents) - func.coalesce(col(Project.actual_cents), 0),
    ),
    else_=0,
)
_END_YEAR = extract("year", col(Project.end_date))
_END_MONTH = extract("month", col(Project.end_date))
# The started projects' remainders, by area and the month they end: a few hundred rows
# however many projects there are.
_REMAINING = (
    select(
        col(Project.budget_area).label("area"),
        _END_YEAR.label("end_year"),
        _END_MONTH.label("end_month"),
        func.sum(_STILL_TO_SPEND).label("remaining"),
    )
    .where(Project.state == Lifecycle.started, col(Project.budget_area).is_not(None))
    .group_by(col(Project.budget_area), _END_YEAR, _END_MONTH)
    .subquery()
)
# One statement, built once (SQLAlchemy then reuses its cache key and compiled form): each
# of the year's lines, once per month in which its area's started projects end.
# Columns, not the BudgetLine entity: rows are read as tuples, without the ORM's loading.
_BUDGET = cast(  # more columns than sqlmodel's select() is typed for
    "Select[int, str, str, str, str, int, int, str, Any, Any, Any]",
    select(col(BudgetLine.id), col(BudgetLine.area))
    .add_columns(
        col(BudgetLine.name_fi),
        col(BudgetLine.name_sv),
        col(BudgetLine.name_en),
        col(BudgetLine.planned_cents),
        col(BudgetLine.actual_cents),
        col(BudgetLine.actual_source),
        _REMAINING.c.end_year,
        _REMAINING.c.end_month,
        _REMAINING.c.remaining,
    )
    .outerjoin(_REMAINING, _REMAINING.c.area == col(BudgetLine.area))
    .where(col(BudgetLine.year) == bindparam("year"))
    .order_by(col(BudgetLine.area)),
)
_AREA_BUDGET = _BUDGET.where(col(BudgetLine.area) == bindparam("area"))

# Each project's latest report up to the end of a year, and up to the end of the year before.
_LATEST_TWO = (
    select(
        col(StatusReport.project_id).label("project_id"),
        func.max(StatusReport.period).label("at_end"),
        func.max(
            case((col(StatusReport.period) <= bindparam("before"), col(StatusReport.period)))
        ).label("at_before"),
    )
    .where(col(StatusReport.period) <= bindparam("upto"))
    .group_by(col(StatusReport.project_id))
    .subquery()
)
_AT_END = aliased(StatusReport)
_AT_BEFORE = aliased(StatusReport)
# What each area's projects spent in a year by their reports, in one statement: spent to
# date at the year's last report, less spent to date at the year before's.
_SPENT_IN_YEAR: RowSelect[str, int] = (
    select_columns(
        col(Project.budget_area).label("area"),
        (
            func.coalesce(func.sum(_AT_END.spent_cents), _ZERO)
            - func.coalesce(func.sum(_AT_BEFORE.spent_cents), _ZERO)
        ).label("spent"),
    )
    .select_from(_LATEST_TWO)
    .join(
        _AT_END,
        (col(_AT_END.project_id) == _LATEST_TWO.c.project_id)
        & (col(_AT_END.period) == _LATEST_TWO.c.at_end),
    )
    .outerjoin(
        _AT_BEFORE,
        (col(_AT_BEFORE.project_id) == _LATEST_TWO.c.project_id)
        & (col(_AT_BEFORE.period) == _LATEST_TWO.c.at_before),
    )
    .join(Project, col(Project.id) == _LATEST_TWO.c.project_id)
    .where(col(Project.budget_area).is_not(None))
    .group_by(col(Project.budget_area))
)
_BY_AREA = _SPENT_IN_YEAR.subquery()
# The year's actuals of the lines that take theirs from the reports, summed.
_REPORTED_ACTUAL = select_columns(func.coalesce(func.sum(_BY_AREA.c.spent), _ZERO)).where(
    _BY_AREA.c.area.in_(
        select(BudgetLine.area).where(
            col(BudgetLine.year) == bindparam("year"),
            col(BudgetLine.actual_source) == _FROM_REPORTS,
        )
    )
)


def _year_bounds(year: int) -> dict[str, object]:
    return {"year": year, "upto": f"{year}-12", "before": f"{year - 1}-12"}


async def reported_spend(year: int, *, session: AsyncSession) -> dict[str, int]:
    """What each area's projects spent in ``year``, by their status reports: spent to date
    at the year's last report, less spent to date at the year before's."""
    connection = await session.connection()
    rows = await connection.execute(_SPENT_IN_YEAR, _year_bounds(year))
    return {str(area): int(spent) for area, spent in rows}


@dataclass(frozen=True, slots=True)
class _Line:
    """A budget line as ``budget`` reads it."""

    area: str
    name_fi: str
    name_sv: str
    name_en: str
    planned_cents: int
    actual_cents: int
    actual_source: str


async def budget(
    year: int, area: str | None, *, today: date, session: AsyncSession
) -> list[BudgetRow]:
    """A year's budget lines with their actuals and forecasts (``storage.forecast``).

    Callers check ``Rights.all_money`` first.
    """
    params: dict[str, object] = {"year": year} | ({"area": area} if area else {})
    found = await _read(_AREA_BUDGET if area else _BUDGET, params, session=session)
    closed = year < today.year
    lines: dict[int, _Line] = {}
    still: dict[int, int] = {}
    for (
        key,
        line_area,
        fi,
        sv,
        en,
        planned,
        actual,
        source,
        end_year,
        end_month,
        remaining,
    ) in found:
        if key not in lines:
            lines[key] = _Line(line_area, fi, sv, en, planned, actual, source)
        still.setdefault(key, 0)
        if closed or not remaining:
            continue
        end = date(int(end_year), int(end_month), 1) if end_year and end_month else None
        still[key] += year_share(int(remaining), year=year, this_month=today, end=end)
    reported: dict[str, int] = {}
    if any(line.actual_source == ActualSource.reports for line in lines.values()):
        reported = await reported_spend(year, session=session)
    rows = []
    for key, line in lines.items():
        source = ActualSource(line.actual_source)
        actual = reported.get(line.area, 0) if source == ActualSource.reports else line.actual_cents
        rows.append(
            BudgetRow(
                line.area,
                (line.name_fi, line.name_sv, line.name_en),
                line.planned_cents,
                actual,
                actual + still[key],
                source,
                closed,
            )
        )
    return rows


async def budget_areas(
    year: int | None, *, session: AsyncSession
) -> dict[str, tuple[str, str, str]]:
    statement = select(BudgetLine)
    if year is not None:
        statement = statement.where(BudgetLine.year == year)
    return {
        line.area: (line.name_fi, line.name_sv, line.name_en)
        for line in (await session.exec(statement)).all()
    }


def match_area(text: str, areas: dict[str, tuple[str, str, str]]) -> str | None:
    choices = {key: " / ".join((key.replace("_", " "), *names)) for key, names in areas.items()}
    return best(text, choices, cutoff=70)


async def projects_named(text: str, *, session: AsyncSession, limit: int = 2) -> list[Project]:
    """Projects that ``text`` names by code or by a word (or words) of a name in any
    language (``matching.names_word``): up to ``limit``, so that a caller can tell one
    from several."""
    projects = (await session.exec(select(Project).order_by(col(Project.code)))).all()
    return [p for p in projects if names_word(text, (p.code, p.name_fi, p.name_sv, p.name_en))][
        :limit
    ]


async def project_by_id(project_id: int, *, session: AsyncSession) -> Project | None:
    return await session.get(Project, project_id)


async def find_projects(
    text: str, *, session: AsyncSession, limit: int = 5
) -> list[tuple[Project, float]]:
    """Projects whose code or name (in any language) is close to the text, best first."""
    projects = list((await session.exec(select(Project))).all())
    choices = {
        p.id: " / ".join((p.code, p.name_fi, p.name_sv, p.name_en))
        for p in projects
        if p.id is not None
    }
    found = ranked(text, choices, cutoff=60, limit=limit)
    by_id = {p.id: p for p in projects}
    return [(by_id[key], score) for key, score in found]


@dataclass(frozen=True, slots=True)
class MetricStatus:
    metric: ProjectMetric
    latest: Decimal | None


@dataclass(frozen=True, slots=True)
class ProjectDetail:
    row: ProjectRow
    theme: Theme | None
    director: Director | None
    latest: StatusReport | None
    trend: list[StatusReport]
    metrics: list[MetricStatus]
    one_time_cents: int | None
    recurring_cents: int | None
    savings_cents: int | None


async def project_detail(
    project: Project, rights: Rights, *, session: AsyncSession, periods: int = 6
) -> ProjectDetail:
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    trend = list(
        (
            await session.exec(
                select(StatusReport)
                .where(StatusReport.project_id == project.id)
                .order_by(col(StatusReport.period).desc())
                .limit(periods)
            )
        ).all()
    )[::-1]
    metrics = list(
        (
            await session.exec(
                select(ProjectMetric)
                .where(ProjectMetric.project_id == project.id)
                .order_by(col(ProjectMetric.position))
            )
        ).all()
    )
    latest_values: dict[int, Decimal] = {}
    if metrics:
        latest_period = (
            select(MetricValue.metric_id, func.max(MetricValue.period).label("period"))
            .where(col(MetricValue.metric_id).in_([m.id for m in metrics]))
            .group_by(col(MetricValue.metric_id))
            .subquery()
        )
        rows = await session.exec(
            select(MetricValue).join(
                latest_period,
                (col(MetricValue.metric_id) == latest_period.c.metric_id)
                & (col(MetricValue.period) == latest_period.c.period),
            )
        )
        latest_values = {row.metric_id: row.value for row in rows.all()}
    return ProjectDetail(
        row=_rows([(project, owner.name if owner else None)], rights)[0],
        theme=await session.get(Theme, project.theme_id) if project.theme_id else None,
        director=await session.get(Director, project.director_id) if project.director_id else None,
        latest=trend[-1] if trend else None,
        trend=trend,
        metrics=[MetricStatus(m, latest_values.get(m.id or 0)) for m in metrics],
        one_time_cents=rights.money(project, project.one_time_cost_cents),
        recurring_cents=rights.money(project, project.recurring_cost_cents_per_year),
        savings_cents=rights.money(project, project.savings_cents_per_year),
    )


async def at_risk(rights: Rights, *, session: AsyncSession) -> list[ProjectRow]:
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(
            Project.state == Lifecycle.started,
            col(Project.health).in_([Health.at_risk, Health.off_track]),
        )
        .order_by(col(Project.health).desc(), col(Project.code))
    )
    return _rows(list((await session.exec(statement)).all()), rights)


async def overdue(today: date, rights: Rights, *, session: AsyncSession) -> list[ProjectRow]:
    """Started projects past their end date."""
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(Project.state == Lifecycle.started, col(Project.end_date) < today)
        .order_by(col(Project.end_date), col(Project.code))
    )
    return _rows(list((await session.exec(statement)).all()), rights)


@dataclass(frozen=True, slots=True)
class LateProject:
    row: ProjectRow
    group: str  # "off_track", "past_end" or "no_report": the first that applies, in that order
    past_end: bool
    no_report: bool


LATE_GROUPS = ("off_track", "past_end", "no_report")


async def late(
    period: str, today: date, rights: Rights, *, session: AsyncSession
) -> list[LateProject]:
    """Started projects that are off track, past their end date, or without the period's
    report: each once, in the first of those groups that applies, in that order (off track
    by code, past the end by end date, no report by code)."""
    answered = select(StatusReport.project_id).where(StatusReport.period == period)
    no_report = col(Project.id).not_in(answered)
    past_end = col(Project.end_date) < today
    statement = (
        select(Project, Person.name, no_report, past_end)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(
            Project.state == Lifecycle.started,
            or_(Project.health == Health.off_track, past_end, no_report),
        )
        .order_by(col(Project.code))
    )
    found = []
    for project, owner, missing, ended in (await session.exec(statement)).all():
        group = (
            "off_track"
            if project.health == Health.off_track
            else "past_end"
            if ended
            else "no_report"
        )
        [row] = _rows([(project, owner)], rights)
        found.append(LateProject(row, group, bool(ended), bool(missing)))
    return sorted(
        found,
        key=lambda f: (
            LATE_GROUPS.index(f.group),
            (f.row.project.end_date or today) if f.group == "past_end" else today,
            f.row.project.code,
        ),
    )


async def over_budget(rights: Rights, *, session: AsyncSession) -> list[ProjectRow]:
    """Projects whose forecast (or actual) exceeds the plan, largest overrun first."""
    spend = func.coalesce(Project.forecast_cents, Project.actual_cents)
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(
            col(Project.state).in_([Lifecycle.started, Lifecycle.completed]),
            col(Project.planned_cents).is_not(None),
            spend > col(Project.planned_cents),
        )
        .order_by((spend - col(Project.planned_cents)).desc())
    )
    rows = _rows(list((await session.exec(statement)).all()), rights)
    return [row for row in rows if row.planned_cents is not None]


DIMENSIONS: dict[str, Any] = {
    "theme": col(Project.theme_id),
    "level": col(Project.level),
    "need": col(Project.need_source),
    "benefit": col(Project.benefit),
    "director": col(Project.director_id),
}
_ORDER: dict[str, list[str]] = {
    "level": [str(v) for v in Level],
    "need": [str(v) for v in NeedSource],
    "benefit": [str(v) for v in Benefit],
}


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    label: tuple[str, str, str] | None  # fi, sv, en from the database (themes, directors)
    count: int


async def breakdown(dimension: str, year: int | None, *, session: AsyncSession) -> list[Group]:
    """Project counts per theme, level, need source, benefit or director (of a roadmap year)."""
    column = DIMENSIONS[dimension]
    statement = select(column, func.count()).select_from(Project).group_by(column)
    if year is not None:
        statement = (
            statement.join(RoadmapProject, col(RoadmapProject.project_id) == col(Project.id))
            .join(Roadmap, col(Roadmap.id) == col(RoadmapProject.roadmap_id))
            .where(Roadmap.year == year)
        )
    counts = {key: int(n) for key, n in (await session.exec(statement)).all()}
    labels: dict[object, tuple[str, str, str]] = {}
    order = _ORDER.get(dimension, [])
    if dimension == "theme":  # in the programme's order: 1., 2., 3.
        themes = sorted((await session.exec(select(Theme))).all(), key=lambda t: t.number)
        labels = {
            t.id: (
                f"{t.number}. {t.name_fi}",
                f"{t.number}. {t.name_sv}",
                f"{t.number}. {t.name_en}",
            )
            for t in themes
        }
        order = [str(t.id) for t in themes]
    elif dimension == "director":
        labels = {
            d.id: (d.title_fi, d.title_sv, d.title_en)
            for d in (await session.exec(select(Director))).all()
        }
    keys = sorted(
        counts, key=lambda k: (order.index(str(k)) if str(k) in order else 99, -counts[k], str(k))
    )
    return [Group(str(key), labels.get(key), counts[key]) for key in keys if key is not None]


async def projects_in_group(
    dimension: str, key: str, year: int | None, rights: Rights, *, session: AsyncSession
) -> list[ProjectRow]:
    column = DIMENSIONS[dimension]
    value: object = int(key) if dimension in ("theme", "director") else key
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(column == value)
        .order_by(col(Project.code))
    )
    if year is not None:
        statement = (
            statement.join(RoadmapProject, col(RoadmapProject.project_id) == col(Project.id))
            .join(Roadmap, col(Roadmap.id) == col(RoadmapProject.roadmap_id))
            .where(Roadmap.year == year)
        )
    return _rows(list((await session.exec(statement)).all()), rights)


async def directors(*, session: AsyncSession) -> list[Director]:
    return list((await session.exec(select(Director).order_by(col(Director.id)))).all())


async def impact_projects(
    year: int | None, rights: Rights, *, session: AsyncSession
) -> list[ProjectDetail]:
    """The projects of an impact answer: the completed ones (``year`` None), or those on a
    roadmap year's roadmap, cancelled ones left out; costs under ``rights``."""
    statement = select(Project).order_by(col(Project.code))
    if year is None:
        statement = statement.where(Project.state == Lifecycle.completed)
    else:
        statement = (
            statement.join(RoadmapProject, col(RoadmapProject.project_id) == col(Project.id))
            .join(Roadmap, col(Roadmap.id) == col(RoadmapProject.roadmap_id))
            .where(Roadmap.year == year, Project.state != Lifecycle.cancelled)
        )
    projects = (await session.exec(statement)).all()
    return [
        ProjectDetail(
            row=_rows([(p, None)], rights)[0],
            theme=None,
            director=None,
            latest=None,
            trend=[],
            metrics=[],
            one_time_cents=rights.money(p, p.one_time_cost_cents),
            recurring_cents=rights.money(p, p.recurring_cost_cents_per_year),
            savings_cents=rights.money(p, p.savings_cents_per_year),
        )
        for p in projects
    ]


async def my_projects(person: Person, rights: Rights, *, session: AsyncSession) -> list[ProjectRow]:
    statement = (
        select(Project, Person.name)
        .outerjoin(Person, col(Person.id) == col(Project.owner_id))
        .where(or_(col(Project.owner_id) == person.id, col(Project.deputy_id) == person.id))
        .order_by(col(Project.code))
    )
    return _rows(list((await session.exec(statement)).all()), rights)


@dataclass(frozen=True, slots=True)
class Indicator:
    indicator: IndicatorSet
    values: list[IndicatorValue]


async def indicators(*, session: AsyncSession) -> list[Indicator]:
    sets = list((await session.exec(select(IndicatorSet).order_by(col(IndicatorSet.id)))).all())
    values = (await session.exec(select(IndicatorValue).order_by(col(IndicatorValue.period)))).all()
    by_set: dict[int, list[IndicatorValue]] = {}
    for value in values:
        by_set.setdefault(value.indicator_set_id, []).append(value)
    return [Indicator(s, by_set.get(s.id or 0, [])) for s in sets]


async def progress_series(
    project_ids: list[int], *, session: AsyncSession, periods: int = 12
) -> dict[int, list[tuple[str, int]]]:
    rows = (
        await session.exec(
            select(StatusReport.project_id, StatusReport.period, StatusReport.progress)
            .where(col(StatusReport.project_id).in_(project_ids))
            .order_by(col(StatusReport.period))
        )
    ).all()
    series: dict[int, list[tuple[str, int]]] = {}
    for project_id, period, progress in rows:
        series.setdefault(project_id, []).append((period, progress))
    return {k: v[-periods:] for k, v in series.items()}


async def health_counts(roadmap_year: int | None, *, session: AsyncSession) -> dict[str, int]:
    """Projects per health: of a roadmap year's projects, or (None) of the started ones."""
    statement = select(Project.health, func.count()).group_by(col(Project.health))
    if roadmap_year is not None:
        statement = (
            statement.join(RoadmapProject, col(RoadmapProject.project_id) == col(Project.id))
            .join(Roadmap, col(Roadmap.id) == col(RoadmapProject.roadmap_id))
            .where(Roadmap.year == roadmap_year)
        )
    else:
        statement = statement.where(Project.state == Lifecycle.started)
    return {str(h): int(n) for h, n in (await session.exec(statement)).all() if h}


def matrix_cost_cents(project: Project) -> int | None:
    """A project's cost on the impact/cost matrix: its one-time cost plus one year's running
    cost, or None when it has neither (then it is not plotted)."""
    if project.one_time_cost_cents is None and project.recurring_cost_cents_per_year is None:
        return None
    return (project.one_time_cost_cents or 0) + (project.recurring_cost_cents_per_year or 0)
