"""The cycle on the bot's event loop: leadership, APScheduler and the dispatcher.

Only the replica holding the ``cycle`` lease runs the scheduler and the dispatcher. It
renews the lease every ``RENEW`` seconds; if it dies, another replica takes over once
the lease expires (``TTL``, 20 s), in a new epoch (``storage.lease``). The dispatcher
sends under the epoch it was started in, so a leader that wakes after its lease moved
sends nothing, and the new leader takes the old one's claims at once.

An admin's command may reach any replica, and only the leader schedules. So each round
the leader also looks at when the cycle's settings last changed (``updated_at``): a
``cycle set``, ``pause`` or ``resume`` made on another replica re-plans the schedule
here within ``RENEW`` seconds. (The dispatcher reads the pause switch before each post.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError

from scheduler import jobs, timetable
from scheduler.calendar import next_period, period_of
from scheduler.dispatcher import Dispatcher
from storage import cycle_store, lease
from storage.db import write_transaction
from storage.lease import Hold
from storage.models import utcnow

log = logging.getLogger(__name__)
LEASE = "cycle"
TTL = timedelta(seconds=20)  # a dead leader is replaced within TTL + RENEW < 30 s
RENEW = 2.0  # also how soon the leader sees a settings change made on another replica
CATCH_UP_WITHIN = timedelta(days=3)
PLANNER_JOB = "cycle:planner"
PRUNE_JOB = "housekeeping:claims"


JOB_STORE_ATTEMPTS = 20


def sync_url(url: str) -> str:
    """APScheduler's job store is synchronous: the same database through a sync driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}[parsed.get_backend_name()]
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def job_store(url: str) -> SQLAlchemyJobStore:
    """APScheduler's persistent store in the bot's database.

    Its calls run on the event loop; on SQLite a write that waited for the lock would
    stall every turn, so it gives up quickly and APScheduler retries later.
    """
    options = {"connect_args": {"timeout": 0.5}} if url.startswith("sqlite") else {}
    return SQLAlchemyJobStore(url=sync_url(url), engine_options=options)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def plan(scheduler: AsyncIOScheduler, now: datetime | None = None) -> None:
    """(Re)schedule this and next period's steps; catch up a recently missed one once."""
    rt = jobs.runtime()
    now = now or utcnow()
    current = period_of(now, rt.zone)
    async with write_transaction(rt.sessions) as session:
        settings = cycle_store.settings_of(await cycle_store.load_config(session=session))
        done = {
            (run.period, run.kind)
            for period in (current, next_period(current))
            for run in await cycle_store.runs(period, session=session)
        }
        planned: list[tuple[timetable.Step, datetime]] = []
        # the job store writes the same SQLite file: touched after this unit lets go of it
        done_jobs: list[str] = []
        for period in (current, next_period(current)):
            steps = timetable.cycle_steps(period, settings)
            past = [s for s in steps if s.moment(rt.zone) <= now]
            latest_past = past[-1] if past else None
            for step in steps:
                moment = step.moment(rt.zone)
                if (step.period, step.kind) in done:
                    done_jobs.append(step.job_id)
                    continue
                if moment > now:
                    planned.append((step, moment))
                elif step.kind == timetable.CLOSE or (
                    step is latest_past and now - moment <= CATCH_UP_WITHIN
                ):
                    planned.append((step, now))  # missed while down: caught up once, now
                else:
                    await cycle_store.mark_run(step.period, step.kind, "missed", session=session)
                    done_jobs.append(step.job_id)
    for job_id in done_jobs:
        await _in_job_store(_remove, scheduler, job_id)
    for step, moment in planned:
        await _in_job_store(
            scheduler.add_job,
            jobs.fire_step,
            "date",
            run_date=moment,
            args=[step.period, step.kind],
            id=step.job_id,
            replace_existing=True,
        )
    log.info("cycle planned: %d steps ahead", len(planned))


