"""Free text and question commands: parse the question, answer it, or suggest and help."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Turn
from bot.middleware import safe_for_log
from bot.questions.answer import answer
from bot.questions.parse import INTENTS, Question, parse, suggestions
from cards.answers import build_answer_card
from cards.messages import build_help_card, build_notice_card
from storage.models import Role


async def handle(turn: Turn, text: str) -> None:
    question = parse(text)
    if question is None:
        await turn.send_card(
            build_help_card(
                turn.t,
                not_understood=safe_for_log(text, 80),
                admin=turn.person.role == Role.admin,
                suggestions=suggestions(text),
            )
        )
        return
    await turn.send_card(build_answer_card(await answer(turn, question), turn.t))


def _question(data: Mapping[str, Any]) -> Question | None:
    intent = data.get("intent")
    if intent not in INTENTS:
        return None

    def text(key: str) -> str | None:
        value = data.get(key)
        return value[:200] if isinstance(value, str) else None

    year = data.get("year")
    return Question(
        intent=str(intent),
        year=year if isinstance(year, int) and 2000 <= year <= 2100 else None,
        area=text("area"),
        name=text("name"),
        dimension=text("dimension")
        if data.get("dimension") in ("theme", "level", "need", "benefit", "director")
        else None,
        value=text("value"),
    )


async def more(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    """The next page of an answer, replacing the card in place."""
    question = _question(data)
    page = data.get("page")
    if question is None or not isinstance(page, int) or not 0 <= page <= 1000:
        return build_notice_card(turn.t("That button is no longer supported."), turn.t)
    return build_answer_card(await answer(turn, question, page=page), turn.t)


async def project(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    """A choice on the "which project did you mean" card."""
    project_id = data.get("project_id")
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        return build_notice_card(turn.t("That button is no longer supported."), turn.t)
    view = await answer(turn, Question(intent="project"), project_id=project_id)
    return build_answer_card(view, turn.t)
