"""What the board deck shows, read in one session: plain dataclasses, no SQL in ``deck/``.

A deck is named by the roadmap year it asks the board to approve, as the seed's "approval
of the Digital Roadmap 2025" (8 Nov 2024), and it follows up the roadmap of the year
before. ``as_of`` (``YYYY-MM``) rebuilds the portfolio as it stood at the end of that
month from the status history (``storage.history``); without it the deck shows the
portfolio as it is now.

Money is read only when the deck may show it (``shows_money``): otherwise every money
figure is None and the budget lines are not read at all.

What the schema keeps no history of is shown as it is now, and the deck says so: budget
lines' actuals, projects' plans, costs and impacts, and yearly indicator values (a value
for a year counts from that year on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.history import (
    Standing,
    history_as_of,
    metric_values_as_of,
    month_last_day,
    standing_as_of,
    state_as_of,
)
from storage.models import (
    Benefit,
    BudgetLine,
    Capability,
    Director,
    Funding,
    Health,
    IndicatorSet,
    IndicatorValue,
    Level,
    Lifecycle,
    NeedSource,
    Person,
    Programme,
    Project,
    ProjectMetric,
    Roadmap,
    RoadmapProject,
    RoadmapState,
    Theme,
)
from storage.rights import VIEWER

Texts = tuple[str, str, str]  # fi, sv, en as stored; "" where a translation is missing


class NoProgrammeError(LookupError):
    """The database holds no programme."""


class NoRoadmapError(LookupError):
    """Neither the year's roadmap nor the year before's exists."""


@dataclass(frozen=True, slots=True)
class ProgrammeView:
    names: Texts
    start_year: int
    end_year: int
    approved_on: date | None
    themes: list[tuple[int, Texts]]  # (number, names), by number
    capabilities: list[Texts]


@dataclass(frozen=True, slots=True)
class RoadmapView:
    year: int
    state: RoadmapState
    approved_on: date | None
    decision: Texts


@dataclass(frozen=True, slots=True)
class IndicatorView:
    code: str
    names: Texts
    unit: str
    target: Decimal | None
    target_year: int  # the programme's last year
    values: dict[str, Decimal]  # period ("2024" or "2024-06") -> value, up to the as-of date
    sources: Texts  # where the figures come from, in fi, sv and en

    @property
    def baseline(self) -> tuple[str, Decimal] | None:
        """The first value recorded: the programme's starting point."""
        return min(self.values.items()) if self.values else None

    @property
    def latest(self) -> tuple[str, Decimal] | None:
        return max(self.values.items()) if self.values else None

    @property
    def off_track(self) -> bool | None:
        """Behind the straight line from the baseline to the target (None: can't tell)."""
        baseline, latest = self.baseline, self.latest
        if baseline is None or latest is None or self.target is None:
            return None
        return indicator_off_track(
            baseline=baseline[1],
            baseline_year=int(baseline[0][:4]),
            latest=latest[1],
            latest_year=int(latest[0][:4]),
            target=self.target,
            target_year=self.target_year,
        )


def indicator_off_track(
    *,
    baseline: Decimal,
    baseline_year: int,
    latest: Decimal,
    latest_year: int,
    target: Decimal,
    target_year: int,
) -> bool | None:
    """Whether ``latest`` is behind the straight line from the baseline to the target.

    The line runs from the baseline's year to the target's; a target below the baseline
    (fewer printed pages) is reached by going down. None when the line is not defined.
    """
    if target == baseline or target_year <= baseline_year:
        return None
    share = Decimal(min(max(latest_year - baseline_year, 0), target_year - baseline_year))
    expected = baseline + (target - baseline) * share / Decimal(target_year - baseline_year)
    return latest < expected if target > baseline else latest > expected


