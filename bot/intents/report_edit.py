"""The confirmation card's Edit: the status form again, with the saved report in it.

The guard applies the report's rules (``report="edit"``) first: in a shared conversation
the form goes to the 1:1 chat, and a frozen report is shown as it stands.
"""

from __future__ import annotations

from typing import Any

from bot.access import Refusal, refusal_card
from bot.intents.registry import Intent, Request
from bot.reports import confirmation_card, form_card, form_to_personal_chat
from cards.common import VERB_STATUS_EDIT


async def refused(request: Request, reason: Refusal) -> dict[str, Any]:
    card = request.report
    assert card is not None  # noqa: S101 (report intents are given one)
    if reason is Refusal.shared_conversation:
        note = await form_to_personal_chat(card, await form_card(card))
        return refusal_card(request.turn, reason, note=note)
    return await confirmation_card(card, request.rights)


async def act(request: Request) -> dict[str, Any]:
    assert request.report is not None  # noqa: S101 (report intents are given one)
    return await form_card(request.report)


INTENT = Intent(
    name="report_edit",
    verbs=frozenset({VERB_STATUS_EDIT}),
    shows_money=True,
    report="edit",
    act=act,
    refused=refused,
)
