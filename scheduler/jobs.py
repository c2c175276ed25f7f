"""The cycle's jobs: module-level functions that take ids, so APScheduler can persist them.

A job turns a step of the cycle into outbox rows. Each step runs once per period
(guarded by a ``cyclerun`` row), and each message has an idempotency key, so a job
that runs twice, or on two replicas, adds nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler import timetable
from scheduler.calendar import period_of
from storage import activities, cycle_store, outbox
from storage.db import SessionFactory, write_transaction
from storage.models import CycleRun, Person, utcnow
from storage.outbox import NewMessage

log = logging.getLogger(__name__)


class PeriodClosedError(Exception):
    """An admin asked for prompts or reminders of a period that is closed."""


class CyclePausedError(Exception):
    """An admin asked for prompts or reminders while the cycle is paused."""


@dataclass(frozen=True, slots=True)
class Runtime:
    sessions: SessionFactory
    zone: ZoneInfo


_runtime: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Give the jobs their database and time zone (APScheduler persists only ids)."""
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler.jobs.install() has not been called")
    return _runtime


async def fire_step(period: str, kind: str, trigger: str = "schedule") -> int:
    """Run one step of a period's cycle; return how many messages it queued.

    Once the period is closed, a scheduled prompt, reminder or escalation is recorded as
    missed and one asked for by hand raises ``PeriodClosedError``. While the cycle is
    paused a scheduled step does not run (``resume`` catches it up) and one asked for by
    hand raises ``CyclePausedError``: rows queued now would go out in a burst at resume.
    """
    rt = runtime()
    async with write_transaction(rt.sessions) as session:
        config = await cycle_store.load_config(session=session)
        if config.paused:
            if trigger != "schedule":
                raise CyclePausedError(period)
            log.info("cycle paused: step %s of %s not run", kind, period)
            return 0
        asks_for_answers = (
            kind.startswith(timetable.PROMPT)
            or timetable.is_reminder(kind)
            or kind == timetable.ESCALATION
        )
        if asks_for_answers and await cycle_store.is_closed(period, session=session):
            # prompts, reminders and the escalation would only ask for late answers
            if trigger != "schedule":
                raise PeriodClosedError(period)
            if await cycle_store.mark_run(period, kind, "missed", session=session) is not None:
                log.info("period %s is closed: step %s not run", period, kind)
            return 0
        run = await cycle_store.mark_run(period, kind, trigger, session=session)
        if run is None:
            log.info("step %s of %s already ran", kind, period)
            return 0
        settings = cycle_store.settings_of(config)
        step = next((s for s in timetable.cycle_steps(period, settings) if s.kind == kind), None)
        day = step.day if step and trigger == "schedule" else utcnow().astimezone(rt.zone).date()
        messages = await _messages(
            period, kind, day, settings, rt.zone, session=session, now=trigger != "schedule"
        )
        added = await outbox.enqueue(messages, session=session)
        run.messages = added
        session.add(run)
    log.info("step %s of %s (%s): %d messages queued", kind, period, trigger, added)
    return added


async def prune_claims() -> int:
    """The daily housekeeping: replay claims older than a week are forgotten."""
    pruned = await activities.prune(utcnow() - activities.KEEP, sessions=runtime().sessions)
    log.info("pruned %d replay claims", pruned)
    return pruned


async def remind_now(period: str | None = None) -> int:
    """An admin's "remind now": a reminder to everyone who hasn't answered, at once."""
    rt = runtime()
    period = period or period_of(utcnow(), rt.zone)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    return await fire_step(period, f"{timetable.REMINDER_PREFIX}now-{stamp}", trigger="admin")


async def prompt_now(period: str | None = None) -> int:
    """An admin's "prompt now": the status card to every owner who hasn't answered, at once."""
    rt = runtime()
    period = period or period_of(utcnow(), rt.zone)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    return await fire_step(period, f"{timetable.PROMPT}-now-{stamp}", trigger="admin")


async def _messages(
    period: str,
    kind: str,
    day: date,
    settings: timetable.CycleSettings,
    zone: ZoneInfo,
    *,
    session: AsyncSession,
    now: bool,
) -> list[NewMessage]:
    if kind == timetable.CLOSE:
        await cycle_store.close_period(period, session=session)
        return []
    conversations = await cycle_store.personal_conversations(session=session)
    admins = await cycle_store.admins(session=session)

    def at(person_zone: str | None) -> datetime:
        if now:
            return utcnow()
        return timetable.local_send_moment(day, settings.send_time, person_zone, zone)

    def message(
        key: str,
        person_id: int | None,
        project_id: int | None,
        tenant: str | None,
        person_zone: str | None,
        payload: dict[str, object],
        conversation_id: int | None = None,
        message_kind: str | None = None,
    ) -> NewMessage:
        conversation = conversations.get(person_id) if person_id is not None else None
        return NewMessage(
            key=key,
            kind=message_kind or kind,
            period=period,
            person_id=person_id,
            project_id=project_id,
            conversation_id=conversation_id or (conversation.id if conversation else None),
            tenant_id=tenant or (conversation.tenant_id if conversation else None),
            not_before=at(person_zone),
            payload=dict(payload),
        )

    if kind == timetable.DIGEST:
        return [
            message(f"{kind}:{period}:conversation-{c.id}", None, None, c.tenant_id, None, {}, c.id)
            for c in await cycle_store.digest_conversations(session=session)
        ]

    found = await cycle_store.recipients(period, day, session=session)
    messages: list[NewMessage] = []
    if kind.startswith(timetable.PROMPT) or timetable.is_reminder(kind):
        for r in found:
            project_id = r.project.id
            if r.person is None:  # the owner is away and nobody deputises: tell the admins
                messages += [
                    message(
                        f"notice:no-deputy:{period}:{project_id}:{a.id}",
                        a.id,
                        project_id,
                        a.tenant_id,
                        a.timezone,
                        {"notice": "no_deputy", "owner_id": r.owner.id if r.owner else None},
                        message_kind="notice",
                    )
                    for a in admins
                ]
                continue
            messages.append(
                message(
                    f"{kind}:{period}:{r.person.id}:{project_id}",
                    r.person.id,
                    project_id,
                    r.person.tenant_id,
                    r.person.timezone,
                    {"as_deputy": r.as_deputy, "owner_id": r.owner.id if r.owner else None},
                )
            )
        return messages
    if kind == timetable.ESCALATION:
        directors = await cycle_store.directors_by_id(session=session)
        by_director: dict[int, list[int]] = {}
        for r in found:
            director = directors.get(r.project.director_id or -1)
            if director and director.person_id and r.project.id:
                by_director.setdefault(director.person_id, []).append(r.project.id)
        for person_id, project_ids in sorted(by_director.items()):
            person = await session.get(Person, person_id)
            messages.append(
                message(
                    f"{kind}:{period}:{person_id}",
                    person_id,
                    None,
                    person.tenant_id if person else None,
                    person.timezone if person else None,
                    {"project_ids": project_ids},
                )
            )
        missing = sorted(r.project.id for r in found if r.project.id)
        if missing:
            messages += [
                message(
                    f"{kind}-copy:{period}:{a.id}",
                    a.id,
                    None,
                    a.tenant_id,
                    a.timezone,
                    {"project_ids": missing, "copy": True},
                )
                for a in admins
            ]
        return messages
    raise ValueError(f"unknown cycle step {kind!r}")


async def steps_run(period: str) -> list[CycleRun]:
    rt = runtime()
    async with rt.sessions() as session:
        return await cycle_store.runs(period, session=session)
