"""People, their roles and their conversation references."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import upsert_insert
from storage.matching import best
from storage.models import Conversation, ConversationKind, Person, Role, utcnow


@dataclass(frozen=True, slots=True)
class Member:
    """Someone the channel told us about: an activity's sender or a roster entry."""

    aad_object_id: str
    name: str
    given_name: str | None = None  # Teams' givenName: a roster has it, an activity does not
    teams_id: str | None = None
    email: str | None = None
    tenant_id: str | None = None


async def person_by_aad(aad_object_id: str, *, session: AsyncSession) -> Person | None:
    result = await session.exec(select(Person).where(Person.aad_object_id == aad_object_id))
    return result.first()


async def upsert_member(member: Member, *, admins: list[str], session: AsyncSession) -> Person:
    """Create or refresh a person from what Teams says; settings' admins are made admins."""
    person = await person_by_aad(member.aad_object_id, session=session)
    if person is None:
        person = Person(
            aad_object_id=member.aad_object_id, name=member.name or member.aad_object_id
        )
    person.name = member.name or person.name
    person.given_name = member.given_name or person.given_name
    person.teams_id = member.teams_id or person.teams_id
    person.email = member.email or person.email
    person.tenant_id = member.tenant_id or person.tenant_id
    configured = {entry.lower() for entry in admins}
    if member.aad_object_id.lower() in configured or (
        person.email and person.email.lower() in configured
    ):
        person.role = Role.admin
    session.add(person)
    await session.flush()
    return person


async def save_conversation(
    *,
    conversation_id: str,
    kind: ConversationKind,
    reference: dict[str, Any],
    service_url: str,
    tenant_id: str | None,
    person_id: int | None,
    team_id: str | None,
    name: str,
    session: AsyncSession,
) -> bool:
    """Save or refresh a conversation's reference; whether this call created its row.

    Teams announces an install twice (``installationUpdate`` and ``conversationUpdate``
    with the bot among ``membersAdded``), and the two may be processed at the same time.
    The row is claimed by an insert that does nothing when it is there already, so of two
    concurrent transactions exactly one learns that it created the row: the one that
    welcomes.
    """
    now = utcnow()
    insert = upsert_insert(session)
    claimed = await session.exec(
        insert(Conversation)
        .values(
            conversation_id=conversation_id,
            kind=kind.value,
            service_url=service_url,
            reference=reference,
            installed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["conversation_id"])
        .returning(col(Conversation.id))
    )
    created = claimed.first() is not None
    result = await session.exec(
        select(Conversation).where(Conversation.conversation_id == conversation_id)
    )
    conversation = result.one()
    conversation.kind = kind
    conversation.reference = reference
    conversation.service_url = service_url
    conversation.tenant_id = tenant_id
    conversation.person_id = person_id if person_id is not None else conversation.person_id
    conversation.team_id = team_id
    conversation.name = name or conversation.name
    conversation.installed_at = now
    session.add(conversation)
    await session.flush()
    return created


async def forget_conversation(conversation_id: str, *, session: AsyncSession) -> int:
    result = await session.exec(
        delete(Conversation).where(col(Conversation.conversation_id) == conversation_id)
    )
    return int(result.rowcount or 0)


async def personal_conversation(person_id: int, *, session: AsyncSession) -> Conversation | None:
    """The person's 1:1 chat with the bot, the latest one saved; None when there is none."""
    result = await session.exec(
        select(Conversation)
        .where(Conversation.person_id == person_id, Conversation.kind == ConversationKind.personal)
        .order_by(col(Conversation.id).desc())
    )
    return result.first()


async def any_shared_conversation(*, session: AsyncSession) -> Conversation | None:
    """A team or group chat the bot is in, whose roster can reach a member it has no 1:1
    chat with; None when there is none."""
    result = await session.exec(
        select(Conversation).where(Conversation.kind != ConversationKind.personal)
    )
    return result.first()


async def teams_ids(person_ids: set[int], *, session: AsyncSession) -> list[str]:
    """The Teams user ids of these people, for ``refresh.userIds``."""
    if not person_ids:
        return []
    result = await session.exec(
        select(Person.teams_id).where(col(Person.id).in_(sorted(person_ids)))
    )
    return sorted(teams_id for teams_id in result.all() if teams_id)


async def set_locale(person: Person, locale: str | None, *, session: AsyncSession) -> None:
    """The person's own language; ``None`` follows the locale Teams sends."""
    stored = await session.get(Person, person.id)
    if stored is None:
        raise LookupError(person.id)
    stored.locale = locale
    session.add(stored)
    await session.flush()


async def find_person(name: str, *, session: AsyncSession) -> Person | None:
    """The person whose name is closest to ``name`` as typed, if any is close enough."""
    people = list((await session.exec(select(Person))).all())
    found = best(name, {p.id: p.name for p in people}, cutoff=80)
    return next((p for p in people if p.id == found), None) if found is not None else None


async def set_away(person_id: int, until: date | None, *, session: AsyncSession) -> Person | None:
    """Away until ``until`` (None: back); the person's deputy, who gets their cards meanwhile."""
    stored = await session.get(Person, person_id)
    if stored is None:
        raise LookupError(person_id)
    stored.away_until = until
    session.add(stored)
    await session.flush()
    return await session.get(Person, stored.deputy_id) if stored.deputy_id else None


async def set_deputy(person_id: int, deputy_id: int, *, session: AsyncSession) -> None:
    stored = await session.get(Person, person_id)
    if stored is None:
        raise LookupError(person_id)
    stored.deputy_id = deputy_id
    session.add(stored)
    await session.flush()


async def post_digest_in(conversation_id: str, *, session: AsyncSession) -> bool:
    """Post the managers' digest in this conversation from now on; False if it is unknown."""
    conversation = (
        await session.exec(
            select(Conversation).where(col(Conversation.conversation_id) == conversation_id)
        )
    ).first()
    if conversation is None:
        return False
    conversation.digest = True
    session.add(conversation)
    await session.flush()
    return True


async def person_by_id(person_id: int, *, session: AsyncSession) -> Person | None:
    return await session.get(Person, person_id)


async def conversation_by_id(conversation_id: int, *, session: AsyncSession) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def mark_unreachable(person_id: int, *, session: AsyncSession) -> Person | None:
    """The person blocked or removed the bot: recorded once, from the first refusal on."""
    person = await session.get(Person, person_id)
    if person is not None and person.unreachable_since is None:
        person.unreachable_since = utcnow()
        session.add(person)
    return person