@dataclass(frozen=True, slots=True)
class MetricView:
    names: Texts
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    latest: tuple[str, Decimal] | None  # (period, value) up to the as-of date


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    code: str
    names: Texts
    theme: int | None  # the theme's number
    level: Level
    need_source: NeedSource
    benefit: Benefit
    director: Texts | None
    owner: str | None
    start: date | None
    end: date | None
    state: Lifecycle  # as of the deck's date
    standing: Standing | None  # the latest report known then
    impact_score: int | None
    impacts: Texts  # fi, sv, en
    funding: Funding
    budget_area: str | None
    planned_cents: int | None
    spent_cents: int | None  # as of the deck's date
    forecast_cents: int | None
    one_time_cents: int | None
    recurring_cents: int | None
    savings_cents: int | None
    metrics: list[MetricView]
    history: list[Standing]  # up to 12 reports, oldest first

    @property
    def health(self) -> Health | None:
        return self.standing.health if self.standing else None

    @property
    def progress(self) -> int | None:
        if self.state is Lifecycle.completed:
            return 100
        return self.standing.progress if self.standing else None

    @property
    def cost_cents(self) -> int | None:
        """For the impact/cost matrix: the one-time cost plus one year of the yearly cost,
        or else the plan."""
        if self.one_time_cents is None and self.recurring_cents is None:
            return self.planned_cents
        return (self.one_time_cents or 0) + (self.recurring_cents or 0)


@dataclass(frozen=True, slots=True)
class BudgetLineView:
    area: str
    names: Texts
    planned_cents: int
    actual_cents: int  # as entered; budget lines keep no history
    forecast_cents: int  # actual plus what the area's started projects still expect

    @property
    def variance_cents(self) -> int:
        """Planned minus forecast: positive is under budget."""
        return self.planned_cents - self.forecast_cents


@dataclass(frozen=True, slots=True)
class DeckData:
    year: int  # the roadmap year for approval; the follow-up is of year - 1
    as_of: str | None  # YYYY-MM, or None for now
    as_of_day: date  # the last day the data covers
    shows_money: bool
    programme: ProgrammeView
    follow_up: RoadmapView | None
    proposal: RoadmapView | None
    indicators: list[IndicatorView]
    follow_up_projects: list[ProjectView]
    proposal_projects: list[ProjectView]
    follow_up_budget: list[BudgetLineView]
    proposal_budget: list[BudgetLineView]

    @property
    def completed(self) -> list[ProjectView]:
        """The follow-up roadmap's projects completed by the deck's date."""
        return [p for p in self.follow_up_projects if p.state is Lifecycle.completed]


def _texts(fi: str, sv: str, en: str) -> Texts:
    return (fi, sv, en)


async def deck_data(
    *,
    session: AsyncSession,
    year: int,
    as_of: str | None,
    shows_money: bool,
    zone: ZoneInfo,
    now: datetime,
) -> DeckData:
    """Everything the deck for roadmap ``year`` shows, as of the end of ``as_of``.

    ``now`` (aware) is the moment "now" means when ``as_of`` is None.
    """
    programme = (await session.exec(select(Programme).order_by(col(Programme.id)))).first()
    if programme is None or programme.id is None:
        raise NoProgrammeError
    roadmaps = {
        r.year: r
        for r in (
            await session.exec(select(Roadmap).where(col(Roadmap.year).in_([year - 1, year])))
        ).all()
    }
    if not roadmaps:
        raise NoRoadmapError(year)
    period = as_of or f"{now.astimezone(zone):%Y-%m}"
    as_of_day = month_last_day(as_of) if as_of else now.astimezone(zone).date()
    themes = (
        await session.exec(
            select(Theme).where(Theme.programme_id == programme.id).order_by(col(Theme.number))
        )
    ).all()
    capabilities = (
        await session.exec(
            select(Capability)
            .where(Capability.programme_id == programme.id)
            .order_by(col(Capability.id))
        )
    ).all()
    programme_view = ProgrammeView(
        names=_texts(programme.name_fi, programme.name_sv, programme.name_en),
        start_year=programme.start_year,
        end_year=programme.end_year,
        approved_on=programme.approved_on,
        themes=[(t.number, _texts(t.name_fi, t.name_sv, t.name_en)) for t in themes],
        capabilities=[_texts(c.name_fi, c.name_sv, c.name_en) for c in capabilities],
    )
    theme_numbers = {t.id: t.number for t in themes}
    indicators = await _indicators(programme, as_of, session=session)
    follow_up = roadmaps.get(year - 1)
    proposal = roadmaps.get(year)
    projects = await _projects(
        [r for r in (follow_up, proposal) if r is not None],
        period=period,
        as_of=as_of,
        as_of_day=as_of_day,
        shows_money=shows_money,
        theme_numbers=theme_numbers,
        zone=zone,
        session=session,
    )
    by_roadmap = {
        r_year: [view for view, years in projects if r_year in years] for r_year in (year - 1, year)
    }
    budgets: dict[int, list[BudgetLineView]] = {year - 1: [], year: []}
    if shows_money:
        for line_year in budgets:
            budgets[line_year] = await _budget(
                line_year, by_roadmap[line_year], closed=line_year < as_of_day.year, session=session
            )
    return DeckData(
        year=year,
        as_of=as_of,
        as_of_day=as_of_day,
        shows_money=shows_money,
        programme=programme_view,
        follow_up=_roadmap_view(follow_up),
        proposal=_roadmap_view(proposal),
        indicators=indicators,
        follow_up_projects=by_roadmap[year - 1],
        proposal_projects=by_roadmap[year],
        follow_up_budget=budgets[year - 1],
        proposal_budget=budgets[year],
    )


