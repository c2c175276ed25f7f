"""Only one replica schedules and dispatches; another takes over when the leader dies."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduler import jobs, runner
from scheduler.dispatcher import Dispatcher
from storage import lease
from storage.db import SessionFactory
from storage.models import OutboxMessage, utcnow
from tests.support.polling import eventually


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
    async def send(self, message: OutboxMessage, pace: object) -> str | None:
        raise AssertionError("nothing is queued in this test")


@dataclass(frozen=True)
class _Try:
    """One replica's try for the lease: between ``started`` and ``ended`` (UTC)."""

    holder: str
    started: datetime
    ended: datetime
    hold: lease.Hold | None
    finished: bool  # False: cancelled or failed on the way, so it may have renewed


def _record_tries(monkeypatch: pytest.MonkeyPatch) -> list[_Try]:
    """Every replica's tries for the lease, in the order they ended."""
    tries: list[_Try] = []
    acquire = lease.acquire

    async def recorded(
        name: str, holder: str, ttl: timedelta, *, sessions: SessionFactory
    ) -> lease.Hold | None:
        started, hold, finished = utcnow(), None, False
        try:
            hold = await acquire(name, holder, ttl, sessions=sessions)
            finished = True
            return hold
        finally:
            tries.append(_Try(holder, started, utcnow(), hold, finished))

    monkeypatch.setattr(lease, "acquire", recorded)
    return tries


async def test_a_second_replica_takes_over_when_the_leader_dies(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ttl = timedelta(seconds=1.5)
    monkeypatch.setattr(runner, "TTL", ttl)
    monkeypatch.setattr(runner, "RENEW", 0.3)
    tries = _record_tries(monkeypatch)
    jobs.install(jobs.Runtime(sessions=sessions, zone=ZoneInfo("Europe/Helsinki")))
    replicas = [
        runner.CycleRunner(database_url, Dispatcher(sessions, _NoSend(), worker=name), worker=name)
        for name in ("replica-a", "replica-b")
    ]
    first, second = replicas

    def tries_of(holder: str) -> list[_Try]:
        return [t for t in tries if t.holder == holder and t.finished]

    try:
        # a busy machine takes its time; the order is the point
        await first.start()
        await eventually(lambda: first.leading, within=30, what="the first replica never led")
        await second.start()
        await eventually(
            lambda: bool(tries_of("replica-b")), within=30, what="the second never tried"
        )
        assert [t.hold for t in tries_of("replica-b")] == [None], "its first try must fail"
        assert [r.leading for r in replicas] == [True, False]
        assert first.scheduler is not None
        daily = {job.id for job in first.scheduler.get_jobs()}
        assert {runner.PLANNER_JOB, runner.PRUNE_JOB} <= daily
        # the leader dies without releasing its lease: its loop stops renewing
        assert first._task is not None
        first._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first._task
        await first._step_down()
        await eventually(lambda: second.leading, within=30, what="the other never took over")
    finally:
        await second.stop()
        jobs.install(None)
    # The leader's lease ran from its last renewal (somewhere in that try) for the TTL;
    # the other replica took it once it had run out, and at its first try after that.
    leaders = [t for t in tries if t.holder == "replica-a" and (t.hold or not t.finished)]
    valid_until = max(t.started for t in leaders if t.hold is not None) + ttl
    gone_by = max(t.ended for t in leaders) + ttl
    taken = next(t for t in tries_of("replica-b") if t.hold is not None)
    assert taken.ended >= valid_until, "taken while the leader's lease was still valid"
    refused = [t for t in tries_of("replica-b") if t.hold is None and t.started >= gone_by]
    assert not refused, "refused the lease after the leader's had run out"
