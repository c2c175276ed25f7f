"""Impact (``impact``, ``impact 2025``): the completed projects, or a roadmap year's, with
their impact, their costs and savings for whoever may see money, and the impact/cost
matrix of exactly the projects listed."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, name_of, project_text
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from storage.portfolio import ProjectDetail
from translations import Translator
from translations.markers import N_


def _row(ask: Ask, t: Translator, d: ProjectDetail) -> AnswerRow:
    p = d.row.project
    figures = [
        t("one-time {amount}", amount=t.money(d.one_time_cents)) if d.one_time_cents else "",
        t("{amount} per year", amount=t.money(d.recurring_cents)) if d.recurring_cents else "",
        # a cost recorded as neither one-time nor yearly is the project's cost, unlabelled
        t("cost {amount}", amount=t.money(d.row.planned_cents))
        if d.row.planned_cents and not d.one_time_cents and not d.recurring_cents
        else "",
        t("saves {amount} per year", amount=t.money(d.savings_cents)) if d.savings_cents else "",
        t("impact {score}/5", score=p.impact_score) if p.impact_score else "",
    ]
    return AnswerRow(
        f"{p.code} · {name_of(t, p)}",
        ask.rights.text(p, project_text(t, p, "impact"))[:200],
        " · ".join(f for f in figures if f),
        project_id=p.id,
    )


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    year = ask.question.year
    found = await portfolio.impact_projects(year, ask.rights, session=ask.session)
    if year is None:
        title, heading = t("Impact of completed projects"), t("Completed projects")
        params = {"scope": "completed"}
    else:
        title, heading = t("Impact of roadmap {year}", year=year), t("Projects")
        params = {"scope": "roadmap", "year": str(year)}
    facts = [(heading, str(len(found)))]
    chart = None
    note = "" if found else t("No projects.")
    if ask.rights.all_money and found:
        facts.append((t("One-time costs"), t.money(sum(d.one_time_cents or 0 for d in found))))
        facts.append((t("Costs per year"), t.money(sum(d.recurring_cents or 0 for d in found))))
        facts.append((t("Savings per year"), t.money(sum(d.savings_cents or 0 for d in found))))
        chart = ask.chart("impact", params, t("Impact against cost"))
        unplotted = sum(
            1
            for d in found
            if not d.row.project.impact_score or not portfolio.matrix_cost_cents(d.row.project)
        )
        note = t(
            "The chart plots each project's one-time cost plus one year's running cost "
            "against its estimated impact."
        )
        if unplotted:
            note += " " + t(
                "Not on the chart, for want of a cost or an impact score: {count}.",
                count=unplotted,
            )
    rows = [_row(ask, t, d) for d in found]
    return AnswerView(
        title=title,
        facts=facts,
        chart=chart,
        sections=[AnswerSection(heading, ask.page_of(rows))] if rows else [],
        note=note,
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


INTENT = Intent(
    name="impact",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("impact of completed projects"), N_("impact 2025")),
)
