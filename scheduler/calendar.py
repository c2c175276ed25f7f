"""Reporting periods and Finnish working days: plain functions, no database.

Working days are the ``holidays`` package's own (``HolidayBase.is_working_day`` and
``get_nth_working_day``); ``tests/scheduler/test_calendar.py`` pins every day of 2024-2030.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

DUE_AFTER_WORKING_DAYS = 7


@cache
def _finnish_holidays() -> holidays.HolidayBase:
    """Finland's public holidays, the eves of midsummer and Christmas included. The
    package adds a year's holidays the first time a date in that year is asked about."""
    return holidays.country_holidays("FI")


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a public holiday."""
    return bool(_finnish_holidays().is_working_day(day))


def add_working_days(start: date, count: int) -> date:
    """``count`` working days after ``start`` (before it, when negative; ``start`` itself,
    worked or not, when zero)."""
    if count == 0:  # the package would move to the next working day
        return start
    day: date = _finnish_holidays().get_nth_working_day(start, count)
    return day


def nth_working_day(year: int, month: int, n: int) -> date:
    """The month's ``n``-th working day (1 is the first)."""
    return add_working_days(first_working_day(year, month), n - 1)


def first_working_day(year: int, month: int) -> date:
    # zero steps: the day itself if it is a working day, else the next one
    day: date = _finnish_holidays().get_nth_working_day(date(year, month, 1), 0)
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


@cache  # a pure function of its arguments, asked for on every status card
def due_date(
    period: str, *, prompt_working_day: int = 1, due_working_days: int = DUE_AFTER_WORKING_DAYS
) -> date:
    """Answers are due ``due_working_days`` working days after the prompt's working day."""
    year, month = parse_period(period)
    return add_working_days(nth_working_day(year, month, prompt_working_day), due_working_days)


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def period_start(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)
