"""Only one replica schedules and dispatches; another takes over when the leader dies."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduler import jobs, runner
from scheduler.dispatcher import Dispatcher
from storage import lease
from storage.db import SessionFactory
from storage.models import OutboxMessage, utcnow


async def test_the_lease_has_one_holder_until_it_expires(sessions: SessionFactory) -> None:
    ttl = timedelta(seconds=20)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        assert await lease.acquire("cycle", "a", ttl, sessions=sessions)
        assert not await lease.acquire("cycle", "b", ttl, sessions=sessions)
        assert await lease.acquire("cycle", "a", ttl, sessions=sessions), "the holder renews"
    with time_machine.travel(start + timedelta(seconds=19), tick=False):
        assert not await lease.acquire("cycle", "b", ttl, sessions=sessions)
    with time_machine.travel(start + timedelta(seconds=21), tick=False):  # a stopped renewing
        assert await lease.acquire("cycle", "b", ttl, sessions=sessions)
        assert not await lease.acquire("cycle", "a", ttl, sessions=sessions)
        await lease.release("cycle", "b", sessions=sessions)
        assert await lease.acquire("cycle", "a", ttl, sessions=sessions), "a released lease is free"


class _NoSend:
    async def send(self, message: OutboxMessage) -> str | None:
        raise AssertionError("nothing is queued in this test")


async def test_a_second_replica_takes_over_when_the_leader_dies(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "TTL", timedelta(seconds=1.5))
    monkeypatch.setattr(runner, "RENEW", 0.3)
    jobs.install(jobs.Runtime(sessions=sessions, zone=ZoneInfo("Europe/Helsinki")))
    replicas = [
        runner.CycleRunner(database_url, Dispatcher(sessions, _NoSend(), worker=name), worker=name)
        for name in ("replica-a", "replica-b")
    ]
    try:
        loop = asyncio.get_running_loop()
        await replicas[0].start()
        deadline = loop.time() + 30  # a busy machine takes its time; the order is the point
        while not replicas[0].leading:
            assert loop.time() < deadline, "the first replica never took the lease"
            await asyncio.sleep(0.01)
        await replicas[1].start()
        await asyncio.sleep(0.5)  # its first try for the lease, which must fail
        assert [r.leading for r in replicas] == [True, False]
        first, second = replicas
        assert first.scheduler is not None
        daily = {job.id for job in first.scheduler.get_jobs()}
        assert {runner.PLANNER_JOB, runner.PRUNE_JOB} <= daily
        # the leader dies without releasing its lease: its loop stops renewing
        assert first._task is not None
        first._task.cancel()
        await first._step_down()
        started = loop.time()
        while not second.leading and loop.time() - started < 5:
            await asyncio.sleep(0.1)
        assert second.leading, "the other replica took over"
        assert loop.time() - started < 1.5 + 0.3 + 0.5
    finally:
        await replicas[1].stop()
        jobs.install(None)