def _roadmap_view(roadmap: Roadmap | None) -> RoadmapView | None:
    if roadmap is None:
        return None
    return RoadmapView(
        year=roadmap.year,
        state=RoadmapState(roadmap.state),
        approved_on=roadmap.approved_on,
        decision=_texts(roadmap.decision_fi, roadmap.decision_sv, roadmap.decision_en),
    )


async def _indicators(
    programme: Programme, as_of: str | None, *, session: AsyncSession
) -> list[IndicatorView]:
    sets = (
        await session.exec(
            select(IndicatorSet)
            .where(IndicatorSet.programme_id == programme.id)
            .order_by(col(IndicatorSet.id))
        )
    ).all()
    values = (
        await session.exec(
            select(IndicatorValue)
            .join(IndicatorSet, col(IndicatorSet.id) == col(IndicatorValue.indicator_set_id))
            .where(IndicatorSet.programme_id == programme.id)
        )
    ).all()
    by_set: dict[int, dict[str, Decimal]] = {}
    for value in values:
        # a year's value ("2024") counts from that year on, a month's from that month on
        if as_of is None or value.period <= as_of[: len(value.period)]:
            by_set.setdefault(value.indicator_set_id, {})[value.period] = value.value
    return [
        IndicatorView(
            code=s.code,
            names=_texts(s.name_fi, s.name_sv, s.name_en),
            unit=s.unit,
            target=s.target,
            target_year=programme.end_year,
            values=dict(sorted(by_set.get(s.id or 0, {}).items())),
            sources=_texts(s.source_fi, s.source_sv, s.source_en),
        )
        for s in sets
    ]


