"""Projects forecast over their budget, for whoever may see their money."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view
from cards.views import AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    if not ask.rights.all_money and not ask.rights.own_projects:
        return AnswerView(
            title=t("Over budget"),
            note=t(
                "Budgets and costs are shown to managers and admins, and to owners for their own projects."
            ),
        )
    rows = await portfolio.over_budget(ask.rights, session=ask.session)
    return list_view(
        ask, t("Over budget"), rows, empty=t("No project is forecast over its budget."), money=True
    )


INTENT = Intent(
    name="over_budget",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("what's over budget?"),),
)
