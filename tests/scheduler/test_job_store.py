"""APScheduler's persistent job store: a downtime over a step's time gives one catch-up run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import time_machine
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import func, select

from scheduler import cycle
from scheduler.runner import plan, sync_url
from storage.db import SessionFactory
from storage.models import CycleRun, OutboxMessage
from tests.scheduler.test_cycle_schedule import HELSINKI, cycle_world  # noqa: F401 (fixture)
from tests.support.portfolio import Portfolio


def _scheduler(database_url: str) -> AsyncIOScheduler:
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=sync_url(database_url))},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=HELSINKI,
    )


async def _settle(scheduler: AsyncIOScheduler) -> None:
    """Give the started scheduler time to run what is due."""
    del scheduler
    await asyncio.sleep(0.5)


async def _counts(sessions: SessionFactory) -> tuple[int, int]:
    async with sessions() as session:
        runs = (
            await session.exec(
                select(func.count()).select_from(CycleRun).where(CycleRun.kind == "prompt")
            )
        ).one()
        prompts = (
            await session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == "prompt")
            )
        ).one()
    return int(runs), int(prompts)


async def test_a_downtime_over_the_prompt_gives_one_catch_up_run(
    database_url: str,
    sessions: SessionFactory,
    cycle_world: Portfolio,  # noqa: F811
) -> None:
    prompt = cycle.cycle_steps("2027-04", cycle.CycleSettings())[0]
    before, after = (
        prompt.moment(HELSINKI) - timedelta(hours=1),
        prompt.moment(HELSINKI) + timedelta(hours=2),
    )

    with time_machine.travel(before, tick=False):
        first = _scheduler(database_url)
        first.start()
        await plan(first, now=before)
        assert first.get_job(prompt.job_id) is not None, "the job is persisted"
        first.shutdown(wait=False)  # the bot goes down before 09:00

    for _restart in range(2):  # it comes back after 09:00, and restarts once more
        with time_machine.travel(after, tick=False):
            again = _scheduler(database_url)
            again.start()
            await plan(again, now=after)
            await _settle(again)
            again.shutdown(wait=False)
    assert await _counts(sessions) == (1, 2), "one catch-up run: one step, two prompts"
