"""Listener middleware: an intent's declared requirements, enforced in this one place.

Before a handler runs, the guard checks what its intent declares (``bot.intents.registry``):

* ``admin_only`` (or ``admin_when`` the request asks for more than the person's own), and
  ``manager_only``: anyone whose role does not allow it gets a card that says so, and the
  refusal is audited;
* ``report="edit"``: the card's project and period are loaded, and the report's rules
  (``bot.reports``) applied: a refusal is audited and answered with a card that says why,
  or with the intent's own ``refused`` card (the form sent on to the 1:1 chat, the frozen
  report); ``report="view"`` loads the same and leaves the choice of card to the handler;
* ``personal_only``: in a channel or group chat, the intent's cards go to the person's
  1:1 chat, and the thread is told where they went;
* ``shows_money``: its cards may carry euro amounts; they are built under the query
  layer's ``Rights`` for this person in this conversation, which leave the money out
  where it may not be shown (the rights test checks every such intent in every role and
  conversation).

A replayed card action (the same activity again) is answered with the card's present
state by the intent's ``refresh`` verb, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.access import (
    OPEN_PERSONAL_CHAT,
    REASONS,
    Refusal,
    audit_refusal,
    is_shared,
    refuse,
    send_to_personal_chat,
    turn_rights,
)
from bot.context import Turn
from bot.intents.registry import Intent, Request
from bot.questions.answering import answer
from bot.questions.vocabulary import Question
from bot.reports import load_report_card, unknown_project_card
from cards.answers import build_answer_card
from cards.messages import build_notice_card
from storage.models import Role
from storage.rights import NO_RIGHTS, Rights


def is_admin(turn: Turn) -> bool:
    return turn.person.role == Role.admin


async def _rights(intent: Intent, turn: Turn) -> Rights:
    """The rights a handler builds its cards under. Questions read theirs in the session
    they answer in (``bot.questions.answering``); an intent without a report is given
    none, so that nothing shows money by default."""
    if intent.report is not None:
        return await turn_rights(turn)
    return NO_RIGHTS


def _role_refusal(intent: Intent, request: Request) -> Refusal | None:
    """Why this person's role does not allow the request, or None when it does."""
    role = request.turn.person.role
    if intent.admin_when is not None and intent.admin_when(request) and role != Role.admin:
        return Refusal.not_admin
    if intent.may_use(role):
        return None
    return Refusal.not_admin if intent.admin_only else Refusal.not_manager


async def _refused(intent: Intent, request: Request) -> dict[str, Any] | None:
    """The card that refuses the request (the refusal audited), or None when it may go on."""
    reason = _role_refusal(intent, request)
    if reason is None:
        return None
    await audit_refusal(request.turn, request.verb or intent.name, None, reason)
    return build_notice_card(request.t(REASONS[reason]), request.t, warning=True)


async def send(intent: Intent, request: Request, cards: Sequence[Mapping[str, Any]]) -> None:
    """Send an intent's cards: to the 1:1 chat for a ``personal_only`` intent in a shared
    conversation, with a note in the thread; where the person wrote otherwise."""
    turn = request.turn
    if not (intent.personal_only and is_shared(turn)):
        await turn.send_cards(cards)
        return
    if await send_to_personal_chat(turn, cards):
        text = turn.t(intent.sent_privately)
    else:
        text = turn.t(OPEN_PERSONAL_CHAT)
    await turn.send_card(build_notice_card(text, turn.t))


async def on_message(intent: Intent, turn: Turn, text: str) -> None:
    """A message for ``intent``, with ``text`` the words after the command."""
    assert intent.reply is not None  # noqa: S101 (the table is checked at import)
    request = Request(turn=turn, rights=await _rights(intent, turn), text=text)
    refusal = await _refused(intent, request)
    if refusal is not None:
        await turn.send_card(refusal)
        return
    await intent.reply(request)


async def on_action(
    intent: Intent, turn: Turn, verb: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """A card verb for ``intent``: the card that replaces the one acted on."""
    assert intent.act is not None  # noqa: S101 (the table is checked at import)
    request = Request(turn=turn, rights=await _rights(intent, turn), data=data, verb=verb)
    refusal = await _refused(intent, request)
    if refusal is not None:
        return refusal
    if intent.report is None:
        return await intent.act(request)
    card = await load_report_card(turn, verb, data)
    if card is None:
        return unknown_project_card(turn)
    request = Request(turn=turn, rights=request.rights, data=data, verb=verb, report=card)
    reason = card.refusal() if intent.report == "edit" else None
    if reason is None:
        return await intent.act(request)
    if intent.refused is not None and reason in (
        Refusal.shared_conversation,
        Refusal.period_frozen,
    ):
        await audit_refusal(turn, verb, card.project_id, reason)
        return await intent.refused(request, reason)
    return await refuse(turn, verb, card.project_id, reason)


async def on_question(intent: Intent, turn: Turn, question: Question) -> None:
    """A managers' question for ``intent``: answered under the person's rights here."""
    assert intent.load is not None  # noqa: S101 (the table is checked at import)
    request = Request(turn=turn, rights=NO_RIGHTS, text=question.name or "")
    refusal = await _refused(intent, request)
    if refusal is not None:
        await turn.send_card(refusal)
        return
    view = await answer(turn, question, intent.load)
    await turn.send_card(build_answer_card(view, turn.t))
