"""The cycle across a simulated year: right working days, right local times, each step once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import col, select

from scheduler import jobs, timetable
from scheduler.calendar import is_working_day
from scheduler.runner import plan
from storage import cycle_store
from storage.db import SessionFactory
from storage.models import (
    CycleRun,
    Health,
    OutboxMessage,
    Person,
    ReportingPeriod,
)
from storage.status_reports import StatusInput, save_report
from tests.support.portfolio import ADMIN, DEPUTY, OTHER, OWNER, Portfolio

HELSINKI = ZoneInfo("Europe/Helsinki")
YEAR = [f"2027-{month:02d}" for month in range(1, 13)]


def test_every_step_of_a_year_is_on_a_working_day_at_the_local_time() -> None:
    settings = timetable.CycleSettings()
    for period in YEAR:
        steps = timetable.cycle_steps(period, settings)
        kinds = [s.kind for s in steps]
        assert kinds == ["prompt", "reminder-1", "reminder-2", "escalation", "close", "digest"]
        for step in steps:
            assert is_working_day(step.day), (period, step)
            local = step.moment(HELSINKI).astimezone(HELSINKI)
            assert local.time() == (time(10) if step.kind == "digest" else time(9)), step
        days = [s.day for s in steps]
        assert days == sorted(days)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # New Year (Fri) and Epiphany (Wed 6 Jan) are skipped
        (
            "2027-01",
            {
                "prompt": date(2027, 1, 4),
                "reminder-1": date(2027, 1, 11),
                "reminder-2": date(2027, 1, 14),
                "escalation": date(2027, 1, 18),
                "close": date(2027, 1, 19),
            },
        ),
        # Easter: Good Friday 26 Mar and Easter Monday 29 Mar; DST starts 28 Mar
        ("2027-03", {"prompt": date(2027, 3, 1), "reminder-2": date(2027, 3, 10)}),
        ("2027-04", {"prompt": date(2027, 4, 1), "reminder-2": date(2027, 4, 12)}),
        # Ascension Thursday 6 May
        ("2027-05", {"prompt": date(2027, 5, 3), "reminder-2": date(2027, 5, 13)}),
        # Midsummer Eve, Friday 25 June, inside the escalation window
        (
            "2027-06",
            {
                "prompt": date(2027, 6, 1),
                "reminder-2": date(2027, 6, 10),
                "escalation": date(2027, 6, 14),
            },
        ),
        # Independence Day Monday 6 Dec, Christmas Eve Friday 24 Dec
        ("2027-12", {"prompt": date(2027, 12, 1), "reminder-2": date(2027, 12, 13)}),
    ],
)
def test_known_holidays_move_the_steps(period: str, expected: dict[str, date]) -> None:
    steps = {s.kind: s.day for s in timetable.cycle_steps(period, timetable.CycleSettings())}
    for kind, day in expected.items():
        assert steps[kind] == day, kind


def test_daylight_saving_keeps_nine_local() -> None:
    march = timetable.cycle_steps("2027-03", timetable.CycleSettings())[0].moment(HELSINKI)
    april = timetable.cycle_steps("2027-04", timetable.CycleSettings())[0].moment(HELSINKI)
    november = timetable.cycle_steps("2027-11", timetable.CycleSettings())[0].moment(HELSINKI)
    assert (march.hour, april.hour, november.hour) == (7, 6, 7)  # UTC: +2 in winter, +3 in summer


def test_a_person_is_reached_at_nine_in_their_own_zone() -> None:
    day = date(2027, 4, 1)
    assert timetable.local_send_moment(day, time(9), "America/New_York", HELSINKI) == datetime(
        2027, 4, 1, 13, 0, tzinfo=UTC
    )
    assert timetable.local_send_moment(day, time(9), None, HELSINKI) == datetime(
        2027, 4, 1, 6, 0, tzinfo=UTC
    )
    assert timetable.local_send_moment(day, time(9), "Not/AZone", HELSINKI).hour == 6


async def _outbox(sessions: SessionFactory, kind: str) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.kind) == kind)
            .order_by(col(OutboxMessage.id))
        )
        return list(rows.all())


async def _person_id(sessions: SessionFactory, aad: str) -> int:
    async with sessions() as session:
        person = (await session.exec(select(Person).where(Person.aad_object_id == aad))).one()
    assert person.id is not None
    return person.id


async def test_a_simulated_month_sends_each_step_once_to_the_right_people(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    period = "2027-04"
    steps = {s.kind: s for s in timetable.cycle_steps(period, timetable.CycleSettings())}
    owner, other = await _person_id(sessions, OWNER.aad), await _person_id(sessions, OTHER.aad)
    admin = await _person_id(sessions, ADMIN.aad)

    with time_machine.travel(steps["prompt"].moment(HELSINKI), tick=False):
        assert await jobs.fire_step(period, "prompt") == 2
        assert await jobs.fire_step(period, "prompt") == 0, "a step runs once"
    prompts = await _outbox(sessions, "prompt")
    assert sorted((m.person_id, m.project_id) for m in prompts) == sorted(
        [(owner, cycle_world.kartalla_id), (other, cycle_world.chatbot_id)]
    )
    assert {m.not_before for m in prompts} == {datetime(2027, 4, 1, 6, 0, tzinfo=UTC)}

    # the owner answers; only the other owner is reminded
    with time_machine.travel(datetime(2027, 4, 5, 8, 0, tzinfo=UTC), tick=False):
        async with sessions() as session, session.begin():
            owner_person = await session.get(Person, owner)
            assert owner_person is not None
            await save_report(
                person=owner_person,
                project_id=cycle_world.kartalla_id,
                period=period,
                values=StatusInput(Health.on_track, 50, 100, 200, {}, "", "", ""),
                activity_id=None,
                session=session,
            )
    for kind in ("reminder-1", "reminder-2"):
        with time_machine.travel(steps[kind].moment(HELSINKI), tick=False):
            assert await jobs.fire_step(period, kind) == 1
        [reminder] = await _outbox(sessions, kind)
        assert (reminder.person_id, reminder.project_id) == (other, cycle_world.chatbot_id)

    with time_machine.travel(steps["escalation"].moment(HELSINKI), tick=False):
        assert (
            await jobs.fire_step(period, "escalation") == 1 + 1
        )  # the director, and the admins' copy
    escalations = await _outbox(sessions, "escalation")
    director = await _person_id(sessions, DEPUTY.aad)
    assert sorted(
        (m.person_id, m.payload["project_ids"], bool(m.payload.get("copy"))) for m in escalations
    ) == sorted(
        [
            (director, [cycle_world.chatbot_id], False),  # the responsible director
            (admin, [cycle_world.chatbot_id], True),  # and one copy to each admin
        ]
    )
    with time_machine.travel(steps["close"].moment(HELSINKI), tick=False):
        await jobs.fire_step(period, "close")
    async with sessions() as session:
        closed = await session.get(ReportingPeriod, period)
        runs = (await session.exec(select(CycleRun).where(CycleRun.period == period))).all()
    assert closed is not None and closed.closed_at is not None
    assert sorted(r.kind for r in runs) == [
        "close",
        "escalation",
        "prompt",
        "reminder-1",
        "reminder-2",
    ]


async def test_once_an_admin_closes_the_period_its_reminders_and_escalation_are_not_sent(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    period = "2027-04"
    steps = {s.kind: s for s in timetable.cycle_steps(period, timetable.CycleSettings())}
    with time_machine.travel(steps["prompt"].moment(HELSINKI), tick=False):
        assert await jobs.fire_step(period, "prompt") == 2
        async with sessions() as session, session.begin():
            await cycle_store.close_period(period, session=session)
    for kind in ("reminder-1", "reminder-2", "escalation"):
        with time_machine.travel(steps[kind].moment(HELSINKI), tick=False):
            assert await jobs.fire_step(period, kind) == 0
            with pytest.raises(jobs.PeriodClosedError):  # the admin is told why
                await jobs.remind_now(period)
    for kind in ("reminder-1", "reminder-2", "escalation"):
        assert await _outbox(sessions, kind) == []
    async with sessions() as session:
        runs = (await session.exec(select(CycleRun).where(CycleRun.period == period))).all()
        queued = (await session.exec(select(OutboxMessage))).all()
    assert {m.kind for m in queued} == {"prompt"}
    assert {r.kind: r.trigger for r in runs if r.kind != "prompt"} == {
        "reminder-1": "missed",
        "reminder-2": "missed",
        "escalation": "missed",
    }, "the cycle card shows them as not sent"


async def test_an_away_owner_is_replaced_by_the_deputy_and_no_deputy_tells_the_admins(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    period = "2027-05"
    prompt = timetable.cycle_steps(period, timetable.CycleSettings())[0]
    deputy, admin = await _person_id(sessions, DEPUTY.aad), await _person_id(sessions, ADMIN.aad)
    async with sessions() as session, session.begin():
        for aad in (OWNER.aad, OTHER.aad):
            person = (await session.exec(select(Person).where(Person.aad_object_id == aad))).one()
            person.away_until = prompt.day + timedelta(days=10)
            session.add(person)
    with time_machine.travel(prompt.moment(HELSINKI), tick=False):
        await jobs.fire_step(period, "prompt")
    [to_deputy] = await _outbox(sessions, "prompt")
    assert (to_deputy.person_id, to_deputy.project_id) == (deputy, cycle_world.kartalla_id)
    assert to_deputy.payload["as_deputy"] is True
    [notice] = await _outbox(sessions, "notice")
    assert notice.person_id == admin and notice.payload["notice"] == "no_deputy"


async def test_planning_schedules_the_next_steps_and_catches_up_a_missed_one_once(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=HELSINKI)
    prompt = timetable.cycle_steps("2027-04", timetable.CycleSettings())[0]
    down_until = prompt.moment(HELSINKI) + timedelta(hours=3)  # the bot was down at 09:00
    with time_machine.travel(down_until, tick=False):
        await plan(scheduler, now=down_until)
        planned = {job.id: job.trigger.run_date for job in scheduler.get_jobs()}
        assert planned["cycle:2027-04:prompt"] == down_until, "caught up at once"
        assert planned["cycle:2027-04:reminder-1"] == datetime(2027, 4, 7, 6, 0, tzinfo=UTC)
        assert planned["cycle:2027-05:prompt"] == datetime(2027, 5, 3, 6, 0, tzinfo=UTC)
        assert await jobs.fire_step("2027-04", "prompt") == 2
        # a second start-up (or replica) plans again: the step is done, so it is not re-added
        await plan(scheduler, now=down_until)
        assert "cycle:2027-04:prompt" not in {job.id for job in scheduler.get_jobs()}
        assert await jobs.fire_step("2027-04", "prompt") == 0
    assert len(await _outbox(sessions, "prompt")) == 2


async def test_long_past_steps_are_recorded_as_missed_not_sent(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=HELSINKI)
    now = datetime(2027, 4, 28, 12, 0, tzinfo=UTC)  # weeks after April's steps
    with time_machine.travel(now, tick=False):
        await plan(scheduler, now=now)
    jobs_by_id = {job.id: job.trigger.run_date for job in scheduler.get_jobs()}
    assert jobs_by_id["cycle:2027-04:close"] == now, "the period is still closed"
    assert "cycle:2027-04:prompt" not in jobs_by_id
    async with sessions() as session:
        missed = (await session.exec(select(CycleRun).where(CycleRun.trigger == "missed"))).all()
    assert {r.kind for r in missed} == {
        "prompt",
        "reminder-1",
        "reminder-2",
        "escalation",
        "digest",
    }


async def test_a_paused_cycle_sends_nothing(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    from storage.cycle_store import load_config, save_config

    async with sessions() as session, session.begin():
        config = await load_config(session=session)
        config.paused = True
        await save_config(config, by=None, session=session)
    assert await jobs.fire_step("2027-04", "prompt") == 0
    assert await _outbox(sessions, "prompt") == []


async def test_changing_a_setting_reschedules_the_steps(
    sessions: SessionFactory, cycle_world: Portfolio
) -> None:
    from storage.cycle_store import load_config, save_config

    scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone=HELSINKI)
    now = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        scheduler.start(paused=True)  # as the runner does: jobs go to the store
        await plan(scheduler, now=now)
        assert scheduler.get_job("cycle:2027-04:prompt").trigger.run_date == datetime(
            2027, 4, 1, 6, 0, tzinfo=UTC
        )
        async with sessions() as session, session.begin():
            config = await load_config(session=session)
            config.send_time, config.prompt_working_day = "08:15", 2
            await save_config(config, by=None, session=session)
        await plan(scheduler, now=now)
    jobs_now = [job for job in scheduler.get_jobs() if job.id == "cycle:2027-04:prompt"]
    assert len(jobs_now) == 1, "replaced, not duplicated"
    assert jobs_now[0].trigger.run_date == datetime(2027, 4, 2, 5, 15, tzinfo=UTC)
    scheduler.shutdown(wait=False)
