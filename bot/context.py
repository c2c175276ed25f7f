"""What every handler gets: the turn, the person, their translator and the services."""

from __future__ import annotations

import copy
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, Attachment

from cards.elements import CONTENT_TYPE
from exports.kinds import FileKinds
from settings import Settings
from storage.db import SessionFactory
from storage.models import Person
from storage.people import Member
from translations import Translator

PERSON_KEY = "roadmap.person"
TRANSLATOR_KEY = "roadmap.translator"
REPLAY_KEY = "roadmap.replay"
UNDELIVERED_KEY = "roadmap.undelivered"  # the turn failed and the user could not be told
SAVE_KEY = "roadmap.save"


class SaveState(Enum):
    """How far a turn's save got (``turn_state[SAVE_KEY]``), so that a turn that fails
    afterwards tells the user only what is known. Without it: nothing was saved."""

    uncertain = "uncertain"  # the database may have committed it; checking failed
    saved = "saved"  # committed


class PersonCache:
    """Recently seen senders, so a turn needs no database write to know who is asking.

    An entry is used only while the sender's name, Teams id and tenant are unchanged and
    for ``TTL`` seconds at most (other replicas' changes show within that time); commands
    that change a person call ``forget``.
    """

    TTL = 30.0

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Member, Person]] = {}

    def get(self, member: Member) -> Person | None:
        entry = self._entries.get(member.aad_object_id)
        if entry is None or entry[0] < time.monotonic() or entry[1] != member:
            return None
        return entry[2]

    def put(self, member: Member, person: Person) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[member.aad_object_id] = (time.monotonic() + self.TTL, member, person)

    def forget(self, aad_object_id: str | None = None) -> None:
        if aad_object_id is None:
            self._entries.clear()
        else:
            self._entries.pop(aad_object_id, None)


class CycleControl:
    """What an admin's command asks of the cycle on this replica: re-plan its steps now.

    The app attaches its cycle runner when it starts; a replica that does not lead, and a
    bot run without a cycle (tests), re-plan nothing: the leader sees the changed
    settings within a lease round anyway.
    """

    def __init__(self) -> None:
        self._replan: Callable[[], Awaitable[None]] | None = None

    def attach(self, replan: Callable[[], Awaitable[None]]) -> None:
        self._replan = replan

    async def replan(self) -> None:
        if self._replan is not None:
            await self._replan()


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    sessions: SessionFactory
    people: PersonCache = field(default_factory=PersonCache)
    cycle: CycleControl = field(default_factory=CycleControl)
    files: FileKinds = field(default_factory=FileKinds)  # what exports can make


@dataclass(frozen=True, slots=True)
class Turn:
    context: TurnContext
    services: Services
    person: Person
    t: Translator

    @property
    def activity(self) -> Activity:
        return self.context.activity

    async def send_card(self, card: Mapping[str, Any]) -> str | None:
        response = await self.context.send_activity(card_activity(card))
        return response.id if response else None

    async def send_cards(self, cards: Sequence[Mapping[str, Any]]) -> None:
        """Several cards, in order, through one pass of the SDK's send pipeline."""
        await self.context.send_activities([card_activity(card) for card in cards])

    async def send_text(self, text: str) -> None:
        await self.context.send_activity(Activity(type=ActivityTypes.message, text=text))


class OutgoingCard(dict[str, Any]):
    """A built card on its way out.

    Cards are never changed once built, so the SDK's ``deepcopy`` of every activity it
    sends shares this one rather than copying each of its nodes. ``bot.connector`` writes
    it as the JSON object it is; msrest would write a dict subclass as its ``repr``, so an
    activity holding one must not be given to the SDK's own connector client.
    """

    def __deepcopy__(self, _memo: dict[int, Any]) -> OutgoingCard:
        return self


class OutgoingActivity(Activity):  # type: ignore[misc]
    """A message this bot built for one send.

    The SDK deep-copies every activity it sends, so that addressing the copy leaves the
    caller's untouched. Addressing sets attributes of the activity itself, and nothing
    changes its attachments (finished cards), so a copy of the activity and of its list of
    attachments is enough: a tenth of the generic deepcopy's cost.
    """

    def __deepcopy__(self, _memo: dict[int, Any]) -> OutgoingActivity:
        duplicate = copy.copy(self)
        duplicate.attachments = list(self.attachments) if self.attachments else None
        return duplicate


def card_activity(card: Mapping[str, Any]) -> Activity:
    return OutgoingActivity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CONTENT_TYPE, content=OutgoingCard(card))],
    )


def tenant_of(activity: Activity) -> str | None:
    """The tenant from ``channelData.tenant.id``: conversation.tenantId does not survive."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) if conversation else None
