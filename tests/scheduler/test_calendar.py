"""Finnish working days: every day and every month of 2024-2030 pinned, and the holidays
the monthly cycle meets (Easter, midsummer, Independence Day, Christmas) one by one."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

import pytest

from scheduler.calendar import (
    add_working_days,
    due_date,
    first_working_day,
    is_working_day,
    nth_working_day,
)

YEARS = range(2024, 2031)
# The Monday-to-Friday days that are Finnish public holidays (the eves of midsummer and
# Christmas included), as the calendar gave them before it used the holidays package's
# own working-day API: with "Saturday and Sunday are not working days", the whole table.
WEEKDAY_HOLIDAYS = {
    2024: "01-01 03-29 04-01 05-01 05-09 06-21 12-06 12-24 12-25 12-26",
    2025: "01-01 01-06 04-18 04-21 05-01 05-29 06-20 12-24 12-25 12-26",
    2026: "01-01 01-06 04-03 04-06 05-01 05-14 06-19 12-24 12-25",
    2027: "01-01 01-06 03-26 03-29 05-06 06-25 12-06 12-24",
    2028: "01-06 04-14 04-17 05-01 05-25 06-23 12-06 12-25 12-26",
    2029: "01-01 03-30 04-02 05-01 05-10 06-22 12-06 12-24 12-25 12-26",
    2030: "01-01 04-19 04-22 05-01 05-30 06-21 12-06 12-24 12-25 12-26",
}
# Each month's first working day (day of the month), January to December.
FIRST_WORKING_DAYS = {
    2024: "2 1 1 2 2 3 1 1 2 1 1 2",
    2025: "2 3 3 1 2 2 1 1 1 1 3 1",
    2026: "2 2 2 1 4 1 1 3 1 1 2 1",
    2027: "4 1 1 1 3 1 1 2 1 1 1 1",
    2028: "3 1 1 3 2 1 3 1 1 2 1 1",
    2029: "2 1 1 3 2 1 2 1 3 1 1 3",
    2030: "2 1 1 1 2 3 1 1 2 1 1 2",
}
# Each period's due date with the defaults (seven working days after the first).
DUE_DATES = {
    2024: "01-11 02-12 03-12 04-11 05-14 06-12 07-10 08-12 09-11 10-10 11-12 12-12",
    2025: "01-14 02-12 03-12 04-10 05-13 06-11 07-10 08-12 09-10 10-10 11-12 12-10",
    2026: "01-14 02-11 03-11 04-14 05-13 06-10 07-10 08-12 09-10 10-12 11-11 12-10",
    2027: "01-14 02-10 03-10 04-12 05-13 06-10 07-12 08-11 09-10 10-12 11-10 12-13",
    2028: "01-13 02-10 03-10 04-12 05-11 06-12 07-12 08-10 09-12 10-11 11-10 12-13",
    2029: "01-11 02-12 03-12 04-12 05-14 06-12 07-11 08-10 09-12 10-10 11-12 12-13",
    2030: "01-11 02-12 03-12 04-10 05-13 06-12 07-10 08-12 09-11 10-10 11-12 12-12",
}
# Far enough around 2024-2030 for twelve working days either way.
SPAN_START, SPAN_END = date(2023, 12, 1), date(2031, 1, 31)
# 2023-12 and 2031-01's weekday holidays, for the ends of the span
EDGE_HOLIDAYS = {date(2023, 12, 6), date(2023, 12, 25), date(2023, 12, 26), date(2031, 1, 1)}
EDGE_HOLIDAYS |= {date(2031, 1, 6)}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _pinned_holidays() -> set[date]:
    pinned = set(EDGE_HOLIDAYS)
    for year, days in WEEKDAY_HOLIDAYS.items():
        pinned |= {date(year, int(day[:2]), int(day[3:])) for day in days.split()}
    return pinned


@pytest.fixture(scope="module")
def working_days() -> list[date]:
    """The working days of the span from the pinned table alone, in order."""
    holidays = _pinned_holidays()
    return [d for d in _days(SPAN_START, SPAN_END) if d.weekday() < 5 and d not in holidays]


def test_every_day_of_2024_to_2030_is_a_working_day_or_not_as_pinned(
    working_days: list[date],
) -> None:
    expected = set(working_days)
    wrong = [d for d in _days(SPAN_START, SPAN_END) if is_working_day(d) != (d in expected)]
    assert not wrong


def test_every_day_plus_or_minus_up_to_twelve_working_days(working_days: list[date]) -> None:
    """``add_working_days`` against index arithmetic on the pinned list of working days."""
    wrong = []
    for day in _days(date(2024, 1, 1), date(2030, 12, 31)):
        # the position just after ``day``'s place among the working days
        after = bisect_right(working_days, day)
        for count in range(-12, 13):
            if count > 0:
                expected = working_days[after + count - 1]
            elif count < 0:
                before = after - 1 if day in working_days[after - 1 : after] else after
                expected = working_days[before + count]
            else:
                expected = day  # no step at all: the day itself, worked or not
            if add_working_days(day, count) != expected:
                wrong.append((day, count, add_working_days(day, count), expected))
    assert not wrong[:5]


@pytest.mark.parametrize("year", YEARS)
def test_every_months_first_and_nth_working_day(year: int, working_days: list[date]) -> None:
    for month, first in enumerate(FIRST_WORKING_DAYS[year].split(), start=1):
        assert first_working_day(year, month) == date(year, month, int(first))
        this_month = [d for d in working_days if (d.year, d.month) == (year, month)]
        for n in range(1, 6):
            assert nth_working_day(year, month, n) == this_month[n - 1], (month, n)


@pytest.mark.parametrize("year", YEARS)
def test_every_periods_due_date(year: int) -> None:
    for month, due in enumerate(DUE_DATES[year].split(), start=1):
        assert due_date(f"{year}-{month:02d}") == date(year, int(due[:2]), int(due[3:]))


# The holidays one by one: what an owner would see as a prompt day or a due date.


def test_midsummer_eve_and_day_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 6, 20))  # Friday, midsummer eve
    assert not is_working_day(date(2025, 6, 21))  # Saturday, midsummer day
    assert add_working_days(date(2025, 6, 19), 1) == date(2025, 6, 23)  # Thursday to Monday
    assert add_working_days(date(2025, 6, 23), -1) == date(2025, 6, 19)
    assert nth_working_day(2028, 6, 17) == date(2028, 6, 26)  # past Friday the 23rd, the eve


def test_christmas_eve_to_boxing_day_are_not_working_days() -> None:
    for day in (24, 25, 26):
        assert not is_working_day(date(2025, 12, day))  # Wednesday to Friday
    assert is_working_day(date(2025, 12, 23)) and is_working_day(date(2025, 12, 29))
    assert add_working_days(date(2025, 12, 23), 1) == date(2025, 12, 29)
    assert add_working_days(date(2029, 12, 21), 3) == date(2029, 12, 31)
    # into the next year: New Year's Day is a holiday too
    assert add_working_days(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert add_working_days(date(2031, 1, 2), -1) == date(2030, 12, 31)


def test_easter_from_good_friday_to_easter_monday() -> None:
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert first_working_day(2026, 4) == date(2026, 4, 1)
    assert first_working_day(2024, 4) == date(2024, 4, 2)  # April 1st is Easter Monday
    assert due_date("2026-04") == date(2026, 4, 14)  # two holidays later than without Easter


def test_independence_day_on_a_weekday_and_on_a_sunday() -> None:
    assert not is_working_day(date(2027, 12, 6))  # Monday
    assert add_working_days(date(2027, 12, 3), 1) == date(2027, 12, 7)
    assert first_working_day(2027, 12) == date(2027, 12, 1)
    # on a Sunday it is not moved to the Monday in Finland
    assert is_working_day(date(2026, 12, 7))
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)


def test_zero_working_days_is_the_day_itself_and_weekends_are_skipped() -> None:
    saturday = date(2026, 11, 28)
    assert add_working_days(saturday, 0) == saturday
    assert add_working_days(saturday, 1) == date(2026, 11, 30)
    assert add_working_days(saturday, -1) == date(2026, 11, 27)
    assert first_working_day(2026, 11) == date(2026, 11, 2)  # the 1st is a Sunday
