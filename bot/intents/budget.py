"""A year's budget lines (``budget 2025``, ``budget 2025 digital foundation``): planned, actual, forecast and variance. Managers and admins only."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
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


INTENT = Intent(
    name="budget",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("budget 2025"),),
)
