"""The outbox dispatcher as the app runs it, for fault, crash and fan-out tests.

* ``seed_prompts``: people with a personal conversation whose reference points at a
  connector, a started project each (or several), and the cycle's prompt in the outbox,
  so the real ``BotSender`` builds the real status card;
* ``make_sender``: the real ``BotSender`` on the bot's real adapter, either bare
  (``bot.adapter.create_adapter``) or wired exactly as ``app.create_app`` wires it;
* ``drain``: run the dispatcher until the outbox holds nothing pending or in flight.

``python -m tests.support.dispatch_worker --database-url URL --worker NAME`` is one
dispatcher process: it prints ``ready`` once built, drains the outbox and exits 0.
``--claim-timeout`` shortens ``storage.outbox.CLAIM_TIMEOUT`` in that process, so a
test can kill a worker and see its claims taken over within seconds; ``--tenant-rate``
gives it a share of the tenant's budget (each process paces on its own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import ClientTimeout
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.adapter import RoadmapAdapter, create_adapter
from bot.context import Services
from bot.proactive import BotSender, on_unreachable
from scheduler import ratelimit, timetable
from scheduler.dispatcher import Dispatcher, RetryPolicy
from settings import Settings
from storage import outbox
from storage.db import SessionFactory, create_engine, session_factory
from storage.models import (
    Conversation,
    ConversationKind,
    OutboxAttempt,
    OutboxMessage,
    Person,
    Role,
    utcnow,
)
from storage.outbox import NewMessage
from tests.support.activities import BOT, TENANT
from tests.support.portfolio import CURRENT_PERIOD, plain_project

log = logging.getLogger("dispatch_worker")


# Seeding -----------------------------------------------------------------------------------
def conversation_reference(
    conversation_id: str, user: ChannelAccount, service_url: str, locale: str = "en-US"
) -> dict[str, Any]:
    """What the bot stores from a personal chat: ``ConversationReference.serialize()``."""
    reference = ConversationReference(
        activity_id=f"{conversation_id}-first",
        user=user,
        bot=ChannelAccount(id=BOT["id"], name=BOT["name"]),
        conversation=ConversationAccount(
            id=conversation_id, conversation_type="personal", tenant_id=TENANT
        ),
        channel_id="msteams",
        locale=locale,
        service_url=service_url,
    )
    serialized: dict[str, Any] = reference.serialize()
    return serialized


@dataclass
class Seeded:
    """What was queued: outbox id -> the connector's dedupe key, and who is who."""

    keys: dict[int, str]
    people: list[int]  # the owners, in order
    conversations: dict[int, str]  # person id -> Teams conversation id
    admins: list[int]

    @property
    def expected(self) -> set[str]:
        return set(self.keys.values())


async def seed_prompts(
    session: AsyncSession,
    service_url: str,
    *,
    people: int,
    projects_each: int = 1,
    admins: int = 0,
    period: str = CURRENT_PERIOD,
    prefix: str = "fan",
) -> Seeded:
    """``people`` owners with a personal chat and ``projects_each`` started projects; queue the prompts."""
    owners = [
        Person(
            aad_object_id=f"aad-{prefix}-{i}",
            teams_id=f"29:{prefix}-{i}",
            tenant_id=TENANT,
            name=f"Owner {i}",
            role=Role.owner,
        )
        for i in range(people)
    ]
    chiefs = [
        Person(
            aad_object_id=f"aad-{prefix}-admin-{i}",
            teams_id=f"29:{prefix}-admin-{i}",
            tenant_id=TENANT,
            name=f"Admin {i}",
            role=Role.admin,
        )
        for i in range(admins)
    ]
    session.add_all(owners + chiefs)
    await session.flush()
    conversations: dict[int, Conversation] = {}
    for person in owners + chiefs:
        assert person.id is not None and person.teams_id and person.aad_object_id
        cid = f"a:{prefix}-chat-{person.id}"
        user = ChannelAccount(
            id=person.teams_id, name=person.name, aad_object_id=person.aad_object_id
        )
        conversations[person.id] = Conversation(
            conversation_id=cid,
            kind=ConversationKind.personal,
            tenant_id=TENANT,
            person_id=person.id,
            service_url=service_url,
            reference=conversation_reference(cid, user, service_url),
        )
    session.add_all(list(conversations.values()))
    projects = [
        plain_project(f"{prefix.upper()}-{n:05d}-{k}", f"{n}/{k}", owner.id, progress=10)
        for n, owner in enumerate(owners)
        for k in range(projects_each)
    ]
    session.add_all(projects)
    await session.flush()
    messages = []
    for project in projects:
        assert project.owner_id is not None
        conversation = conversations[project.owner_id]
        messages.append(
            NewMessage(
                key=f"{timetable.PROMPT}:{period}:{project.owner_id}:{project.id}",
                kind=timetable.PROMPT,
                period=period,
                person_id=project.owner_id,
                project_id=project.id,
                conversation_id=conversation.id,
                tenant_id=TENANT,
                not_before=utcnow(),
                payload={"as_deputy": False, "owner_id": project.owner_id},
            )
        )
    await outbox.enqueue(messages, session=session)
    rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    ids = {c.id: c.conversation_id for c in conversations.values()}
    keys = {
        row.id: f"{ids[row.conversation_id]}|{row.project_id}|{row.period}"
        for row in rows
        if row.id is not None and row.conversation_id in ids and row.project_id is not None
    }
    return Seeded(
        keys=keys,
        people=[p.id for p in owners if p.id is not None],
        conversations={pid: c.conversation_id for pid, c in conversations.items()},
        admins=[p.id for p in chiefs if p.id is not None],
    )


