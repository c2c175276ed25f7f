"""Cross-cutting checks, each a botbuilder middleware that calls ``next()``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from aiohttp import web
from botbuilder.core import InvokeResponse, Middleware, TurnContext
from botbuilder.schema import Activity, ActivityTypes
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import PERSON_KEY, REPLAY_KEY, TRANSLATOR_KEY, Services, tenant_of
from storage import activities
from storage.db import Unit, write_unit
from storage.models import Person
from storage.people import Member, upsert_member
from translations import Translator

log = logging.getLogger(__name__)
Next = Callable[[], Awaitable[None]]


PROACTIVE_EVENTS = frozenset({"ContinueConversation", "CreateConversation"})


def is_proactive(context: TurnContext) -> bool:
    """Our own proactive turn (``continue_conversation``/``create_conversation``).

    These never come over HTTP: the bot ignores incoming events, so a forged one does nothing.
    """
    activity = context.activity
    return activity.type == ActivityTypes.event and activity.name in PROACTIVE_EVENTS


def safe_for_log(value: object, limit: int = 120) -> str:
    """User-supplied text with control characters removed, for one log line."""
    value = getattr(value, "value", value)  # enum members log as their value
    text = str(value)[:limit]  # cut first: a message can be 250 KB, the line is short
    return "".join(ch if ch.isprintable() else "?" for ch in text)


# A turn that came over HTTP says what it was in its request's access-log line, so that a
# turn costs one log line at INFO: ``bot.hosting`` sets a list here for the request,
# ``CorrelationMiddleware`` puts the turn's words in it, ``bot.access_log`` writes them.
TURN_NOTE: ContextVar[list[str] | None] = ContextVar("roadmap_turn_note", default=None)
TURN_KEY = web.RequestKey("roadmap.turn", str)  # where bot.hosting keeps the note


class CorrelationMiddleware(Middleware):  # type: ignore[misc]
    """One line per turn with a correlation id; never secrets or message text.

    Over HTTP the line is the request's access-log line (``TURN_NOTE``); a proactive
    turn logs its own.
    """

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        activity = context.activity
        correlation = uuid.uuid4().hex[:12]
        context.turn_state["roadmap.correlation"] = correlation
        note = TURN_NOTE.get()
        if note is not None:
            note.append(
                f"turn {correlation} type={safe_for_log(activity.type)}"
                f" name={safe_for_log(activity.name or '')}"
                f" conversation={safe_for_log(activity.conversation.id if activity.conversation else '')}"
            )
        else:
            log.info(
                "turn %s type=%s name=%s conversation=%s",
                correlation,
                safe_for_log(activity.type),
                safe_for_log(activity.name or ""),
                safe_for_log(activity.conversation.id if activity.conversation else ""),
            )
        await logic()


class TenantMiddleware(Middleware):  # type: ignore[misc]
    """Drops every activity from a tenant that is not on the allow-list."""

    def __init__(self, services: Services) -> None:
        self._settings = services.settings

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        if is_proactive(context):
            await logic()
            return
        tenant = tenant_of(context.activity)
        if not self._settings.tenant_allowed(tenant):
            log.warning("dropped an activity from tenant %s", safe_for_log(tenant))
            if context.activity.type == ActivityTypes.invoke:
                await context.send_activity(
                    Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=403))
                )
            return
        await logic()


class DedupeMiddleware(Middleware):  # type: ignore[misc]
    """A replayed activity id is processed once; a failed turn's id is released for the retry."""

    def __init__(self, services: Services) -> None:
        self._sessions = services.sessions
        self._claims = activities.Claims(services.sessions)

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        activity = context.activity
        if not activity.id or activity.type not in (ActivityTypes.message, ActivityTypes.invoke):
            await logic()
            return
        key = f"{activity.conversation.id}|{activity.id}"[:300]
        # A typed message is done once claimed: one write. A card submission (an invoke, or a
        # message with a value) is marked complete only after its turn, so a crash mid-turn
        # lets the channel's retry save it.
        submission = activity.type == ActivityTypes.invoke or activity.value is not None
        if not await self._claims.claim(key, completed=not submission):
            log.info("replayed activity %s", safe_for_log(activity.id))
            if activity.type != ActivityTypes.invoke:
                return
            context.turn_state[REPLAY_KEY] = True  # an invoke still needs its answer
        try:
            await logic()
        except BaseException:
            if not context.turn_state.get(REPLAY_KEY):
                await activities.release(key, sessions=self._sessions)
            raise
        if submission and not context.turn_state.get(REPLAY_KEY):
            await activities.complete(key, sessions=self._sessions)


class IdentityMiddleware(Middleware):  # type: ignore[misc]
    """Resolves the sender to a person (created on first contact) and their translator."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def on_turn(self, context: TurnContext, logic: Next) -> None:
        activity = context.activity
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None) if sender else None
        own = sender is None or sender.id == getattr(activity.recipient, "id", None)
        if own or not aad or is_proactive(context):
            context.turn_state[TRANSLATOR_KEY] = Translator.first_of(
                activity.locale,
                self._services.settings.default_locale,
                zone=self._services.settings.zone,
            )
            await logic()
            return
        member = Member(
            aad_object_id=aad,
            name=sender.name or "",
            teams_id=sender.id,
            tenant_id=tenant_of(activity),
        )
        person = self._services.people.get(member)
        if person is None:
            person = await write_unit(self._services.sessions, self._upsert(member))
            self._services.people.put(member, person)
        context.turn_state[PERSON_KEY] = person
        context.turn_state[TRANSLATOR_KEY] = Translator.first_of(
            person.locale,
            activity.locale,
            self._services.settings.default_locale,
            zone=self._services.settings.zone,
        )
        await logic()

    def _upsert(self, member: Member) -> Unit[Person]:
        """The write unit that records the sender (two first turns of one person may race)."""

        async def unit(*, session: AsyncSession) -> Person:
            person = await upsert_member(
                member, admins=self._services.settings.admins, session=session
            )
            if person.unreachable_since is not None:  # they talk to the bot again
                person.unreachable_since = None
                session.add(person)
            return person

        return unit
