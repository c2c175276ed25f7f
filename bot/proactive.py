"""Proactive delivery of outbox messages through the Bot Framework connector.

The card is built when the message is sent, not when it was queued, by the intent that
declares the message's outbox kind (``bot.intents``): a reminder shows the latest
answers, and a prompt or reminder for a project that has been answered in the meantime
is skipped. A person who has never opened a chat with the bot is reached
by creating a 1:1 conversation from a team's roster.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.adapter import RoadmapAdapter
from bot.connector import LAST_WORD, ConnectorError, retry_after_seconds
from bot.context import Services, card_activity
from bot.intents import table
from bot.intents.registry import Outgoing
from scheduler.dispatcher import Pace, SendFailure, SkipMessage
from scheduler.timetable import CycleSettings
from settings import Settings
from storage import outbox
from storage.cycle_store import admins, load_config, settings_of
from storage.db import write_transaction
from storage.models import (
    Conversation,
    ConversationKind,
    CycleConfig,
    OutboxMessage,
    Person,
    utcnow,
)
from storage.outbox import NewMessage
from storage.people import (
    any_shared_conversation,
    conversation_by_id,
    mark_unreachable,
    person_by_id,
    personal_conversation,
    save_conversation,
)
from translations import Translator

log = logging.getLogger(__name__)


def translator_for(
    person: Person | None, conversation: Conversation | None, settings: Settings
) -> Translator:
    """The person's own language, else the locale of the conversation's stored reference
    (the one Teams sent there), else the bot's default."""
    return Translator.first_of(
        person.locale if person else None,
        conversation.reference.get("locale") if conversation else None,
        settings.default_locale,
        zone=settings.zone,
    )


class BotSender:
    """Implements the dispatcher's ``Sender`` with the bot's adapter."""

    CONFIG_TTL = 60.0

    def __init__(self, adapter: RoadmapAdapter, services: Services) -> None:
        self.adapter = adapter
        self._services = services
        self._config_cache: tuple[float, CycleConfig] | None = None

    async def _config(self, session: AsyncSession) -> CycleConfig:
        """The cycle's settings, read at most once a minute while a fan-out runs."""
        now = time.monotonic()
        if self._config_cache is None or self._config_cache[0] < now:
            self._config_cache = (now + self.CONFIG_TTL, await load_config(session=session))
        return self._config_cache[1]

    async def send(self, message: OutboxMessage, pace: Pace) -> str | None:
        async with self._services.sessions() as session:
            person = (
                await person_by_id(message.person_id, session=session)
                if message.person_id
                else None
            )
            conversation = (
                await conversation_by_id(message.conversation_id, session=session)
                if message.conversation_id
                else None
            )
            if conversation is None and person is not None and person.id is not None:
                conversation = await personal_conversation(person.id, session=session)
            if person is not None and person.unreachable_since is not None:
                raise SkipMessage("the person blocked or removed the bot")
            t = translator_for(person, conversation, self._services.settings)
            shared = conversation is not None and conversation.kind != ConversationKind.personal
            card = await self._card(message, t, shared=shared, session=session)
            team = None
            if conversation is None:
                if person is None or not person.teams_id:
                    raise SkipMessage("nobody to send to")
                team = await any_shared_conversation(session=session)
                if team is None:
                    raise SkipMessage("no conversation with this person and no team to reach them")
        await pace()  # the rate limiter's slot, taken as late as possible: right before the POST
        try:
            if conversation is not None:
                return await self._continue(conversation, card, pace.confirm)
            assert person is not None and team is not None  # noqa: S101 (checked above)
            return await self._create(person, team, card, pace.confirm)
        except ConnectorError as error:  # sending the card
            raise SendFailure(error.status, error.retry_after, str(error)) from error
        except HttpOperationError as error:  # creating the conversation (the SDK's client)
            response = getattr(error, "response", None)
            status = getattr(response, "status_code", None)
            headers = getattr(response, "headers", None) or {}
            retry_after = retry_after_seconds(headers.get("Retry-After"))
            raise SendFailure(status, retry_after, "connector refused") from error
        except ClientRequestError as error:
            raise SendFailure(None, None, "connector did not answer") from error

    async def _continue(
        self, conversation: Conversation, card: dict[str, Any], confirm: Callable[[], None]
    ) -> str | None:
        reference = ConversationReference().deserialize(conversation.reference)
        sent: list[str | None] = []

        async def callback(context: TurnContext) -> None:
            confirm()  # the dispatcher's word before the post, and again as it is written
            token = LAST_WORD.set(confirm)
            try:
                response = await context.send_activity(card_activity(card))
            finally:
                LAST_WORD.reset(token)
            sent.append(response.id if response else None)

        await self.adapter.continue_conversation(
            reference, callback, self._services.settings.app_id
        )
        return sent[0] if sent else None

    async def _create(
        self,
        person: Person,
        team: Conversation,
        card: dict[str, Any],
        confirm: Callable[[], None],
    ) -> str | None:
        """Open a 1:1 chat with a roster member, remember it, and send the card there."""
        tenant = person.tenant_id or team.tenant_id
        parameters = ConversationParameters(
            is_group=False,
            members=[ChannelAccount(id=person.teams_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )
        sent: list[str | None] = []

        async def callback(context: TurnContext) -> None:
            reference = TurnContext.get_conversation_reference(context.activity)
            async with write_transaction(self._services.sessions) as session:
                await save_conversation(
                    conversation_id=context.activity.conversation.id,
                    kind=ConversationKind.personal,
                    reference=reference.serialize(),
                    service_url=team.service_url,
                    tenant_id=tenant,
                    person_id=person.id,
                    team_id=None,
                    name="",
                    session=session,
                )
            confirm()
            token = LAST_WORD.set(confirm)
            try:
                response = await context.send_activity(card_activity(card))
            finally:
                LAST_WORD.reset(token)
            sent.append(response.id if response else None)

        await self.adapter.create_conversation(
            self._services.settings.app_id, callback, parameters, "msteams", team.service_url, None
        )
        return sent[0] if sent else None

    async def _card(
        self, message: OutboxMessage, t: Translator, *, shared: bool, session: AsyncSession
    ) -> dict[str, Any]:
        """The card its outbox kind's intent builds; in a channel or group chat, without money."""
        intent = table.for_kind(message.kind)
        if intent is None or intent.compose is None:
            raise SkipMessage(f"unknown kind {message.kind}")

        async def cycle_settings() -> CycleSettings:
            return settings_of(await self._config(session))

        return await intent.compose(Outgoing(message, t, shared, session, cycle_settings))


async def on_unreachable(message: OutboxMessage, session: AsyncSession) -> None:
    """403: the person blocked or removed the bot. Record it and tell the admins once."""
    if message.person_id is None:
        return
    person = await mark_unreachable(message.person_id, session=session)
    if person is None:
        return
    notices = [
        NewMessage(
            key=f"notice:unreachable:{message.period}:{person.id}:{admin.id}",
            kind="notice",
            period=message.period,
            person_id=admin.id,
            project_id=None,
            conversation_id=None,
            tenant_id=admin.tenant_id,
            not_before=utcnow(),
            payload={"notice": "unreachable", "person_id": person.id},
        )
        for admin in await admins(session=session)
        if admin.id != person.id
    ]
    await outbox.enqueue(notices, session=session)
