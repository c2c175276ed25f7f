"""The next page of a list answer (``Action.Execute`` "more"), replacing the card in place.

The card's data names the question again: it is answered anew under the rights of
whoever pressed the button, by the question intent's own ``load``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.intents.registry import Intent, Load, Request
from bot.questions.answering import answer
from bot.questions.vocabulary import DIMENSIONS, Question
from cards.answers import VERB_MORE, build_answer_card
from cards.messages import build_notice_card

MAX_PAGE = 1000


def question_of(data: Mapping[str, Any], intents: Mapping[str, Load]) -> Question | None:
    """The question a card's data names, if it is one of ``intents``."""
    intent = data.get("intent")
    if not isinstance(intent, str) or intent not in intents:
        return None

    def text(key: str) -> str | None:
        value = data.get(key)
        return value[:200] if isinstance(value, str) else None

    year = data.get("year")
    dimension = data.get("dimension")
    return Question(
        intent=intent,
        year=year if isinstance(year, int) and 2000 <= year <= 2100 else None,
        area=text("area"),
        name=text("name"),
        dimension=dimension if isinstance(dimension, str) and dimension in DIMENSIONS else None,
        value=text("value"),
        as_of=text("as_of"),
    )


async def act(request: Request) -> dict[str, Any]:
    from bot.intents import table  # the table lists this module too

    t, data = request.t, request.data
    question = question_of(data, table.questions)
    page = data.get("page")
    if question is None or isinstance(page, bool) or not isinstance(page, int):
        return build_notice_card(t("That button is no longer supported."), t)
    if not 0 <= page <= MAX_PAGE:
        return build_notice_card(t("That button is no longer supported."), t)
    load = table.questions[question.intent]
    return build_answer_card(await answer(request.turn, question, load, page=page), t)


INTENT = Intent(name="answer_page", verbs=frozenset({VERB_MORE}), shows_money=True, act=act)
