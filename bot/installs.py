"""Install, uninstall and roster: conversation references and the welcome card."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import TRANSLATOR_KEY, Services, card_activity, tenant_of
from cards.messages import build_welcome_card
from cards.views import WelcomeView
from storage.db import write_transaction, write_unit
from storage.models import ConversationKind, Person, Project, Role
from storage.people import (
    Member,
    forget_conversation,
    save_conversation,
    upsert_member,
)
from storage.status_reports import reportable_projects
from translations import Translator

log = logging.getLogger(__name__)
ROSTER_PAGE = 200


def _kind(activity: Activity) -> ConversationKind:
    kind = (activity.conversation.conversation_type if activity.conversation else None) or ""
    if kind == "channel":
        return ConversationKind.channel
    if kind == "groupChat":
        return ConversationKind.group_chat
    return ConversationKind.personal


def _team_id(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team")
    return str(team["id"]) if isinstance(team, dict) and team.get("id") else None


def _member(account: ChannelAccount, tenant: str | None) -> Member | None:
    aad = getattr(account, "aad_object_id", None)
    if not aad:
        return None
    email = getattr(account, "email", None) or getattr(account, "user_principal_name", None)
    return Member(
        aad_object_id=aad,
        name=account.name or "",
        # a roster's TeamsChannelAccount has the directory's givenName; an activity's
        # sender has only the display name, which is not split to guess one
        given_name=getattr(account, "given_name", None) or None,
        teams_id=account.id,
        email=email,
        tenant_id=getattr(account, "tenant_id", None) or tenant,
    )


async def _roster(context: TurnContext) -> list[Member]:
    """Every member of the team or chat, page by page."""
    tenant = tenant_of(context.activity)
    members: list[Member] = []
    token: str | None = None
    while True:
        page = await TeamsInfo.get_paged_members(context, token, ROSTER_PAGE)
        members += [m for m in (_member(a, tenant) for a in page.members or []) if m]
        token = page.continuation_token
        if not token:
            return members


async def _sender(context: TurnContext, tenant: str | None) -> Member | None:
    """The person who opened a 1:1 chat, as the roster has them (with the directory's
    givenName, which an activity's sender lacks): one connector call an install. Without
    an answer, the activity's sender is enough, greeted without a name."""
    sender = context.activity.from_property
    if sender is None or not sender.id:
        return None
    try:
        return _member(await TeamsInfo.get_member(context, sender.id), tenant)
    except Exception:  # the roster is a courtesy here: the install must not fail on it
        log.info("no roster entry for the 1:1 chat's user; greeting without a given name")
        return None


async def installed(context: TurnContext, services: Services) -> None:
    """The bot was added to a personal chat, a team or a group chat."""
    activity = context.activity
    kind = _kind(activity)
    tenant = tenant_of(activity)
    roster = await _roster(context) if kind != ConversationKind.personal else []
    sender = await _sender(context, tenant) if kind == ConversationKind.personal else None
    if sender is None and activity.from_property:
        sender = _member(activity.from_property, tenant)
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()

    async def record(*, session: AsyncSession) -> tuple[Person | None, list[Project], bool]:
        person = None
        for member in roster:
            await upsert_member(member, admins=services.settings.admins, session=session)
        if sender is not None:
            person = await upsert_member(sender, admins=services.settings.admins, session=session)
        created = await save_conversation(
            conversation_id=activity.conversation.id,
            kind=kind,
            reference=reference,
            service_url=activity.service_url,
            tenant_id=tenant,
            person_id=person.id if person and kind == ConversationKind.personal else None,
            team_id=_team_id(activity),
            name=activity.conversation.name or "",
            session=session,
        )
        projects = await reportable_projects(person, session=session) if person else []
        return person, projects, created

    # A concurrent turn of the same install (a person both store, the conversation both
    # claim) makes the unit run again; only the turn whose insert created the row welcomes.
    person, projects, created = await write_unit(services.sessions, record)
    log.info("installed in a %s conversation; %d roster members stored", kind.value, len(roster))
    if not created:
        return
    t: Translator = context.turn_state[TRANSLATOR_KEY]
    if person is not None and person.locale:  # their own choice, over the Teams locale
        t = Translator.for_locale(person.locale, services.settings.zone)
    view = WelcomeView(
        name=(person.given_name or "") if person and kind == ConversationKind.personal else "",
        is_owner=bool(projects) and kind == ConversationKind.personal,
        is_manager=bool(person and person.role in (Role.manager, Role.admin)),
        project_count=len(projects),
    )
    await context.send_activity(card_activity(build_welcome_card(view, t)))


async def members_added(context: TurnContext, services: Services) -> None:
    """People joined a team or chat where the bot is: remember them for proactive messages."""
    tenant = tenant_of(context.activity)
    members = [m for m in (_member(a, tenant) for a in context.activity.members_added or []) if m]
    if not members:
        return
    async with write_transaction(services.sessions) as session:
        for member in members:
            await upsert_member(member, admins=services.settings.admins, session=session)


async def uninstalled(context: TurnContext, services: Services) -> None:
    async with write_transaction(services.sessions) as session:
        removed = await forget_conversation(context.activity.conversation.id, session=session)
    log.info("uninstalled; %d conversation references removed", removed)


def personal_reference(
    *,
    conversation_id: str,
    user: tuple[str, str, str | None],
    bot: tuple[str, str],
    tenant_id: str,
    service_url: str,
    locale: str,
) -> dict[str, Any]:
    """A 1:1 chat's stored reference as the SDK writes it, for a chat known other than by
    an install (the benchmarks' generated portfolio): ``user`` is (Teams id, name, AAD id),
    ``bot`` is (id, name)."""
    reference = ConversationReference(
        activity_id=f"{conversation_id}-first",
        user=ChannelAccount(id=user[0], name=user[1], aad_object_id=user[2]),
        bot=ChannelAccount(id=bot[0], name=bot[1]),
        conversation=ConversationAccount(
            id=conversation_id, conversation_type="personal", tenant_id=tenant_id
        ),
        channel_id="msteams",
        locale=locale,
        service_url=service_url,
    )
    serialized: dict[str, Any] = reference.serialize()
    return serialized
