"""Answers to managers' questions: one function per intent, registered in ``INTENTS``.

Each function reads through ``storage.portfolio`` with the viewer's ``Rights`` and
returns an ``AnswerView``; charts are links signed for the same rights.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import is_shared
from bot.context import Turn
from bot.questions.parse import Question
from cards import labels
from cards.answers import MAX_ROWS_PER_PAGE
from cards.views import AnswerRow, AnswerSection, AnswerView, ChartImage
from charts.signing import chart_url
from scheduler.calendar import period_of, period_start, previous_period
from storage import digest as digests
from storage import portfolio
from storage.matching import best
from storage.models import Project, utcnow
from storage.portfolio import ProjectRow, Rights
from translations import Translator


@dataclass(frozen=True, slots=True)
class Ask:
    """One question being answered: who asks, with what rights, and which page."""

    turn: Turn
    session: AsyncSession
    question: Question
    rights: Rights
    page: int
    today: date
    period: str

    @property
    def t(self) -> Translator:
        return self.turn.t

    def chart(self, kind: str, params: dict[str, str], alt: str) -> ChartImage:
        settings = self.turn.services.settings
        url = chart_url(
            settings.base_url,
            kind,
            {**params, "lang": self.t.language},
            rights=self.rights.code,
            ttl_seconds=settings.chart_ttl_seconds,
            key=settings.chart_signing_key,
            now=int(time.time()),
        )
        return ChartImage(url=url, alt=alt)

    def more(self, total: int) -> dict[str, object] | None:
        if (self.page + 1) * MAX_ROWS_PER_PAGE >= total:
            return None
        q = self.question
        return {
            "intent": q.intent,
            "year": q.year,
            "area": q.area,
            "name": q.name,
            "dimension": q.dimension,
            "value": q.value,
            "page": self.page + 1,
        }

    def page_of(self, rows: list[Any]) -> list[Any]:
        start = self.page * MAX_ROWS_PER_PAGE
        return rows[start : start + MAX_ROWS_PER_PAGE]

    def page_label(self, total: int) -> str:
        if total <= MAX_ROWS_PER_PAGE:
            return ""
        first = self.page * MAX_ROWS_PER_PAGE + 1
        last = min(total, first + MAX_ROWS_PER_PAGE - 1)
        return self.t("Showing {first}–{last} of {total}.", first=first, last=last, total=total)


Handler = Callable[[Ask], Awaitable[AnswerView]]


def _name(t: Translator, project: Project) -> str:
    return t.named(project)


def _health(t: Translator, health: object) -> str:
    return t(labels.HEALTH[str(health)]) if str(health) in labels.HEALTH else "–"


def _project_row(t: Translator, row: ProjectRow, *, money: bool = False) -> AnswerRow:
    p = row.project
    detail = f"{t(labels.STATE[str(p.state)])} · {row.owner}"
    value = (
        f"{_health(t, p.health)} · {t.percent(p.progress)}" if p.health else t.percent(p.progress)
    )
    if money and row.planned_cents is not None:
        value += "\n" + t(
            "{actual} of {planned}",
            actual=t.money(row.actual_cents),
            planned=t.money(row.planned_cents),
        )
    return AnswerRow(
        f"{p.code} · {_name(t, p)}",
        detail,
        value,
        labels.HEALTH_COLOURS.get(str(p.health), "Default"),
    )


def _list_view(
    ask: Ask,
    title: str,
    rows: list[ProjectRow],
    *,
    empty: str,
    money: bool = False,
    facts: list[tuple[str, str]] | None = None,
    chart: ChartImage | None = None,
    heading: str = "",
) -> AnswerView:
    t = ask.t
    return AnswerView(
        title=title,
        facts=facts or [(t("Projects"), str(len(rows)))],
        chart=chart,
        sections=[
            AnswerSection(
                heading or t("Projects"),
                [_project_row(t, r, money=money) for r in ask.page_of(rows)],
            )
        ]
        if rows
        else [],
        note="" if rows else empty,
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


async def summary(ask: Ask) -> AnswerView:
    t = ask.t
    data = await portfolio.summary(ask.period, ask.today.year, ask.rights, session=ask.session)
    facts = [
        (
            t("Projects"),
            ", ".join(
                f"{t(labels.STATE[s])} {n}"
                for s, n in sorted(
                    data.by_state.items(), key=lambda kv: list(labels.STATE).index(kv[0])
                )
            ),
        ),
        *[(t(labels.HEALTH[h]), str(data.by_health.get(h, 0))) for h in labels.HEALTH],
        (t("Average progress"), t.percent(round(data.average_progress))),
        (
            t("Reports received for {month}", month=t.month(period_start(ask.period))),
            t(
                "{received} of {expected}",
                received=data.reports_received,
                expected=data.reports_expected,
            ),
        ),
    ]
    if data.planned_cents is not None:
        facts.append(
            (
                t("Budget {year}", year=data.year),
                t(
                    "{actual} of {planned}",
                    actual=t.money(data.actual_cents),
                    planned=t.money(data.planned_cents),
                ),
            )
        )
    return AnswerView(
        title=t("Portfolio at a glance"),
        subtitle=t(
            "Started projects' health and progress; budget lines of {year}.", year=data.year
        ),
        facts=facts,
        chart=ask.chart("health", {"scope": "started"}, t("Projects by health")),
    )


async def roadmap(ask: Ask) -> AnswerView:
    t = ask.t
    year = ask.question.year or ask.today.year
    found, rows = await portfolio.roadmap_projects(year, ask.rights, session=ask.session)
    if found is None:
        return AnswerView(
            title=t("Roadmap {year}", year=year),
            note=t("There is no roadmap for {year}.", year=year),
        )
    done = sum(1 for r in rows if str(r.project.state) == "completed")
    average = round(sum(r.project.progress for r in rows) / len(rows)) if rows else 0
    state = (
        t("approved {date}", date=t.date(found.approved_on)) if found.approved_on else t("draft")
    )
    facts = [
        (t("Projects"), str(len(rows))),
        (t("Completed"), str(done)),
        (t("Average progress"), t.percent(average)),
    ]
    return _list_view(
        ask,
        t("Roadmap {year}", year=year) + f" ({state})",
        rows,
        empty="",
        facts=facts,
        chart=ask.chart("health", {"scope": "roadmap", "year": str(year)}, t("Projects by health")),
    )


async def budget(ask: Ask) -> AnswerView:
    t = ask.t
    year = ask.question.year or ask.today.year
    if not ask.rights.all_money:
        return AnswerView(
            title=t("Budget {year}", year=year),
            note=t(
                "Budgets and costs are shown to managers and admins, and to owners for their own projects."
            ),
        )
    areas = await portfolio.budget_areas(year, session=ask.session) if ask.question.area else {}
    area = portfolio.match_area(ask.question.area, areas) if ask.question.area else None
    rows = await portfolio.budget(year, area, session=ask.session)
    if not rows:
        return AnswerView(
            title=t("Budget {year}", year=year),
            note=t("There are no budget lines for {year}.", year=year),
        )
    planned = sum(r.planned_cents for r in rows)
    actual = sum(r.actual_cents for r in rows)
    section = AnswerSection(
        t("Budget lines"),
        [
            AnswerRow(
                t.pick(*r.name),
                t(
                    "planned {planned} · actual {actual} · forecast {forecast}",
                    planned=t.money(r.planned_cents),
                    actual=t.money(r.actual_cents),
                    forecast=t.money(r.forecast_cents),
                ),
                t.money(r.variance_cents),
                "Good" if r.variance_cents >= 0 else "Attention",
            )
            for r in rows
        ],
    )
    params = {"year": str(year)} | ({"area": area} if area else {})
    return AnswerView(
        title=t("Budget {year}", year=year) + (f" · {t.pick(*areas[area])}" if area else ""),
        facts=[
            (t("Planned"), t.money(planned)),
            (t("Actual"), t.money(actual)),
            (t("Used"), t.percent(round(100 * actual / planned)) if planned else "–"),
        ],
        chart=ask.chart("budget", params, t("Budget against actual")),
        sections=[section],
        note=t("Variance is planned minus forecast: negative means over budget."),
    )


async def project(ask: Ask) -> AnswerView:
    t = ask.t
    text = ask.question.name or ""
    candidates = await portfolio.find_projects(text, session=ask.session)
    if not candidates:
        return AnswerView(
            title=t("No project matches \u201c{text}\u201d", text=text),
            note=t("Try the project's code or another word of its name."),
        )
    best, score = candidates[0]
    close = [c for c in candidates[1:] if c[1] >= score - 3]
    if close and score < 100:
        return AnswerView(
            title=t("Which project did you mean?"),
            choices=[
                (f"{p.code} · {_name(t, p)}", {"project_id": p.id})
                for p, _ in [candidates[0], *close]
            ],
        )
    return await project_card(ask, best)


async def project_card(ask: Ask, found: Project) -> AnswerView:
    t = ask.t
    detail = await portfolio.project_detail(found, ask.rights, session=ask.session)
    p = detail.row.project
    facts = [
        (t("State"), t(labels.STATE[str(p.state)])),
        (t("Health"), _health(t, p.health)),
        (t("Progress"), t.percent(p.progress)),
        (t("Owner"), detail.row.owner),
    ]
    if detail.director:
        facts.append(
            (
                t("Responsible director"),
                t.pick(
                    detail.director.title_fi, detail.director.title_sv, detail.director.title_en
                ),
            )
        )
    facts += [
        (t("Level"), t(labels.LEVEL[str(p.level)])),
        (t("Need source"), t(labels.NEED[str(p.need_source)])),
    ]
    if detail.row.planned_cents is not None:
        facts += [
            (t("Planned"), t.money(detail.row.planned_cents)),
            (t("Actual"), t.money(detail.row.actual_cents)),
            (t("Forecast"), t.money(detail.row.forecast_cents)),
        ]
    if detail.one_time_cents is not None:
        facts.append((t("One-time cost"), t.money(detail.one_time_cents)))
    if detail.recurring_cents is not None:
        facts.append((t("Cost per year"), t.money(detail.recurring_cents)))
    if p.impact_score:
        facts.append((t("Impact"), f"{p.impact_score}/5"))
    sections = []
    if detail.metrics:
        sections.append(
            AnswerSection(
                t("Metrics"),
                [
                    AnswerRow(
                        t.named(m.metric),
                        t(
                            "target {target} {unit}",
                            target=t.number(m.metric.target),
                            unit=t.unit(m.metric.unit, m.metric.target),
                        )
                        if m.metric.target is not None
                        else "",
                        f"{t.number(m.latest)} {t.unit(m.metric.unit, m.latest)}"
                        if m.latest is not None
                        else "–",
                    )
                    for m in detail.metrics
                ],
            )
        )
    if detail.trend:
        sections.append(
            AnswerSection(
                t("Latest status reports"),
                [
                    AnswerRow(
                        t.month(period_start(r.period)),
                        ask.rights.text(p, r.achievements)[:200],
                        f"{_health(t, r.health)} · {t.percent(r.progress)}",
                        labels.HEALTH_COLOURS.get(str(r.health), "Default"),
                    )
                    for r in reversed(detail.trend)
                ],
            )
        )
    chart = (
        ask.chart("progress", {"project": str(p.id)}, t("Progress over time"))
        if detail.trend
        else None
    )
    return AnswerView(
        title=f"{p.code} · {_name(t, p)}",
        subtitle=ask.rights.text(p, p.impact_text)[:300],
        facts=facts,
        chart=chart,
        sections=sections,
    )


async def late(ask: Ask) -> AnswerView:
    t = ask.t
    missing = await digests.missing(ask.period, session=ask.session)
    overdue = await portfolio.overdue(ask.today, ask.rights, session=ask.session)
    rows = [
        AnswerRow(
            f"{m.project.code} · {_name(t, m.project)}", m.owner_name, t("no report"), "Warning"
        )
        for m in missing
    ]
    sections = []
    if rows:
        sections.append(
            AnswerSection(
                t("No report for {month}", month=t.month(period_start(ask.period))),
                ask.page_of(rows),
            )
        )
    if overdue and ask.page == 0:
        sections.append(
            AnswerSection(t("Past their end date"), [_project_row(t, r) for r in overdue])
        )
    return AnswerView(
        title=t("What is late"),
        facts=[
            (t("Reports missing"), str(len(missing))),
            (t("Past their end date"), str(len(overdue))),
        ],
        sections=sections,
        note="" if sections else t("Nothing is late."),
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


async def at_risk(ask: Ask) -> AnswerView:
    t = ask.t
    rows = await portfolio.at_risk(ask.rights, session=ask.session)
    return _list_view(
        ask,
        t("Projects at risk or off track"),
        rows,
        empty=t("No project is at risk."),
        chart=ask.chart("health", {"scope": "started"}, t("Projects by health")),
    )


async def over_budget(ask: Ask) -> AnswerView:
    t = ask.t
    if not ask.rights.all_money and not ask.rights.own_projects:
        return AnswerView(
            title=t("Over budget"),
            note=t(
                "Budgets and costs are shown to managers and admins, and to owners for their own projects."
            ),
        )
    rows = await portfolio.over_budget(ask.rights, session=ask.session)
    return _list_view(
        ask, t("Over budget"), rows, empty=t("No project is forecast over its budget."), money=True
    )


async def breakdown(ask: Ask) -> AnswerView:
    t = ask.t
    dimension = ask.question.dimension or "theme"
    year = ask.question.year
    groups = await portfolio.breakdown(dimension, year, session=ask.session)

    def label(group: portfolio.Group) -> str:
        if group.label:
            return t.pick(*group.label)
        return t(labels.FIXED.get(dimension, {}).get(group.key, group.key))

    if ask.question.value:
        wanted = _best_group(ask.question.value, groups, label)
        if wanted is not None:
            rows = await portfolio.projects_in_group(
                dimension, wanted.key, year, ask.rights, session=ask.session
            )
            return _list_view(
                ask,
                label(wanted),
                rows,
                empty=t("No projects."),
                facts=[(t("Projects"), str(len(rows)))],
            )
    title_text = t(labels.DIMENSION[dimension]) + (
        f" · {t('Roadmap {year}', year=year)}" if year else ""
    )
    return AnswerView(
        title=title_text,
        facts=[(label(g), str(g.count)) for g in groups],
        note=t("Ask for one of them, for example: projects of the finance director."),
    )


def _best_group(
    text: str, groups: list[portfolio.Group], label: Callable[[portfolio.Group], str]
) -> portfolio.Group | None:
    names = {
        index: " / ".join([label(group), *(group.label or ()), group.key.replace("_", " ")])
        for index, group in enumerate(groups)
    }
    found = best(text, names, cutoff=60)
    return groups[found] if found is not None else None


async def impact(ask: Ask) -> AnswerView:
    t = ask.t
    done = await portfolio.completed(ask.rights, session=ask.session)
    rows = []
    for d in done:
        p = d.row.project
        costs = [
            t("one-time {amount}", amount=t.money(d.one_time_cents)) if d.one_time_cents else "",
            t("{amount} per year", amount=t.money(d.recurring_cents)) if d.recurring_cents else "",
            t("saves {amount} per year", amount=t.money(d.savings_cents))
            if d.savings_cents
            else "",
        ]
        rows.append(
            AnswerRow(
                f"{p.code} · {_name(t, p)}",
                ask.rights.text(p, p.impact_text)[:200],
                " · ".join(c for c in costs if c)
                or (f"{p.impact_score}/5" if p.impact_score else ""),
            )
        )
    facts = [(t("Completed projects"), str(len(done)))]
    if ask.rights.all_money:
        facts.append((t("One-time costs"), t.money(sum(d.one_time_cents or 0 for d in done))))
        facts.append((t("Costs per year"), t.money(sum(d.recurring_cents or 0 for d in done))))
        facts.append((t("Savings per year"), t.money(sum(d.savings_cents or 0 for d in done))))
    chart = ask.chart("impact", {}, t("Impact against cost")) if ask.rights.all_money else None
    return AnswerView(
        title=t("Impact of completed projects"),
        facts=facts,
        chart=chart,
        sections=[AnswerSection(t("Completed projects"), ask.page_of(rows))] if rows else [],
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


async def changes(ask: Ask) -> AnswerView:
    t = ask.t
    period = ask.period
    data = await digests.digest(period, session=ask.session)
    if not data.changes:
        period = previous_period(period)
        data = await digests.digest(period, session=ask.session)
    rows = [
        AnswerRow(
            f"{c.project.code} · {_name(t, c.project)}",
            f"{_health(t, c.before_health)} → {_health(t, c.after_health)}",
            f"{c.before_progress if c.before_progress is not None else '–'} → {c.after_progress} %",
            labels.HEALTH_COLOURS.get(c.after_health, "Default"),
        )
        for c in data.changes
    ]
    return AnswerView(
        title=t("Changes since last month"),
        subtitle=t.month(period_start(period)),
        facts=[(t("Projects whose health changed"), str(len(rows)))],
        sections=[AnswerSection(t("Projects"), ask.page_of(rows))] if rows else [],
        note="" if rows else t("No project's health changed."),
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


async def indicators(ask: Ask) -> AnswerView:
    t = ask.t
    found = await portfolio.indicators(session=ask.session)
    rows = [
        AnswerRow(
            t.named(i.indicator),
            t(
                "target {target} {unit}",
                target=t.number(i.indicator.target),
                unit=t.unit(i.indicator.unit, i.indicator.target),
            )
            + (f" · {i.indicator.source}" if i.indicator.source else ""),
            " · ".join(f"{v.period}: {t.number(v.value)}" for v in i.values[-3:]) or "–",
        )
        for i in found
    ]
    return AnswerView(
        title=t("The programme's indicators"),
        facts=[(t("Indicator sets"), str(len(rows)))],
        sections=[AnswerSection(t("Indicators"), rows)] if rows else [],
    )


async def my_projects(ask: Ask) -> AnswerView:
    t = ask.t
    rows = await portfolio.my_projects(ask.turn.person, ask.rights, session=ask.session)
    return _list_view(
        ask, t("My projects"), rows, empty=t("You do not own any project."), money=True
    )


INTENTS: dict[str, Handler] = {
    "summary": summary,
    "roadmap": roadmap,
    "budget": budget,
    "project": project,
    "late": late,
    "at_risk": at_risk,
    "over_budget": over_budget,
    "breakdown": breakdown,
    "impact": impact,
    "changes": changes,
    "indicators": indicators,
    "my_projects": my_projects,
}


async def answer(
    turn: Turn, question: Question, *, page: int = 0, project_id: int | None = None
) -> AnswerView:
    async with turn.services.sessions() as session:
        rights = await portfolio.rights_for(
            turn.person, shared_conversation=is_shared(turn), session=session
        )
        now = utcnow()
        ask = Ask(
            turn,
            session,
            question,
            rights,
            max(page, 0),
            now.astimezone(turn.services.settings.zone).date(),
            period_of(now, turn.services.settings.zone),
        )
        if project_id is not None:
            found = await session.get(Project, project_id)
            if found is not None:
                return await project_card(ask, found)
        return await INTENTS[question.intent](ask)
