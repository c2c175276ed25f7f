"""Projects at risk or off track, each with the risks and help its owner last wrote of."""

from __future__ import annotations

from dataclasses import replace

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view, owners_risks, project_row
from cards.views import AnswerRow, AnswerView
from storage import portfolio
from storage.portfolio import ProjectRow
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    rows = await portfolio.at_risk(ask.rights, session=ask.session)
    risks = await owners_risks(ask, ask.page_of(rows))

    def row(r: ProjectRow) -> AnswerRow:
        shown = project_row(t, r)
        risk = risks.get(r.project.id or 0)
        return replace(shown, detail=f"{shown.detail}\n{risk}") if risk else shown

    return list_view(
        ask,
        t("Projects at risk or off track"),
        rows,
        empty=t("No project is at risk."),
        chart=ask.chart("health", {"scope": "started"}, t("Projects by health")),
        row=row,
    )


INTENT = Intent(
    name="at_risk",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("what is at risk?"),),
)
