"""Proactive delivery of outbox messages through the Bot Framework connector.

The card is built when the message is sent, not when it was queued: a reminder shows
the latest answers, and a prompt or reminder for a project that has been answered in
the meantime is skipped. A person who has never opened a chat with the bot is reached
by creating a 1:1 conversation from a team's roster.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationParameters, ConversationReference
from msrest.exceptions import ClientRequestError, HttpOperationError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.connector import LAST_WORD, ConnectorError, retry_after_seconds
from bot.context import Services, card_activity
from bot.hosting import RoadmapAdapter
from bot.views import form_view
from cards.cycle import build_digest_card, build_escalation_card
from cards.messages import build_notice_card
from cards.status import build_status_card
from cards.views import DigestView, EscalationView, HealthChange, MissingProject
from scheduler import cycle
from scheduler.calendar import period_start
from scheduler.dispatcher import Pace, SendFailure, SkipMessage
from storage import digest as digests
from storage import outbox
from storage.cycle import admins, load_config, settings_of
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
from storage.people import any_shared_conversation, personal_conversation, save_conversation
from storage.status import report_context
from translations import Translator

log = logging.getLogger(__name__)


def _translator(
    person: Person | None, conversation: Conversation | None, services: Services
) -> Translator:
    locale = person.locale if person and person.locale else None
    if locale is None and conversation is not None:
        locale = conversation.reference.get("locale")
    return Translator.for_locale(locale or "fi-FI", services.settings.zone)


def _missing_views(rows: list[digests.Missing], t: Translator) -> list[MissingProject]:
    return [
        MissingProject(
            code=row.project.code,
            name=t.named(row.project),
            owner=row.owner_name,
            director=t.pick(row.director.title_fi, row.director.title_sv, row.director.title_en)
            if row.director
            else "",
        )
        for row in rows
    ]


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
            person = await session.get(Person, message.person_id) if message.person_id else None
            conversation = (
                await session.get(Conversation, message.conversation_id)
                if message.conversation_id
                else None
            )
            if conversation is None and person is not None and person.id is not None:
                conversation = await personal_conversation(person.id, session=session)
            if person is not None and person.unreachable_since is not None:
                raise SkipMessage("the person blocked or removed the bot")
            t = _translator(person, conversation, self._services)
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
        """The card for the message; in a channel or group chat, one without money."""
        payload = message.payload
        kind = message.kind
        if kind.startswith(cycle.PROMPT) or cycle.is_reminder(kind):
            if message.project_id is None:
                raise SkipMessage("no project")
            if shared:
                raise SkipMessage("status forms go only to a 1:1 chat")
            context = await report_context(message.project_id, message.period, session=session)
            if context.current is not None:
                raise SkipMessage("answered already")
            settings = settings_of(await self._config(session))
            view = form_view(context, message.period, t, due=settings.due(message.period))
            banner = None
            if cycle.is_reminder(kind):
                banner = t("Reminder: your status report is still missing.")
            if payload.get("as_deputy") and context.owner:
                banner = t("You are deputising for {owner}, who is away.", owner=context.owner.name)
            return build_status_card(replace(view, banner=banner), t)
        if kind in (cycle.ESCALATION,):
            ids = [int(i) for i in payload.get("project_ids", [])]
            rows = await digests.missing(message.period, session=session, project_ids=ids)
            if not rows:
                raise SkipMessage("everyone has answered since")
            settings = settings_of(await self._config(session))
            return build_escalation_card(
                EscalationView(
                    period_start=period_start(message.period),
                    due=settings.due(message.period),
                    projects=_missing_views(rows, t),
                    copy=bool(payload.get("copy")),
                ),
                t,
            )
        if kind == cycle.DIGEST:
            data = await digests.digest(message.period, session=session)
            return build_digest_card(
                DigestView(
                    period_start=period_start(message.period),
                    expected=data.expected,
                    received=data.received,
                    health=data.health,
                    changes=[
                        HealthChange(
                            c.project.code,
                            t.named(c.project),
                            c.before_health,
                            c.after_health,
                            c.before_progress,
                            c.after_progress,
                        )
                        for c in data.changes
                    ],
                    late=_missing_views(data.late, t),
                    planned_cents=None if shared else data.planned_cents,
                    actual_cents=None if shared else data.actual_cents,
                ),
                t,
            )
        if kind == "notice":
            return build_notice_card(
                await _notice_text(payload, t, session=session), t, warning=True
            )
        raise SkipMessage(f"unknown kind {kind}")


async def _notice_text(payload: dict[str, Any], t: Translator, *, session: AsyncSession) -> str:
    subject = await session.get(Person, payload.get("owner_id") or payload.get("person_id") or -1)
    name = subject.name if subject else "?"
    if payload.get("notice") == "no_deputy":
        return t(
            "{name} is away and has no deputy, so nobody was asked for their project's status.",
            name=name,
        )
    if payload.get("notice") == "unreachable":
        return t(
            "I can no longer reach {name}: they blocked or removed the bot. Their messages are on hold.",
            name=name,
        )
    return t("A message could not be delivered.")


async def on_unreachable(message: OutboxMessage, session: AsyncSession) -> None:
    """403: the person blocked or removed the bot. Record it and tell the admins once."""
    if message.person_id is None:
        return
    person = await session.get(Person, message.person_id)
    if person is None:
        return
    if person.unreachable_since is None:
        person.unreachable_since = utcnow()
        session.add(person)
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
