"""A year's budget lines (``budget 2025``, ``budget 2025 digital foundation``): planned,
actual, forecast and the variance, with the lines forecast over plan marked. Managers and
admins only, and only in their 1:1 chat."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, variance_text
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from storage.models import ActualSource
from storage.portfolio import BudgetRow
from translations import Translator
from translations.markers import N_


def _line(t: Translator, row: BudgetRow) -> AnswerRow:
    actual = t.money(row.actual_cents)
    return AnswerRow(
        t.pick(*row.name),
        t(
            "planned {planned} · actual {actual} ({source}) · forecast {forecast}",
            planned=t.money(row.planned_cents),
            actual=actual,
            source=t("from the reports")
            if row.actual_source == ActualSource.reports
            else t("entered"),
            forecast=t.money(row.forecast_cents),
        ),
        ("⚠ " if row.over_plan else "") + variance_text(t, row.planned_cents, row.forecast_cents),
        "Attention" if row.over_plan else "Good",
    )


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    year = ask.question.year or ask.today.year
    if not ask.rights.all_money:
        return ask.no_money(t("Budget {year}", year=year))
    areas = await portfolio.budget_areas(year, session=ask.session) if ask.question.area else {}
    area = portfolio.match_area(ask.question.area, areas) if ask.question.area else None
    rows = await portfolio.budget(year, area, today=ask.today, session=ask.session)
    if not rows:
        return AnswerView(
            title=t("Budget {year}", year=year),
            note=t("There are no budget lines for {year}.", year=year),
        )
    planned = sum(r.planned_cents for r in rows)
    actual = sum(r.actual_cents for r in rows)
    forecast = sum(r.forecast_cents for r in rows)
    over = [r for r in rows if r.over_plan]
    params = {"year": str(year)} | ({"area": area} if area else {})
    note = (
        t("{year} is closed: its forecast is its actual.", year=year)
        if rows[0].closed
        else t(
            "The forecast is the actual plus the year's share of what started projects still expect to spend."
        )
    )
    return AnswerView(
        title=t("Budget {year} · {area}", year=year, area=t.pick(*areas[area]))
        if area
        else t("Budget {year}", year=year),
        facts=[
            (t.context("budget", "Planned"), t.money(planned)),
            (
                t("Actual"),
                t(
                    "{amount} ({percent} of plan)",
                    amount=t.money(actual),
                    percent=t.percent(round(100 * actual / planned)) if planned else "–",
                ),
            ),
            (t("Forecast"), t.money(forecast)),
            (t("Variance"), variance_text(t, planned, forecast)),
            (
                t("Lines over plan"),
                t("{over} of {lines}", over=len(over), lines=len(rows)),
            ),
        ],
        chart=ask.chart("budget", params, t("Budget against actual")),
        sections=[AnswerSection(t("Budget lines"), [_line(t, r) for r in rows])],
        note=note,
    )


INTENT = Intent(
    name="budget",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("budget 2025"),),
)
