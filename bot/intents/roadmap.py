"""A roadmap year's projects (``roadmap 2025``), with their health and progress."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view
from cards.views import AnswerView
from storage import portfolio
from translations.markers import N_


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
    return list_view(
        ask,
        t("Roadmap {year}", year=year) + f" ({state})",
        rows,
        empty="",
        facts=facts,
        chart=ask.chart("health", {"scope": "roadmap", "year": str(year)}, t("Projects by health")),
    )


INTENT = Intent(
    name="roadmap",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("roadmap 2025"),),
)
