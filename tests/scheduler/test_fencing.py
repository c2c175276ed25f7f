"""The fenced lease: a leader that lost the lease posts nothing more, and a pause holds
every send that has not reached Teams yet.

The prompts are real status cards, sent by the real ``BotSender`` to a ``LimitedConnector``
that records what Teams would have shown. A wrapper around the sender stands in for the
moments that matter: the k-th post returning (an admin pauses then), or a leader frozen
before its next post (a stop-the-world pause, SIGSTOP) while the lease moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update
from sqlmodel import col, select

from bot.proactive import BotSender, on_unreachable
from scheduler.dispatcher import Dispatcher, Pace, RetryPolicy
from storage import cycle_store, db, lease
from storage.db import SessionFactory
from storage.models import Lease, OutboxAttempt, OutboxMessage, OutboxStatus, utcnow
from tests.support.dispatch_worker import Seeded, make_sender, seed_prompts, settings_for
from tests.support.polling import eventually
from tests.support.teams_limits import LimitedConnector, tally

POLICY = RetryPolicy(base_seconds=0.05, cap_seconds=0.5, max_attempts=10)
TTL = timedelta(seconds=20)


@pytest.fixture
async def teams() -> AsyncIterator[LimitedConnector]:
    connector = LimitedConnector()
    await connector.start()
    yield connector
    await connector.close()


@pytest.fixture
async def sender(database_url: str, sessions: SessionFactory) -> AsyncIterator[BotSender]:
    sender = make_sender(settings_for(database_url), sessions, client_timeout=2.0)
    yield sender
    await sender.adapter.close()


class Around:
    """The real sender, with something done before a chosen send or after a chosen post."""

    def __init__(self, inner: BotSender) -> None:
        self.inner = inner
        self.started = 0
        self.posted = 0
        self.before: dict[int, Callable[[], Awaitable[None]]] = {}  # n-th send started
        self.checked: dict[int, Callable[[], Awaitable[None]]] = {}  # its pace() passed
        self.after: dict[int, Callable[[], Awaitable[None]]] = {}  # n-th post returned

    async def send(self, message: OutboxMessage, pace: Pace) -> str | None:
        self.started += 1
        hook = self.before.get(self.started)
        if hook is not None:
            await hook()
        checked = self.checked.get(self.started)
        sent = await self.inner.send(message, pace if checked is None else _Then(pace, checked))
        self.posted += 1
        hook = self.after.get(self.posted)
        if hook is not None:
            await hook()
        return sent


class _Then:
    """A pace that does something once its checks have passed, before the post."""

    def __init__(self, pace: Pace, then: Callable[[], Awaitable[None]]) -> None:
        self._pace = pace
        self._then = then

    async def __call__(self) -> None:
        await self._pace()
        await self._then()

    def confirm(self) -> None:
        self._pace.confirm()


class Clock:
    """``time.monotonic``, which a test can move on as a stopped process would see it."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


async def seed(sessions: SessionFactory, teams: LimitedConnector, people: int) -> Seeded:
    async with sessions() as session, session.begin():
        return await seed_prompts(session, teams.url, people=people)


async def set_paused(sessions: SessionFactory, paused: bool) -> None:
    async with sessions() as session, session.begin():
        config = await cycle_store.load_config(session=session)
        config.paused = paused
        await cycle_store.save_config(config, by=None, session=session)


async def statuses(sessions: SessionFactory) -> Counter[str]:
    async with sessions() as session:
        return Counter(str(s) for s in (await session.exec(select(OutboxMessage.status))).all())


def dispatcher(
    sessions: SessionFactory, sender: object, worker: str, concurrency: int
) -> Dispatcher:
    return Dispatcher(
        sessions,
        sender,  # type: ignore[arg-type]
        worker=worker,
        policy=POLICY,
        concurrency=concurrency,
        on_unreachable=on_unreachable,
    )


