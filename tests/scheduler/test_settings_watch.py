"""An admin's command reaches one replica; the leader's schedule follows within a round.

``cycle set``, ``pause cycle`` and ``resume cycle`` write the cycle's settings on
whichever replica got the message, and only the leader schedules. The leader looks at
when the settings last changed each time it renews its lease (``runner.RENEW``), so here
the change is made in the database, as a replica that does not lead makes it, and the
leader's own loop is left to notice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import col, select

from scheduler import jobs, runner
from scheduler.dispatcher import Dispatcher
from storage import cycle_store
from storage.db import SessionFactory
from storage.models import OutboxMessage
from tests.support.polling import eventually
from tests.support.portfolio import create_portfolio

HELSINKI = ZoneInfo("Europe/Helsinki")
PROMPT_JOB = "cycle:2027-04:prompt"
APRIL_PROMPT = datetime(2027, 4, 1, 6, 0, tzinfo=UTC)  # 09:00 in Helsinki


class _NoSend:
    async def send(self, message: OutboxMessage, pace: object) -> str | None:
        raise AssertionError("nothing is dispatched in these tests")


@pytest.fixture
async def leader(
    database_url: str, sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[runner.CycleRunner]:
    monkeypatch.setattr(runner, "RENEW", 0.1)
    async with sessions() as session, session.begin():
        await create_portfolio(session)
    jobs.install(jobs.Runtime(sessions=sessions, zone=HELSINKI))
    replica = runner.CycleRunner(
        database_url, Dispatcher(sessions, _NoSend(), worker="leader"), worker="leader"
    )
    try:
        yield replica
    finally:
        await replica.stop()
        jobs.install(None)


async def change(sessions: SessionFactory, **values: object) -> None:
    """What ``cycle set`` or ``pause``/``resume`` write, on a replica that does not lead."""
    async with sessions() as session, session.begin():
        config = await cycle_store.load_config(session=session)
        for name, value in values.items():
            setattr(config, name, value)
        await cycle_store.save_config(config, by=None, session=session)


async def until(check: Callable[[], bool | Awaitable[bool]]) -> None:
    await eventually(check, within=10.0, every=0.05, what="the leader did not follow the change")


def test_the_leader_looks_for_changes_within_five_seconds() -> None:
    assert runner.RENEW <= 5.0


async def test_a_setting_changed_on_another_replica_replans_the_leader(
    sessions: SessionFactory, leader: runner.CycleRunner
) -> None:
    with time_machine.travel(datetime(2027, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        await leader.start()
        await until(lambda: leader.scheduler is not None)

        def prompt_at() -> datetime | None:
            job = leader.scheduler.get_job(PROMPT_JOB) if leader.scheduler else None
            return job.trigger.run_date if job else None

        await until(lambda: prompt_at() == APRIL_PROMPT)
        await change(sessions, send_time="08:15", prompt_working_day=2)
        await until(lambda: prompt_at() == datetime(2027, 4, 2, 5, 15, tzinfo=UTC))


async def test_resume_on_another_replica_catches_up_the_step_skipped_while_paused(
    sessions: SessionFactory, leader: runner.CycleRunner
) -> None:
    await change(sessions, paused=True)
    with time_machine.travel(APRIL_PROMPT + timedelta(hours=1), tick=False):
        await leader.start()
        await until(lambda: leader.scheduler is not None)
        # the prompt, an hour late, is caught up at once: it finds the cycle paused
        await until(lambda: leader.scheduler is None or not _has(leader, PROMPT_JOB))
        assert await prompts(sessions) == 0
        await change(sessions, paused=False)
        await until(lambda: _some_prompts(sessions))


def _has(leader: runner.CycleRunner, job_id: str) -> bool:
    return leader.scheduler is not None and leader.scheduler.get_job(job_id) is not None


async def prompts(sessions: SessionFactory) -> int:
    async with sessions() as session:
        rows = await session.exec(
            select(OutboxMessage.id).where(col(OutboxMessage.kind) == "prompt")
        )
        return len(rows.all())


async def _some_prompts(sessions: SessionFactory) -> bool:
    return await prompts(sessions) > 0