async def expected_keys(sessions: SessionFactory) -> dict[int, str]:
    """Outbox id -> dedupe key for every prompt in the outbox (for another process's seed)."""
    async with sessions() as session:
        rows = (
            await session.exec(
                select(OutboxMessage, Conversation).where(
                    OutboxMessage.conversation_id == Conversation.id
                )
            )
        ).all()
    return {
        message.id: f"{conversation.conversation_id}|{message.project_id}|{message.period}"
        for message, conversation in rows
        if message.id is not None and message.project_id is not None
    }


# The sender and the dispatcher ---------------------------------------------------------------
def shorten_client_timeout(adapter: RoadmapAdapter, seconds: float) -> None:
    """Make the connector calls give up after ``seconds``: ours, and the SDK's msrest client."""
    adapter.connector.timeout = ClientTimeout(total=seconds)
    authentication = adapter.bot_framework_authentication
    create_factory = authentication.create_connector_factory

    def create_connector_factory(claims: Any) -> Any:
        factory = create_factory(claims)
        create = factory.create

        async def create_client(service_url: str, audience: str | None = None) -> Any:
            client = await create(service_url, audience)
            client.config.connection.timeout = seconds
            return client

        factory.create = create_client
        return factory

    authentication.create_connector_factory = create_connector_factory


def make_sender(
    settings: Settings,
    sessions: SessionFactory,
    *,
    client_timeout: float | None = None,
    app_wiring: bool = False,
) -> BotSender:
    """The real ``BotSender`` on the bot's real adapter.

    ``app_wiring``: the adapter ``app.create_app`` builds (its middleware and
    ``on_turn_error``), which is the one the running app's dispatcher sends with.
    """
    if app_wiring:
        from app import create_app
        from bot.adapter import ADAPTER_KEY

        adapter = create_app(settings)[ADAPTER_KEY]
    else:
        adapter = create_adapter(settings)
    if client_timeout is not None:
        shorten_client_timeout(adapter, client_timeout)
    return BotSender(adapter, Services(settings=settings, sessions=sessions))


def settings_for(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, CYCLE_ENABLED=False, _env_file=None)


async def drain(
    dispatcher: Dispatcher,
    sessions: SessionFactory,
    *,
    timeout: float = 30.0,
    poll: float = 0.02,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """Run dispatcher rounds until nothing is pending or in flight."""
    deadline = time.monotonic() + timeout
    while True:
        claimed = await dispatcher.run_once()
        if progress is not None:
            await progress(claimed)
        if claimed:
            continue
        async with sessions() as session:
            left = await outbox.pending_count(session=session)
        if not left:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{left} outbox messages still pending after {timeout} s")
        await asyncio.sleep(poll)


async def attempts_by_message(sessions: SessionFactory) -> dict[int, list[OutboxAttempt]]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboxAttempt).order_by(col(OutboxAttempt.id)))).all()
    found: dict[int, list[OutboxAttempt]] = {}
    for row in rows:
        found.setdefault(row.message_id, []).append(row)
    return found


# The worker process --------------------------------------------------------------------------
async def _work(args: argparse.Namespace) -> dict[str, Any]:
    outbox.CLAIM_TIMEOUT = timedelta(seconds=args.claim_timeout)
    if args.tenant_rate is not None:
        ratelimit.TENANT_WINDOWS = (ratelimit.Window(args.tenant_rate, 1.0),)
    engine = create_engine(args.database_url)
    sessions = session_factory(engine)
    try:
        sender = make_sender(
            settings_for(args.database_url),
            sessions,
            client_timeout=args.client_timeout,
            app_wiring=args.app_wiring,
        )
        dispatcher = Dispatcher(
            sessions,
            sender,
            worker=args.worker,
            policy=RetryPolicy(base_seconds=args.base, cap_seconds=2.0, max_attempts=10),
            batch=args.batch,
            concurrency=args.concurrency,
            on_unreachable=on_unreachable,
        )
        claimed = 0

        async def count(n: int) -> None:
            nonlocal claimed
            claimed += n

        sys.stdout.write("ready\n")
        sys.stdout.flush()
        try:
            await drain(dispatcher, sessions, timeout=args.timeout, poll=0.05, progress=count)
        finally:
            await sender.adapter.close()
        return {"worker": args.worker, "claimed": claimed}
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One outbox dispatcher process.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--claim-timeout", type=float, default=2.0, help="seconds")
    parser.add_argument("--client-timeout", type=float, default=5.0, help="seconds")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--base", type=float, default=0.05, help="retry backoff base, seconds")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up after, seconds")
    parser.add_argument(
        "--tenant-rate", type=int, help="this process's share of the tenant's 50/s (app: 48)"
    )
    parser.add_argument("--app-wiring", action="store_true", help="the app's adapter")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    summary = asyncio.run(_work(args))
    sys.stdout.write(f"done {json.dumps(summary)}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