# The lease's epochs ----------------------------------------------------------------------
async def test_the_lease_starts_a_new_epoch_whenever_it_is_taken(sessions: SessionFactory) -> None:
    start = utcnow()
    with time_machine.travel(start, tick=False):
        first = await lease.acquire("cycle", "a", TTL, sessions=sessions)
        assert first is not None
        assert await lease.acquire("cycle", "a", TTL, sessions=sessions) == first, "renewed"
        assert await lease.acquire("cycle", "b", TTL, sessions=sessions) is None
        async with sessions() as session:
            assert await lease.holds(first, session=session)
    with time_machine.travel(start + timedelta(seconds=21), tick=False):
        taken = await lease.acquire("cycle", "b", TTL, sessions=sessions)
        assert taken is not None and taken.epoch == first.epoch + 1
        async with sessions() as session:
            assert not await lease.holds(first, session=session)
            assert await lease.holds(taken, session=session)
    with time_machine.travel(start + timedelta(seconds=42), tick=False):
        # b slept through its lease; nobody took it, but b comes back in a new epoch
        again = await lease.acquire("cycle", "b", TTL, sessions=sessions)
        assert again is not None and again.epoch == taken.epoch + 1
        async with sessions() as session:
            assert not await lease.holds(taken, session=session)


# A leader that wakes after its lease moved ---------------------------------------------------
@pytest.mark.parametrize(
    ("concurrency", "frozen_at"),
    [
        (1, "before its check"),
        (4, "before its check"),
        (1, "after its check"),
        (4, "after its check"),
    ],
)
async def test_a_leader_woken_after_the_lease_moved_sends_nothing_and_its_claims_go_on_at_once(
    sessions: SessionFactory,
    teams: LimitedConnector,
    sender: BotSender,
    concurrency: int,
    frozen_at: str,
) -> None:
    """Frozen before the check, the check finds the lease gone; frozen between the check
    and the post, the last look at the clock finds the lease run out."""
    seeded = await seed(sessions, teams, people=24)
    old_hold = await lease.acquire("cycle", "old", TTL, sessions=sessions)
    assert old_hold is not None
    frozen = asyncio.Event()
    wake = asyncio.Event()

    async def freeze() -> None:  # the old leader stops dead before its 7th send and on
        frozen.set()
        await wake.wait()

    old_sender = Around(sender)
    hooks = old_sender.before if frozen_at == "before its check" else old_sender.checked
    hooks.update({n: freeze for n in range(7, 7 + concurrency)})
    old = dispatcher(sessions, old_sender, "old", concurrency)
    old.hold = old_hold
    old.clock = clock = Clock()
    stop_old = asyncio.Event()
    running = asyncio.create_task(old.run(stop_old, idle_seconds=0.05))
    await asyncio.wait_for(frozen.wait(), 20)
    await eventually(lambda: _sent(sessions, 6), within=20.0)  # what it posted before, it recorded
    async with sessions() as session:
        held = (
            await session.exec(
                select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.in_flight)
            )
        ).all()
    assert 1 <= len(held) <= concurrency, "claims never outnumber the sends in flight"

    # the lease expires while the old leader is frozen; another replica takes it
    clock.skipped = (TTL + timedelta(seconds=1)).total_seconds()
    with time_machine.travel(utcnow() + TTL + timedelta(seconds=1)):
        new_hold = await lease.acquire("cycle", "new", TTL, sessions=sessions)
        assert new_hold is not None and new_hold.epoch == old_hold.epoch + 1
        new = dispatcher(sessions, sender, "new", concurrency)
        new.hold = new_hold
        # the old leader's claims are taken at once, not after a claim timeout
        await eventually(lambda: _drained(new, sessions), within=20.0)
        wake.set()
        stop_old.set()
        await asyncio.wait_for(running, 20)

    assert old.fenced, "the woken leader found the lease gone"
    counted = tally(teams.deliveries, teams.attempts, seeded.expected)
    assert (counted.delivered, counted.lost, counted.duplicated) == (24, 0, 0)
    assert await statuses(sessions) == {"sent": 24}
    async with sessions() as session:
        sent = Counter(
            (a.worker, a.epoch)
            for a in (
                await session.exec(
                    select(OutboxAttempt).where(col(OutboxAttempt.outcome) == "sent")
                )
            ).all()
        )
    assert sent == {("old", old_hold.epoch): 6, ("new", new_hold.epoch): 18}


async def _drained(dispatcher: Dispatcher, sessions: SessionFactory) -> bool:
    await dispatcher.run_once()
    return await _sent(sessions, 24)


