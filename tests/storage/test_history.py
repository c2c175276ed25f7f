"""The portfolio as of a month's end, rebuilt from the status history (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage.db import SessionFactory, transaction
from storage.deck import indicator_off_track
from storage.history import (
    BadPeriodError,
    history_as_of,
    metric_values_as_of,
    month_end,
    parse_month,
    standing_as_of,
    state_as_of,
)
from storage.models import (
    Benefit,
    Health,
    Level,
    Lifecycle,
    MetricValue,
    NeedSource,
    Person,
    Project,
    ProjectMetric,
    StatusReport,
    StatusRevision,
)

ZONE = ZoneInfo("Europe/Helsinki")


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def _project(sessions: SessionFactory) -> tuple[int, int, int]:
    """A project with reports for 2026-05 (corrected on 2 June) and 2026-06, one given late."""
    async with transaction(sessions) as session:
        owner = Person(name="Olli Omistaja")
        session.add(owner)
        await session.flush()
        project = Project(
            code="H-1",
            name_fi="Hanke",
            name_sv="Projekt",
            name_en="Project",
            level=Level.common,
            need_source=NeedSource.law,
            benefit=Benefit.renewal,
            state=Lifecycle.started,
            progress=60,
            health=Health.on_track,
            owner_id=owner.id,
        )
        other = Project(
            code="H-2",
            name_fi="Toinen",
            name_sv="Annat",
            name_en="Other",
            level=Level.common,
            need_source=NeedSource.law,
            benefit=Benefit.renewal,
            state=Lifecycle.started,
            owner_id=owner.id,
        )
        session.add_all([project, other])
        await session.flush()
        assert project.id and other.id and owner.id
        may = StatusReport(
            project_id=project.id,
            period="2026-05",
            revision=2,
            health=Health.on_track,
            progress=40,
            spent_cents=400,
            forecast_cents=1_000,
            risks="none now",
            submitted_by_id=owner.id,
            first_submitted_at=_at(2026, 5, 20, 9),
            submitted_at=_at(2026, 6, 2, 9),
        )
        # June's report was first given on 3 July (Helsinki): after June's end
        june = StatusReport(
            project_id=project.id,
            period="2026-06",
            health=Health.at_risk,
            progress=60,
            spent_cents=600,
            forecast_cents=1_200,
            risks="supplier late",
            submitted_by_id=owner.id,
            first_submitted_at=_at(2026, 7, 3, 9),
            submitted_at=_at(2026, 7, 3, 9),
        )
        # a bulk-loaded report: no revision rows, its own values count
        bulk = StatusReport(
            project_id=other.id,
            period="2026-04",
            health=Health.off_track,
            progress=10,
            spent_cents=50,
            forecast_cents=90,
            submitted_by_id=owner.id,
            first_submitted_at=_at(2026, 4, 28, 9),
            submitted_at=_at(2026, 4, 28, 9),
        )
        session.add_all([may, june, bulk])
        await session.flush()
        assert may.id and june.id
        session.add_all(
            [
                StatusRevision(
                    report_id=may.id,
                    number=1,
                    health=Health.at_risk,
                    progress=35,
                    spent_cents=350,
                    forecast_cents=900,
                    risks="first answer",
                    submitted_by_id=owner.id,
                    submitted_at=_at(2026, 5, 20, 9),
                ),
                StatusRevision(
                    report_id=may.id,
                    number=2,
                    health=Health.on_track,
                    progress=40,
                    spent_cents=400,
                    forecast_cents=1_000,
                    risks="none now",
                    submitted_by_id=owner.id,
                    submitted_at=_at(2026, 6, 2, 9),
                ),
                StatusRevision(
                    report_id=june.id,
                    number=1,
                    health=Health.at_risk,
                    progress=60,
                    spent_cents=600,
                    forecast_cents=1_200,
                    risks="supplier late",
                    submitted_by_id=owner.id,
                    submitted_at=_at(2026, 7, 3, 9),
                ),
            ]
        )
        metric = ProjectMetric(
            project_id=project.id, name_fi="m", name_sv="m", name_en="m", unit="pcs"
        )
        session.add(metric)
        await session.flush()
        assert metric.id
        session.add_all(
            [
                MetricValue(metric_id=metric.id, period="2026-04", value=Decimal(3)),
                MetricValue(metric_id=metric.id, period="2026-06", value=Decimal(7)),
            ]
        )
        return project.id, other.id, metric.id


async def test_a_month_as_it_stood_at_its_end(sessions: SessionFactory) -> None:
    project, other, metric = await _project(sessions)
    async with sessions() as session:
        may = await standing_as_of("2026-05", session=session, zone=ZONE)
        june = await standing_as_of("2026-06", session=session, zone=ZONE)
        july = await standing_as_of("2026-07", session=session, zone=ZONE)
        april = await standing_as_of("2026-04", session=session, zone=ZONE)
        history = await history_as_of("2026-07", session=session, zone=ZONE, project_ids=[project])
        values = await metric_values_as_of("2026-05", session=session, metric_ids=[metric])
    # at May's end the correction of 2 June was not yet made: the first answer stands
    assert (may[project].progress, may[project].health, may[project].risks) == (
        35,
        Health.at_risk,
        "first answer",
    )
    # at June's end: May's corrected report (June's was given in July)
    assert (june[project].period, june[project].progress, june[project].spent_cents) == (
        "2026-05",
        40,
        400,
    )
    assert (july[project].period, july[project].progress) == ("2026-06", 60)
    assert project not in april and april[other].progress == 10  # no revision rows: its own
    assert july[other].period == "2026-04"
    assert [(s.period, s.progress) for s in history[project]] == [("2026-05", 40), ("2026-06", 60)]
    assert values == {metric: ("2026-04", Decimal(3))}


def test_the_end_of_a_month_is_midnight_in_the_city() -> None:
    assert month_end("2026-06", ZONE) == datetime(2026, 6, 30, 21, 0, tzinfo=UTC)
    assert month_end("2026-12", ZONE) == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2024-10", "2024-10"),
        ("10/2024", "2024-10"),
        ("2024-1", "2024-01"),
        (" 1/2025 ", "2025-01"),
    ],
)
def test_months_are_read_in_both_ways(text: str, period: str) -> None:
    assert parse_month(text) == period


@pytest.mark.parametrize(
    "text", ["2024-13", "2024", "24-10", "2024-00", "x/2024", "2024-1O", "٢٠٢٤-10"]
)
def test_a_bad_month_is_refused(text: str) -> None:
    with pytest.raises(BadPeriodError):
        parse_month(text)


@pytest.mark.parametrize(
    ("current", "start", "end", "reported", "expected"),
    [
        (Lifecycle.completed, date(2024, 2, 1), date(2024, 6, 28), False, Lifecycle.completed),
        (Lifecycle.completed, date(2024, 2, 1), date(2024, 12, 28), False, Lifecycle.started),
        (Lifecycle.started, date(2024, 2, 1), date(2025, 6, 1), False, Lifecycle.started),
        (Lifecycle.started, date(2024, 11, 1), date(2025, 6, 1), False, Lifecycle.planned),
        (Lifecycle.planned, date(2024, 2, 1), None, False, Lifecycle.planned),
        (Lifecycle.cancelled, date(2024, 2, 1), None, True, Lifecycle.started),
        (Lifecycle.paused, date(2024, 2, 1), None, False, Lifecycle.paused),
    ],
)
def test_lifecycle_state_at_a_months_end(
    current: Lifecycle, start: date, end: date | None, reported: bool, expected: Lifecycle
) -> None:
    day = date(2024, 10, 31)
    assert state_as_of(current, start=start, end=end, reported=reported, last_day=day) is expected


def test_an_indicator_behind_the_straight_path_is_off_track() -> None:
    rising: dict[str, Any] = {
        "baseline": Decimal(58),
        "baseline_year": 2024,
        "target": Decimal(80),
        "target_year": 2026,
    }
    assert indicator_off_track(latest=Decimal(64), latest_year=2025, **rising) is True  # path 69
    assert indicator_off_track(latest=Decimal(70), latest_year=2025, **rising) is False
    falling: dict[str, Any] = {
        "baseline": Decimal(2_350_000),
        "baseline_year": 2024,
        "target": Decimal(1_500_000),
        "target_year": 2026,
    }
    assert indicator_off_track(latest=Decimal(1_900_000), latest_year=2025, **falling) is False
    assert indicator_off_track(latest=Decimal(2_010_000), latest_year=2025, **falling) is True
    assert (
        indicator_off_track(
            latest=Decimal(1),
            latest_year=2025,
            baseline=Decimal(1),
            baseline_year=2024,
            target=Decimal(1),
            target_year=2026,
        )
        is None
    )
