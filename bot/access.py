"""Who may see and do what in this turn: the query layer's ``Rights``, for every card.

A card is built for the person who acts and for the conversation it lands in. Money is
shown only under ``storage.rights.Rights``: to admins and managers, and to an owner or
deputy for their own projects, and never in a channel or group chat, where everyone
present would read it. Forms (which show and ask for money) therefore open only in the
person's 1:1 chat with the bot; in a shared conversation the bot sends them there.

A refused action gets a card that says why, and an audit entry: who, which verb, which
project, and the reason.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationReference

from bot.context import Turn, card_activity
from bot.middleware import safe_for_log
from cards.messages import build_notice_card
from storage import audit
from storage.db import write_transaction
from storage.models import ConversationKind
from storage.people import personal_conversation
from storage.rights import Rights, rights_for
from translations.markers import N_

log = logging.getLogger(__name__)


class Refusal(enum.StrEnum):
    """Why an action was refused; the value is what the audit log records."""

    not_editor = "not_editor"
    not_admin = "not_admin"
    not_manager = "not_manager"
    shared_conversation = "shared_conversation"
    period_frozen = "period_frozen"
    no_project_period = "no_project_period"


REASONS = {
    Refusal.not_admin: N_("Only programme admins can do that."),
    Refusal.not_manager: N_("Only managers and programme admins can do that."),
    Refusal.not_editor: N_(
        "Only the project's owner, their deputy or an admin can report on this project. Nothing was saved."
    ),
    Refusal.shared_conversation: N_(
        "Status forms show the project's money, so they open only in our 1:1 chat. Nothing was saved here."
    ),
    Refusal.period_frozen: N_(
        "This period is closed, so its report can no longer be changed. An admin can reopen the period."
    ),
    Refusal.no_project_period: N_(
        "This project has no status for that month: it is before the project's roadmap year."
    ),
}


def is_shared(turn: Turn) -> bool:
    """A channel or a group chat: everyone there reads what the bot posts."""
    conversation = turn.activity.conversation
    kind = conversation.conversation_type if conversation else None
    return kind in (ConversationKind.channel.value, ConversationKind.group_chat.value)


async def turn_rights(turn: Turn) -> Rights:
    """The query layer's rights for this person in this conversation."""
    async with turn.services.sessions() as session:
        return await rights_for(turn.person, shared_conversation=is_shared(turn), session=session)


async def audit_refusal(turn: Turn, verb: str, project_id: int | None, reason: Refusal) -> None:
    """One audit entry for a refused action: who, which verb, which project, and why."""
    async with write_transaction(turn.services.sessions) as session:
        await audit.record(
            actor_id=turn.person.id,
            action="refused",
            entity="project" if project_id is not None else "command",
            entity_id=project_id if project_id is not None else verb,
            activity_id=turn.activity.id,
            details={
                "verb": verb,
                "reason": reason.value,
                "conversation": "shared" if is_shared(turn) else "personal",
            },
            session=session,
        )
    log.info(
        "refused %s on project %s for person %s: %s",
        safe_for_log(verb),
        project_id,
        turn.person.id,
        reason.value,
    )


async def refuse(
    turn: Turn, verb: str, project_id: int | None, reason: Refusal, *, note: str | None = None
) -> dict[str, Any]:
    """Audit the refusal and return the card that says why."""
    await audit_refusal(turn, verb, project_id, reason)
    return refusal_card(turn, reason, note=note)


def refusal_card(turn: Turn, reason: Refusal, *, note: str | None = None) -> dict[str, Any]:
    """The card that says why an action was refused, and what became of it (``note``)."""
    text = turn.t(REASONS[reason])
    if note:
        text = f"{text}\n\n{note}"
    return build_notice_card(text, turn.t, warning=True)


async def _personal_reference(turn: Turn) -> ConversationReference | None:
    if turn.person.id is None:
        return None
    async with turn.services.sessions() as session:
        conversation = await personal_conversation(turn.person.id, session=session)
    if conversation is None:
        return None
    return ConversationReference().deserialize(conversation.reference)


async def send_to_personal_chat(turn: Turn, cards: Sequence[Mapping[str, Any]]) -> bool:
    """Send cards to the person's 1:1 chat with the bot; False when there is none yet."""
    reference = await _personal_reference(turn)
    if reference is None:
        return False

    async def deliver(context: TurnContext) -> None:
        await context.send_activities([card_activity(card) for card in cards])

    await turn.context.adapter.continue_conversation(
        reference, deliver, turn.services.settings.app_id
    )
    return True


OPEN_PERSONAL_CHAT = N_(
    "We have no 1:1 chat yet. Open one: select my name, choose Chat, and say hello. Then type status there."
)
