"""Who gets what in the monthly cycle, and the cycle's settings and state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from scheduler.timetable import CycleSettings, parse_clock
from storage.models import (
    Conversation,
    ConversationKind,
    CycleConfig,
    CycleRun,
    Director,
    Lifecycle,
    Person,
    Project,
    ReportingPeriod,
    Role,
    StatusReport,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who should answer for a project this period, and why them."""

    project: Project
    person: Person | None  # None: the owner is away and nobody deputises
    owner: Person | None
    as_deputy: bool


async def load_config(*, session: AsyncSession) -> CycleConfig:
    config = await session.get(CycleConfig, 1)
    return config or CycleConfig(id=1)


def settings_of(config: CycleConfig) -> CycleSettings:
    return CycleSettings(
        prompt_working_day=config.prompt_working_day,
        send_time=parse_clock(config.send_time),
        due_working_days=config.due_working_days,
        reminder_offsets=tuple(config.reminder_offsets),
        escalation_after=config.escalation_after,
        close_after=config.close_after,
        digest_time=parse_clock(config.digest_time),
    )


_SETTINGS = cast(  # more columns than sqlmodel's select() is typed for
    "Select[int, str, int, list[int], int, int, str]",
    select(
        col(CycleConfig.prompt_working_day),
        col(CycleConfig.send_time),
        col(CycleConfig.due_working_days),
        col(CycleConfig.reminder_offsets),
    )
    .add_columns(
        col(CycleConfig.escalation_after),
        col(CycleConfig.close_after),
        col(CycleConfig.digest_time),
    )
    .where(col(CycleConfig.id) == 1),
)


@lru_cache(maxsize=1)
def _default_settings() -> CycleSettings:
    """The settings before an admin first saves them, built once: a ``CycleConfig``'s
    defaults cost a pydantic model's construction, a third of the read's time."""
    return settings_of(CycleConfig(id=1))


async def cycle_settings(*, session: AsyncSession) -> CycleSettings:
    """The cycle's settings, as ``settings_of(await load_config(...))`` gives them, read as
    one row of columns on the session's connection rather than an ORM entity (every
    ``status`` turn reads them)."""
    row = (await (await session.connection()).execute(_SETTINGS)).first()
    if row is None:
        return _default_settings()
    prompt_day, send_time, due_days, offsets, escalation, close, digest = row
    return CycleSettings(
        prompt_working_day=prompt_day,
        send_time=parse_clock(send_time),
        due_working_days=due_days,
        reminder_offsets=tuple(offsets),
        escalation_after=escalation,
        close_after=close,
        digest_time=parse_clock(digest),
    )


async def is_paused(*, session: AsyncSession) -> bool:
    """The cycle's pause switch: one column, read before every send."""
    found = await session.exec(select(CycleConfig.paused).where(col(CycleConfig.id) == 1))
    return bool(found.first())


async def config_changed_at(*, session: AsyncSession) -> datetime | None:
    """When an admin last changed the cycle's settings or paused or resumed it."""
    found = await session.exec(select(CycleConfig.updated_at).where(col(CycleConfig.id) == 1))
    return found.first()


async def save_config(config: CycleConfig, *, by: Person | None, session: AsyncSession) -> None:
    config.updated_at = utcnow()
    config.updated_by_id = by.id if by else None
    await session.merge(config)
    await session.flush()


async def mark_run(
    period: str, kind: str, trigger: str, *, session: AsyncSession
) -> CycleRun | None:
    """Record that a step fired; None if it already had (the step must not run twice)."""
    run = CycleRun(period=period, kind=kind, trigger=trigger)
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:
        return None
    return run


async def runs(period: str, *, session: AsyncSession) -> list[CycleRun]:
    result = await session.exec(
        select(CycleRun).where(CycleRun.period == period).order_by(col(CycleRun.ran_at))
    )
    return list(result.all())


async def answered_project_ids(period: str, *, session: AsyncSession) -> set[int]:
    result = await session.exec(
        select(StatusReport.project_id).where(StatusReport.period == period)
    )
    return set(result.all())


async def expected_projects(*, session: AsyncSession) -> list[Project]:
    """Projects that report this period: the started ones."""
    result = await session.exec(
        select(Project).where(Project.state == Lifecycle.started).order_by(col(Project.code))
    )
    return list(result.all())


def _available(person: Person | None, on: date) -> bool:
    return person is not None and (person.away_until is None or person.away_until < on)


async def recipients(period: str, on: date, *, session: AsyncSession) -> list[Recipient]:
    """For each started project without a report: the owner, or their deputy while away."""
    answered = await answered_project_ids(period, session=session)
    people = {p.id: p for p in (await session.exec(select(Person))).all()}
    found: list[Recipient] = []
    for project in await expected_projects(session=session):
        if project.id in answered:
            continue
        owner = people.get(project.owner_id)
        if _available(owner, on):
            found.append(Recipient(project, owner, owner, as_deputy=False))
            continue
        deputies = [people.get(project.deputy_id), people.get(owner.deputy_id if owner else None)]
        deputy = next((d for d in deputies if _available(d, on)), None)
        found.append(Recipient(project, deputy, owner, as_deputy=deputy is not None))
    return found


async def admins(*, session: AsyncSession) -> list[Person]:
    result = await session.exec(
        select(Person).where(Person.role == Role.admin).order_by(col(Person.id))
    )
    return list(result.all())


async def directors_by_id(*, session: AsyncSession) -> dict[int, Director]:
    return {d.id: d for d in (await session.exec(select(Director))).all() if d.id is not None}


async def personal_conversations(*, session: AsyncSession) -> dict[int, Conversation]:
    result = await session.exec(
        select(Conversation).where(Conversation.kind == ConversationKind.personal)
    )
    return {c.person_id: c for c in result.all() if c.person_id is not None}


async def digest_conversations(*, session: AsyncSession) -> list[Conversation]:
    result = await session.exec(select(Conversation).where(col(Conversation.digest).is_(True)))
    return list(result.all())


async def close_period(period: str, *, session: AsyncSession, at: datetime | None = None) -> bool:
    """Close a period; False if it was closed already."""
    row = await session.get(ReportingPeriod, period)
    if row is not None and row.closed_at is not None:
        return False
    row = row or ReportingPeriod(period=period)
    row.closed_at = at or utcnow()
    session.add(row)
    await session.flush()
    return True


async def reopen_period(period: str, *, session: AsyncSession) -> bool:
    """Reopen a closed period; False if it was not closed."""
    row = await session.get(ReportingPeriod, period)
    if row is None or row.closed_at is None:
        return False
    row.closed_at = None
    session.add(row)
    await session.flush()
    return True


async def is_closed(period: str, *, session: AsyncSession) -> bool:
    row = await session.get(ReportingPeriod, period)
    return bool(row and row.closed_at)


async def report_count(period: str, *, session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(StatusReport).where(StatusReport.period == period)
    )
    return int(result.one())
