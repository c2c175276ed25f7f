"""A roadmap year's projects (``roadmap 2025``), with their health and progress; their
costs and estimated impact for whoever may see the money (a project's own owner sees its)."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view, project_row
from cards.views import AnswerRow, AnswerView
from storage import portfolio
from storage.portfolio import ProjectRow
from translations import Translator
from translations.markers import N_


def _row(t: Translator, row: ProjectRow) -> AnswerRow:
    shown = project_row(t, row)
    if row.planned_cents is None:  # no money for this reader: no costs, no impact
        return shown
    p = row.project
    figures = t(
        "planned {planned} · forecast {forecast}",
        planned=t.money(row.planned_cents),
        forecast=t.money(row.forecast_cents),
    )
    if p.impact_score:
        figures += " · " + t("impact {score}/5", score=p.impact_score)
    return AnswerRow(shown.title, f"{shown.detail}\n{figures}", shown.value, shown.colour)


async def load(ask: Ask) -> AnswerView:
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
    if ask.rights.all_money:
        scores = [r.project.impact_score for r in rows if r.project.impact_score]
        facts += [
            (t("Planned costs"), t.money(sum(r.planned_cents or 0 for r in rows))),
            (t("Forecast costs"), t.money(sum(r.forecast_cents or 0 for r in rows))),
            (
                t("Average estimated impact"),
                t("{score}/5", score=t.number(round(sum(scores) / len(scores), 1)))
                if scores
                else "–",
            ),
        ]
    return list_view(
        ask,
        t("Roadmap {year}", year=year) + f" ({state})",
        rows,
        empty="",
        facts=facts,
        chart=ask.chart("health", {"scope": "roadmap", "year": str(year)}, t("Projects by health")),
        row=lambda r: _row(t, r),
    )


INTENT = Intent(
    name="roadmap",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("roadmap 2025"),),
)
