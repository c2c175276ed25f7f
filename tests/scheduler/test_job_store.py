"""APScheduler's persistent job store: a downtime over a step's time gives one catch-up run."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import func, select

from scheduler import timetable
from scheduler.runner import job_store, plan
from storage.db import SessionFactory
from storage.models import CycleRun, OutboxMessage
from tests.support.polling import eventually
from tests.support.portfolio import Portfolio

HELSINKI = ZoneInfo("Europe/Helsinki")


class _Scheduler(AsyncIOScheduler):  # type: ignore[misc]
    """The bot's scheduler setup, counting the job runs it has started and not finished."""

    def __init__(self, database_url: str) -> None:
        super().__init__(
            jobstores={"default": job_store(database_url)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=HELSINKI,
        )
        self.runs_going = 0
        self.add_listener(self._count, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _count(self, event: JobEvent) -> None:
        self.runs_going += 1 if event.code == EVENT_JOB_SUBMITTED else -1


def _scheduler(database_url: str) -> _Scheduler:
    return _Scheduler(database_url)


async def _settle(scheduler: _Scheduler) -> None:
    """Wait until the started scheduler has run what is due: no job left whose time has
    come, and no run still going. A fixed sleep was too short when the machine was busy,
    and shutting down then cancelled the catch-up run halfway."""

    def due() -> list[str]:
        now = datetime.now(HELSINKI)  # the frozen time the scheduler also reads
        return [job.id for job in scheduler.get_jobs() if job.next_run_time <= now]

    await eventually(
        lambda: not due() and scheduler.runs_going == 0,
        within=30.0,
        every=0.01,
        what=lambda: f"still due {due()}, {scheduler.runs_going} running",
    )


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
    cycle_world: Portfolio,
) -> None:
    prompt = timetable.cycle_steps("2027-04", timetable.CycleSettings())[0]
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
