"""Projects at risk or off track."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view
from cards.views import AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    rows = await portfolio.at_risk(ask.rights, session=ask.session)
    return list_view(
        ask,
        t("Projects at risk or off track"),
        rows,
        empty=t("No project is at risk."),
        chart=ask.chart("health", {"scope": "started"}, t("Projects by health")),
    )


INTENT = Intent(
    name="at_risk",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("what is at risk?"),),
)