async def _projects(
    roadmaps: Sequence[Roadmap],
    *,
    period: str,
    as_of: str | None,
    as_of_day: date,
    shows_money: bool,
    theme_numbers: dict[int | None, int],
    zone: ZoneInfo,
    session: AsyncSession,
) -> list[tuple[ProjectView, set[int]]]:
    """The projects of these roadmaps, each with the roadmap years it is on."""
    memberships = (
        await session.exec(
            select(RoadmapProject.project_id, Roadmap.year)
            .join(Roadmap, col(Roadmap.id) == col(RoadmapProject.roadmap_id))
            .where(col(Roadmap.id).in_([r.id for r in roadmaps]))
        )
    ).all()
    years_of: dict[int, set[int]] = {}
    for project_id, roadmap_year in memberships:
        years_of.setdefault(project_id, set()).add(roadmap_year)
    ids = sorted(years_of)
    if not ids:
        return []
    rows = (
        await session.exec(
            select(Project, Person.name, Director)
            .outerjoin(Person, col(Person.id) == col(Project.owner_id))
            .outerjoin(Director, col(Director.id) == col(Project.director_id))
            .where(col(Project.id).in_(ids))
            .order_by(col(Project.code))
        )
    ).all()
    metrics = (
        await session.exec(
            select(ProjectMetric)
            .where(col(ProjectMetric.project_id).in_(ids))
            .order_by(col(ProjectMetric.project_id), col(ProjectMetric.position))
        )
    ).all()
    latest_values = await metric_values_as_of(
        period, session=session, metric_ids=[m.id for m in metrics if m.id is not None]
    )
    metrics_of: dict[int, list[MetricView]] = {}
    for metric in metrics:
        metrics_of.setdefault(metric.project_id, []).append(
            MetricView(
                names=_texts(metric.name_fi, metric.name_sv, metric.name_en),
                unit=metric.unit,
                baseline=metric.baseline,
                target=metric.target,
                latest=latest_values.get(metric.id or 0),
            )
        )
    standings = await standing_as_of(period, session=session, zone=zone, project_ids=ids)
    histories = await history_as_of(period, session=session, zone=zone, project_ids=ids)

    def money(cents: int | None) -> int | None:
        return cents if shows_money else None

    def words(project: Project, text: str) -> str:
        """Free text, with euro amounts taken out when the deck shows no money."""
        return text if shows_money else VIEWER.text(project, text)

    views: list[tuple[ProjectView, set[int]]] = []
    for project, owner, director in rows:
        pid = project.id or 0
        standing = standings.get(pid)
        if as_of is None:
            state = Lifecycle(project.state)
            spent, forecast = project.actual_cents, project.forecast_cents
            if standing is not None:  # the project's own figures are the latest ones
                standing = Standing(
                    project_id=pid,
                    period=standing.period,
                    health=Health(project.health) if project.health else standing.health,
                    progress=project.progress,
                    spent_cents=standing.spent_cents,
                    forecast_cents=standing.forecast_cents,
                    achievements=standing.achievements,
                    next_steps=standing.next_steps,
                    risks=standing.risks,
                )
        else:
            state = state_as_of(
                Lifecycle(project.state),
                start=project.start_date,
                end=project.end_date,
                reported=standing is not None,
                last_day=as_of_day,
            )
            if state is Lifecycle.completed:
                spent, forecast = project.actual_cents, project.forecast_cents
            elif standing is not None:
                spent, forecast = standing.spent_cents, standing.forecast_cents
            else:
                spent, forecast = (
                    (0, project.planned_cents)
                    if state is Lifecycle.planned
                    else (
                        None,
                        None,
                    )
                )
        if standing is not None and not shows_money:
            standing = replace(
                standing,
                achievements=words(project, standing.achievements),
                next_steps=words(project, standing.next_steps),
                risks=words(project, standing.risks),
            )
        views.append(
            (
                ProjectView(
                    id=pid,
                    code=project.code,
                    names=_texts(project.name_fi, project.name_sv, project.name_en),
                    theme=theme_numbers.get(project.theme_id),
                    level=Level(project.level),
                    need_source=NeedSource(project.need_source),
                    benefit=Benefit(project.benefit),
                    director=(
                        _texts(director.title_fi, director.title_sv, director.title_en)
                        if director
                        else None
                    ),
                    owner=owner,
                    start=project.start_date,
                    end=project.end_date,
                    state=state,
                    standing=standing,
                    impact_score=project.impact_score,
                    impacts=_texts(
                        words(project, project.impact_fi),
                        words(project, project.impact_sv),
                        words(project, project.impact_en),
                    ),
                    funding=Funding(project.funding),
                    budget_area=project.budget_area,
                    planned_cents=money(project.planned_cents),
                    spent_cents=money(spent),
                    forecast_cents=money(forecast),
                    one_time_cents=money(project.one_time_cost_cents),
                    recurring_cents=money(project.recurring_cost_cents_per_year),
                    savings_cents=money(project.savings_cents_per_year),
                    metrics=metrics_of.get(pid, []),
                    history=histories.get(pid, []),
                ),
                years_of[pid],
            )
        )
    return views


async def _budget(
    year: int, projects: Sequence[ProjectView], *, closed: bool, session: AsyncSession
) -> list[BudgetLineView]:
    """The year's budget lines. A line's forecast is its actual plus what its area's started
    projects on that year's roadmap still expect to spend; a closed year expects nothing."""
    lines = (
        await session.exec(
            select(BudgetLine).where(BudgetLine.year == year).order_by(col(BudgetLine.id))
        )
    ).all()
    remaining: dict[str, int] = {}
    if not closed:
        for project in projects:
            if project.state is Lifecycle.started and project.budget_area:
                still = (project.forecast_cents or 0) - (project.spent_cents or 0)
                remaining[project.budget_area] = remaining.get(project.budget_area, 0) + max(
                    still, 0
                )
    return [
        BudgetLineView(
            area=line.area,
            names=_texts(
                line.name_fi,
                line.name_sv,
                line.name_en,
            ),
            planned_cents=line.planned_cents,
            actual_cents=line.actual_cents,
            forecast_cents=line.actual_cents + remaining.get(line.area, 0),
        )
        for line in lines
    ]
