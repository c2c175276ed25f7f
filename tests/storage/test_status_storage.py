"""Saving reports and revisions, rights and replay claims, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from scheduler import jobs
from scheduler.calendar import next_period, previous_period
from storage import activities
from storage.db import SessionFactory, write_unit
from storage.models import (
    AuditLog,
    Health,
    MetricValue,
    Person,
    ProcessedActivity,
    Project,
    StatusReport,
    StatusRevision,
    utcnow,
)
from storage.people import person_by_aad
from storage.status_reports import (
    NotAllowedError,
    StatusInput,
    UnknownProjectError,
    report_context,
    save_report,
)
from tests.support.portfolio import CURRENT_PERIOD, OTHER, OWNER, Portfolio, create_portfolio
from tests.support.state import snapshot


def values(progress: int = 50, **metrics: Decimal) -> StatusInput:
    return StatusInput(
        health=Health.at_risk,
        progress=progress,
        spent_cents=1_000_050,
        forecast_cents=2_000_000,
        metrics={int(k): v for k, v in metrics.items()},
        achievements="a",
        next_steps="n",
        risks="",
    )


@pytest.fixture
async def portfolio(sessions: SessionFactory) -> Portfolio:
    async with sessions() as session, session.begin():
        return await create_portfolio(session)


async def _person(sessions: SessionFactory, aad: str) -> Person:
    async with sessions() as session:
        person = await person_by_aad(aad, session=session)
    assert person is not None
    return person


async def test_the_card_shows_each_metrics_latest_value_up_to_the_period(
    sessions: SessionFactory, portfolio: Portfolio
) -> None:
    first, second = portfolio.metric_ids[:2]
    earlier, previous = (
        previous_period(previous_period(CURRENT_PERIOD)),
        previous_period(CURRENT_PERIOD),
    )
    async with sessions() as session, session.begin():
        session.add_all(
            [
                MetricValue(metric_id=first, period=earlier, value=Decimal(1)),
                MetricValue(metric_id=first, period=previous, value=Decimal(2)),
                MetricValue(metric_id=first, period=next_period(CURRENT_PERIOD), value=Decimal(9)),
                MetricValue(metric_id=second, period=next_period(CURRENT_PERIOD), value=Decimal(7)),
            ]
        )

    async def shown() -> dict[int, Decimal]:
        async with sessions() as session:
            context = await report_context(portfolio.kartalla_id, CURRENT_PERIOD, session=session)
        assert [m.id for m in context.metrics] == [first, second]
        return context.metric_values

    assert await shown() == {first: Decimal(2)}, "a later period's values are not shown"
    async with sessions() as session, session.begin():
        session.add(MetricValue(metric_id=first, period=CURRENT_PERIOD, value=Decimal(3)))
    assert await shown() == {first: Decimal(3)}


async def test_first_answer_is_the_report_and_edits_are_revisions(
    sessions: SessionFactory, portfolio: Portfolio
) -> None:
    owner = await _person(sessions, OWNER.aad)
    metric = portfolio.metric_ids[0]
    for progress, value in ((50, Decimal("10.5")), (60, Decimal(12))):
        async with sessions() as session, session.begin():
            await save_report(
                person=owner,
                project_id=portfolio.kartalla_id,
                period=CURRENT_PERIOD,
                values=values(progress, **{str(metric): value}),
                activity_id=f"act-{progress}",
                session=session,
            )
    async with sessions() as session:
        report = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).one()
        revisions = (
            await session.exec(
                select(StatusRevision)
                .where(StatusRevision.report_id == report.id)
                .order_by(col(StatusRevision.number))
            )
        ).all()
        metric_values = (
            await session.exec(select(MetricValue).where(MetricValue.period == CURRENT_PERIOD))
        ).all()
        project = await session.get(Project, portfolio.kartalla_id)
    assert (report.revision, report.progress, report.spent_cents) == (2, 60, 1_000_050)
    assert [(r.number, r.progress, r.metric_values) for r in revisions] == [
        (1, 50, {str(metric): "10.5"}),
        (2, 60, {str(metric): "12"}),
    ]
    assert [(m.metric_id, m.value) for m in metric_values] == [(metric, Decimal(12))]
    assert project is not None and (project.progress, project.health) == (60, Health.at_risk)
    assert report.submitted_at.tzinfo is not None


async def test_someone_elses_project_raises_before_writing(
    sessions: SessionFactory, portfolio: Portfolio
) -> None:
    other = await _person(sessions, OTHER.aad)
    before = await snapshot(sessions)
    with pytest.raises(NotAllowedError):
        async with sessions() as session, session.begin():
            await save_report(
                person=other,
                project_id=portfolio.kartalla_id,
                period=CURRENT_PERIOD,
                values=values(),
                activity_id="x",
                session=session,
            )
    with pytest.raises(UnknownProjectError):
        async with sessions() as session, session.begin():
            await save_report(
                person=other,
                project_id=999,
                period=CURRENT_PERIOD,
                values=values(),
                activity_id="y",
                session=session,
            )
    assert await snapshot(sessions) == before


async def test_concurrent_answers_give_one_report_and_keep_every_answer_as_a_revision(
    sessions: SessionFactory, portfolio: Portfolio
) -> None:
    owner = await _person(sessions, OWNER.aad)

    async def answer(n: int) -> StatusReport:
        return await write_unit(
            sessions,
            functools.partial(
                save_report,
                person=owner,
                project_id=portfolio.kartalla_id,
                period=CURRENT_PERIOD,
                values=values(40 + n),
                activity_id=f"c-{n}",
            ),
        )

    await asyncio.gather(*(answer(n) for n in range(12)))
    async with sessions() as session:
        [report] = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).all()
        revisions = (
            await session.exec(select(StatusRevision).where(StatusRevision.report_id == report.id))
        ).all()
        audit = (await session.exec(select(AuditLog.activity_id))).all()
    assert sorted(r.number for r in revisions) == list(range(1, 13)) and report.revision == 12
    assert sorted(r.activity_id or "" for r in revisions) == sorted(f"c-{n}" for n in range(12))
    assert sorted(a or "" for a in audit) == sorted(f"c-{n}" for n in range(12))
    last = max(revisions, key=lambda r: r.number)
    assert (report.progress, report.submitted_at) == (last.progress, last.submitted_at)


async def test_an_activity_saves_once(sessions: SessionFactory, portfolio: Portfolio) -> None:
    """The channel's retry of a turn that saved, then failed, adds no second revision."""
    owner = await _person(sessions, OWNER.aad)
    for progress in (41, 42):
        async with sessions() as session, session.begin():
            await save_report(
                person=owner,
                project_id=portfolio.kartalla_id,
                period=CURRENT_PERIOD,
                values=values(progress),
                activity_id="conv|retried",
                session=session,
            )
    async with sessions() as session:
        revisions = (
            await session.exec(
                select(StatusRevision).where(StatusRevision.activity_id == "conv|retried")
            )
        ).all()
        audit = (await session.exec(select(AuditLog))).all()
    assert [(r.number, r.progress) for r in revisions] == [(1, 41)]
    assert len(audit) == 1


