"""``status`` / ``tila``: one status card per project the person owns or is deputy for."""

from __future__ import annotations

from bot.context import Turn
from bot.views import current_period, form_view
from cards.messages import build_notice_card
from cards.status import build_status_card
from storage.status import reportable_contexts

WORDS = frozenset({"status", "tila", "tilanne", "my status", "oma tila"})


async def handle(turn: Turn, _rest: str) -> None:
    period = current_period(turn)
    async with turn.services.sessions() as session:
        contexts = await reportable_contexts(turn.person, period, session=session)
    if not contexts:
        await turn.send_card(
            build_notice_card(
                turn.t(
                    "You have no ongoing projects to report on. Type help to see what I can do."
                ),
                turn.t,
            )
        )
        return
    await turn.send_cards(
        [build_status_card(form_view(context, period, turn.t), turn.t) for context in contexts]
    )