async def _in_job_store(action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """A change to APScheduler's store, which on SQLite writes the bot's own file from the
    event loop. While a write unit of this loop (a step that fired, a save) holds the write
    lock, the store's write gives up (``job_store``), so it is tried again after the loop
    has let that unit finish, a bounded number of times."""
    for attempt in range(1, JOB_STORE_ATTEMPTS + 1):
        try:
            action(*args, **kwargs)
            return
        except OperationalError:
            if attempt == JOB_STORE_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)


def _remove(scheduler: AsyncIOScheduler, job_id: str) -> None:
    with contextlib.suppress(JobLookupError):  # nothing to remove
        scheduler.remove_job(job_id)


async def replan() -> None:
    """The daily planner job (APScheduler stores it by its module path: a function here)."""
    if _current is not None and _current.scheduler is not None:
        await plan(_current.scheduler)


_current: CycleRunner | None = None


@dataclass
class CycleRunner:
    database_url: str
    dispatcher: Dispatcher
    worker: str = field(default_factory=worker_id)
    scheduler: AsyncIOScheduler | None = None
    hold: Hold | None = None
    _planned_for: datetime | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _dispatch_stop: asyncio.Event | None = None
    _dispatch_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        global _current
        _current = self
        self._task = asyncio.create_task(self._lead(), name="cycle-leadership")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        await self._step_down()
        await lease.release(LEASE, self.worker, sessions=jobs.runtime().sessions)

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    async def replan(self) -> None:
        """Re-plan the cycle's steps now, if this replica leads (after a settings change)."""
        if self.scheduler is not None:
            await plan(self.scheduler)

    async def _lead(self) -> None:
        while not self._stop.is_set():
            await self.round()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=RENEW)

    async def round(self) -> None:
        """Renew or take the lease; lead, hand over, or re-plan after a settings change."""
        sessions = jobs.runtime().sessions
        try:
            hold = await lease.acquire(LEASE, self.worker, TTL, sessions=sessions)
        except Exception:  # a database outage: step down, try again later
            log.exception("could not renew the cycle lease")
            hold = None
        try:
            if hold is not None and self.leading and (hold != self.hold or self.dispatcher.fenced):
                # the lease lapsed and was taken again: what was sent under the old epoch
                # is fenced off, so start over under the new one
                await self._step_down()
            if hold is not None and not self.leading:
                await self._become_leader(hold)
            elif hold is None and self.leading:
                await self._step_down()
            elif hold is not None:
                await self._replan_if_changed()
        except Exception:  # for example a locked SQLite job store: try again next round
            log.exception("could not take up or hand over the cycle; retrying")
            await self._step_down()

    async def _changed_at(self) -> datetime | None:
        async with jobs.runtime().sessions() as session:
            return await cycle_store.config_changed_at(session=session)

    async def _replan_if_changed(self) -> None:
        """Re-plan when an admin changed the cycle on any replica since the last plan."""
        changed = await self._changed_at()
        if changed != self._planned_for and self.scheduler is not None:
            log.info("the cycle's settings changed at %s: re-planning", changed)
            self._planned_for = changed
            await plan(self.scheduler)

    async def _become_leader(self, hold: Hold) -> None:
        log.info("%s leads the cycle (epoch %d)", self.worker, hold.epoch)
        rt = jobs.runtime()
        scheduler = AsyncIOScheduler(
            jobstores={"default": job_store(self.database_url)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=rt.zone,
        )
        scheduler.start()
        self.scheduler = scheduler
        self.hold = hold
        scheduler.add_job(replan, "cron", hour=0, minute=5, id=PLANNER_JOB, replace_existing=True)
        scheduler.add_job(
            jobs.prune_claims, "cron", hour=3, minute=30, id=PRUNE_JOB, replace_existing=True
        )
        self._planned_for = await self._changed_at()
        await plan(scheduler)
        self.dispatcher.hold = hold
        self._dispatch_stop = asyncio.Event()
        self._dispatch_task = asyncio.create_task(
            self.dispatcher.run(self._dispatch_stop), name="outbox-dispatcher"
        )

    async def _step_down(self) -> None:
        if self._dispatch_stop is not None and self._dispatch_task is not None:
            self._dispatch_stop.set()
            await self._dispatch_task
            self._dispatch_task = None
        self.hold = None
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            log.info("%s no longer leads the cycle", self.worker)
