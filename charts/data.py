"""The charts' data: verified chart links turned into render calls, read through Rights.

A chart link carries the viewer's rights code; the same rule as the cards applies: a
"progress" link never reads money.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards import labels
from charts import render
from charts.kinds import ChartKind, ChartRights
from charts.spec import ChartNotFound, ChartSpec
from storage import portfolio
from storage.db import SessionFactory
from storage.rights import Rights
from translations import LANGUAGES, Translator

MONEY = Rights(all_money=True)  # a "money" link's rights: checked in chart_data first


class PortfolioCharts:
    """Implements ``charts.spec.ChartDataSource`` with database queries."""

    def __init__(self, sessions: SessionFactory, zone: ZoneInfo) -> None:
        self._sessions = sessions
        self._zone = zone

    def _today(self) -> date:
        return datetime.now(self._zone).date()

    async def chart_data(
        self, kind: ChartKind, params: Mapping[str, str], rights: ChartRights
    ) -> ChartSpec:
        language = params.get("lang", "en")
        t = Translator(language if language in LANGUAGES else "en", self._zone)
        if kind == ChartKind.health:
            return await self._health(params, t)
        if kind == ChartKind.progress:
            return await self._progress(params, t)
        if rights != "money":  # the handler checks this too; never read money without it
            raise ChartNotFound(kind.value)
        if kind == ChartKind.budget:
            return await self._budget(params, t)
        return await self._impact(params, t)

    async def _health(self, params: Mapping[str, str], t: Translator) -> ChartSpec:
        title = t("Projects by health")
        year: int | None = None
        if params.get("scope") == "roadmap" and params.get("year", "").isdigit():
            year = int(params["year"])
            title = t("Roadmap {year}: projects by health", year=year)
        async with self._sessions() as session:
            counts = await portfolio.health_counts(year, session=session)
        names = {key: t(label) for key, label in labels.HEALTH.items()}
        return ChartSpec.of(
            t.language, render.health_distribution, counts, names, title, no_data=t("No data")
        )

    async def _progress(self, params: Mapping[str, str], t: Translator) -> ChartSpec:
        if not params.get("project", "").isdigit():
            raise ChartNotFound("project")
        project_id = int(params["project"])
        async with self._sessions() as session:
            project = await portfolio.project_by_id(project_id, session=session)
            if project is None:
                raise ChartNotFound("project")
            series = await portfolio.progress_series([project_id], session=session)
        name = t.named(project)
        return ChartSpec.of(
            t.language,
            render.progress_over_time,
            [(name, series.get(project_id, []))],
            t("Progress over time"),
            percent_label=t.percent,
            period_label=t.period,
            no_data=t("No data"),
        )

    async def _budget(self, params: Mapping[str, str], t: Translator) -> ChartSpec:
        year_text = params.get("year", "")
        if not year_text.isdigit():
            raise ChartNotFound("year")
        async with self._sessions() as session:
            rows = await portfolio.budget(
                int(year_text), params.get("area"), today=self._today(), session=session
            )
        return ChartSpec.of(
            t.language,
            render.budget_vs_actual,
            [(t.pick(*r.name), r.planned_cents, r.actual_cents, r.forecast_cents) for r in rows],
            t("Budget {year}", year=int(year_text)),
            t.money_compact,
            series_labels=(t.context("budget", "Planned"), t("Actual"), t("Forecast")),
            no_data=t("No data"),
        )

    async def _impact(self, params: Mapping[str, str], t: Translator) -> ChartSpec:
        """The impact/cost matrix of exactly the projects the impact answer lists: the
        completed ones, or a roadmap year's (``scope=roadmap&year=2025``)."""
        year: int | None = None
        title = t("Completed projects: impact against cost")
        if params.get("scope") == "roadmap":
            if not params.get("year", "").isdigit():
                raise ChartNotFound("year")
            year = int(params["year"])
            title = t("Roadmap {year}: impact against cost", year=year)
        async with self._sessions() as session:
            found = await portfolio.impact_projects(year, MONEY, session=session)
        points = []
        for detail in found:
            project = detail.row.project
            cost = portfolio.matrix_cost_cents(project)
            if project.impact_score and cost:
                points.append((project.code, cost / 100, int(project.impact_score)))
        return ChartSpec.of(
            t.language,
            render.impact_cost_matrix,
            points,
            title,
            t("One-time cost + one year's running cost (€)"),
            t("Estimated impact (1–5)"),
            money_label=t.money_compact,
            no_data=t("No data"),
            areas=(
                t("High impact, lower cost"),
                t("Lower impact, higher cost"),
                t("Dividers: impact 3 and the median cost"),
            ),
        )
