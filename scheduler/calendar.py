"""Reporting periods and Finnish working days: plain functions, no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

DUE_AFTER_WORKING_DAYS = 7


@cache
def _finnish_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("FI", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_of(moment: datetime, zone: ZoneInfo) -> str:
    """The reporting period (``YYYY-MM``) a moment falls in, in the city's time zone."""
    local = moment.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    parsed = int(year), int(month)
    if not (2000 <= parsed[0] <= 2100 and 1 <= parsed[1] <= 12) or len(period) != 7:
        raise ValueError(f"not a period: {period!r}")
    return parsed


def previous_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def due_date(period: str) -> date:
    """Answers are due seven working days after the month's first working day."""
    year, month = parse_period(period)
    return add_working_days(first_working_day(year, month), DUE_AFTER_WORKING_DAYS)


def period_start(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)