async def _sent(sessions: SessionFactory, count: int) -> bool:
    return (await statuses(sessions)).get("sent", 0) == count


# A pause ---------------------------------------------------------------------------------
@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_pause_stops_the_fan_out_within_one_post_and_resume_sends_the_rest_once(
    sessions: SessionFactory,
    teams: LimitedConnector,
    sender: BotSender,
    concurrency: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Enough people that the pause lands with most of them still to send: on a busy
    # machine the senders post twenty or more cards while the pause is being saved.
    people = 60
    seeded = await seed(sessions, teams, people=people)
    paused_after = 5
    posted_by_then: list[int] = []

    async def pause() -> None:  # an admin pauses as the 5th card lands
        await set_paused(sessions, True)
        posted_by_then.append(counting.posted)  # the posts made by the time it was saved

    counting = Around(sender)
    counting.after[paused_after] = pause
    fan_out = dispatcher(sessions, counting, "leader", concurrency)
    stop = asyncio.Event()
    # A claim whose check passed just before the pause was saved still takes its rows, and
    # gives them back at their send's check. The fan-out has settled once a claim begun
    # after the pause was saved has come back empty (the loop claims one batch at a time,
    # so no such claim is still under way) and no row is in flight.
    refused_after_pause = 0
    claim = fan_out._claim

    async def counted_claim(limit: int) -> list[OutboxMessage]:
        nonlocal refused_after_pause
        after_pause = bool(posted_by_then)
        claimed = await claim(limit)
        refused_after_pause += after_pause and not claimed
        return claimed

    monkeypatch.setattr(fan_out, "_claim", counted_claim)
    running = asyncio.create_task(fan_out.run(stop, idle_seconds=0.05))

    async def settled() -> bool:
        now = await statuses(sessions)
        return refused_after_pause > 0 and not now.get("in_flight")

    await eventually(settled, within=20.0)
    held = len(teams.deliveries)
    # Once the pause is saved, each of the other senders posts at most the one send that
    # had passed its check before; nothing else. The senders go on while the pause is
    # being written (on a busy machine for several posts), so the bound counts from when
    # it was saved, not from when the admin asked.
    [saved_after] = posted_by_then
    assert paused_after <= saved_after <= held <= saved_after + concurrency - 1
    assert held < people, "the pause was saved only after every card was sent"
    assert await statuses(sessions) == Counter({"sent": held, "pending": people - held})
    async with sessions() as session:
        attempts = (await session.exec(select(OutboxAttempt))).all()
    assert len(attempts) == held, "a held message was not attempted"

    await set_paused(sessions, False)
    await eventually(lambda: _sent(sessions, people), within=20.0)
    stop.set()
    await running
    counted = tally(teams.deliveries, teams.attempts, seeded.expected)
    assert (counted.delivered, counted.lost, counted.duplicated) == (people, 0, 0)


# A leader stopped inside a transaction -------------------------------------------------------
async def test_a_leader_stopped_inside_a_transaction_does_not_hold_up_the_takeover(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frozen between renewing the lease and committing, a leader would keep the lease
    row locked for as long as it is stopped; PostgreSQL ends its session instead."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer and no sessions to end: a PostgreSQL setting")
    monkeypatch.setattr(db, "IDLE_IN_TRANSACTION", timedelta(seconds=1), raising=False)
    engine = db.create_engine(database_url)
    sessions = db.session_factory(engine)
    try:
        first = await lease.acquire("cycle", "frozen", timedelta(seconds=0.5), sessions=sessions)
        assert first is not None
        frozen = sessions()
        await frozen.begin()
        await frozen.exec(
            update(Lease).values(expires_at=utcnow() + TTL)  # its renewal, never committed
        )
        with time_machine.travel(utcnow() + timedelta(seconds=1)):  # its lease has run out
            taken = await asyncio.wait_for(
                lease.acquire("cycle", "next", TTL, sessions=sessions), timeout=15
            )
        assert taken is not None and taken.epoch == first.epoch + 1
        with contextlib.suppress(Exception):  # its connection was ended by the server
            await frozen.close()
    finally:
        await engine.dispose()