async def test_a_replayed_activity_is_claimed_once_and_a_crashed_claim_is_retaken(
    sessions: SessionFactory,
) -> None:
    claims = activities.Claims(sessions)
    assert await claims.claim("conv|1")
    assert not await claims.claim("conv|1")
    await activities.complete("conv|1", sessions=sessions)
    assert not await claims.claim("conv|1")

    assert await claims.claim("conv|2")  # this turn "crashes"
    async with sessions() as session, session.begin():
        row = await session.get(ProcessedActivity, "conv|2")
        assert row is not None
        row.received_at = utcnow() - activities.STALE_AFTER - timedelta(seconds=1)
    assert await claims.claim("conv|2"), "the channel's retry runs"
    assert not await claims.claim("conv|2")


async def test_the_daily_prune_forgets_claims_older_than_a_week_only(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activities, "PRUNE_BATCH", 2)  # three old claims: two batches
    claims = activities.Claims(sessions)
    now = utcnow()
    for key, age in (
        ("conv|old", 8),
        ("conv|older", 9),
        ("conv|oldest", 30),
        ("conv|week", 6),
        ("conv|today", 0),
    ):
        assert await claims.claim(key, completed=True)
        async with sessions() as session, session.begin():
            row = await session.get(ProcessedActivity, key)
            assert row is not None
            row.received_at = now - timedelta(days=age)
    jobs.install(jobs.Runtime(sessions=sessions, zone=ZoneInfo("Europe/Helsinki")))
    try:
        assert await jobs.prune_claims() == 3
    finally:
        jobs.install(None)
    async with sessions() as session:
        kept = (await session.exec(select(ProcessedActivity.activity_id))).all()
    assert sorted(kept) == ["conv|today", "conv|week"]
    assert not await claims.claim("conv|week"), "a kept claim still refuses its replay"


async def test_concurrent_claims_are_written_together_and_each_id_runs_once(
    sessions: SessionFactory,
) -> None:
    claims = activities.Claims(sessions)
    ids = [f"conv|{n % 40}" for n in range(100)]  # every id claimed two or three times at once
    results = await asyncio.gather(*(claims.claim(i, completed=True) for i in ids))
    assert sorted(i for i, won in zip(ids, results, strict=True) if won) == sorted(set(ids))
    async with sessions() as session:
        rows = (await session.exec(select(ProcessedActivity))).all()
    assert len(rows) == 40 and all(r.completed_at is not None for r in rows)
    assert not any(await asyncio.gather(*(claims.claim(i) for i in set(ids))))


async def test_a_long_queue_of_claims_is_written_in_bounded_batches(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = activities.Claims(sessions)
    monkeypatch.setattr(claims, "MAX_BATCH", 4)
    sizes: list[int] = []
    real = activities.claim_all

    async def counted(requests: Any, *, session: Any) -> list[bool]:
        sizes.append(len(requests))
        return await real(requests, session=session)

    monkeypatch.setattr(activities, "claim_all", counted)
    results = await asyncio.gather(*(claims.claim(f"conv|{n}") for n in range(10)))
    assert all(results)
    assert max(sizes) <= 4 and sum(sizes) == 10


async def test_a_failed_claim_write_fails_its_turns_and_the_next_batch_is_written(
    sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = activities.Claims(sessions)
    real = activities.claim_all
    failures = iter([True])

    async def flaky(requests: Any, *, session: Any) -> list[bool]:
        if next(failures, False):
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await real(requests, session=session)

    monkeypatch.setattr(activities, "claim_all", flaky)
    first = await asyncio.gather(
        claims.claim("conv|a"), claims.claim("conv|b"), return_exceptions=True
    )
    assert all(isinstance(r, OperationalError) for r in first)
    assert await claims.claim("conv|a"), "nothing was written, so the retry runs"
