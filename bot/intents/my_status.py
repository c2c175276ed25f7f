"""``status`` (fi ``tila``): one status card per project the person owns or is deputy for.

The cards show and ask for the project's money, so they go only to the person's 1:1 chat
(``personal_only``): asked in a channel or group chat, the guard sends them there and
says so in the thread. A report already given for a closed period comes as its frozen
confirmation.
"""

from __future__ import annotations

from typing import Any

from bot.intents import guard
from bot.intents.registry import Help, Intent, Request
from bot.reports import after_close
from bot.views import confirmation_view, current_period, form_view
from cards.common import STATUS_COMMAND
from cards.messages import build_notice_card
from cards.status_cards import build_confirmation_card, build_status_card
from storage.cycle_store import cycle_settings
from storage.rights import Rights
from storage.status_reports import reportable_contexts
from translations.markers import N_

WORDS = frozenset({"status", "tila", "tilanne", "my status", "oma tila"})
# An editor of a report sees its money: the same rights the form itself gives them.
EDITOR = Rights(all_money=True)


async def reply(request: Request) -> None:
    turn = request.turn
    period = current_period(turn)
    async with turn.services.sessions() as session:
        contexts = await reportable_contexts(turn.person, period, session=session)
        settings = await cycle_settings(session=session) if contexts else None
        zone = turn.services.settings.zone
        after = await after_close(period, settings, zone, session=session) if settings else None
    if not contexts or settings is None or after is None:
        await turn.send_card(
            build_notice_card(
                turn.t(
                    "You have no ongoing projects to report on. Type help to see what I can do."
                ),
                turn.t,
            )
        )
        return
    cards: list[dict[str, Any]] = []
    for context in contexts:
        if context.period_closed and context.current is not None:
            frozen = confirmation_view(
                context,
                turn.t,
                rights=EDITOR,
                editor_ids=[],
                can_edit=False,
                next_period_opens=after.next_period_opens,
                open_period=after.open_period,
            )
            cards.append(build_confirmation_card(frozen, turn.t))
        else:
            form = form_view(
                context,
                period,
                turn.t,
                due=settings.due(period),
                next_period_opens=after.next_period_opens,
                open_period=after.open_period,
            )
            cards.append(build_status_card(form, turn.t))
    await guard.send(INTENT, request, cards)


INTENT = Intent(
    name="status",
    words=WORDS,
    personal_only=True,
    shows_money=True,
    reply=reply,
    sent_privately=N_("I sent your status cards to our 1:1 chat."),
    help=Help(
        STATUS_COMMAND,
        N_("Open your status card for each project you own or are deputy for."),
    ),
)
