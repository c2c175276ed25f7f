"""What every handler gets: the turn, the person, their translator and the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from cards.elements import CONTENT_TYPE
from settings import Settings
from storage.db import SessionFactory
from storage.models import Person
from translations import Translator

PERSON_KEY = "roadmap.person"
TRANSLATOR_KEY = "roadmap.translator"
REPLAY_KEY = "roadmap.replay"


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    sessions: SessionFactory


@dataclass(frozen=True, slots=True)
class Turn:
    context: TurnContext
    services: Services
    person: Person
    t: Translator

    @property
    def activity(self) -> Activity:
        return self.context.activity

    async def send_card(self, card: dict[str, Any]) -> str | None:
        response = await self.context.send_activity(card_activity(card))
        return response.id if response else None

    async def send_text(self, text: str) -> None:
        await self.context.send_activity(Activity(type=ActivityTypes.message, text=text))


def card_activity(card: dict[str, Any]) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)],
    )


def tenant_of(activity: Activity) -> str | None:
    """The tenant from ``channelData.tenant.id``: conversation.tenantId does not survive."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) if conversation else None
