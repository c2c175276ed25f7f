"""The projects the person owns or is deputy for, with their money."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view
from cards.views import AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    rows = await portfolio.my_projects(ask.turn.person, ask.rights, session=ask.session)
    return list_view(
        ask, t("My projects"), rows, empty=t("You do not own any project."), money=True
    )


INTENT = Intent(
    name="my_projects",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("my projects"),),
)
