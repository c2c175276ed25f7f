"""Which year a project's remaining spend falls in: the rule behind a budget line's forecast.

A project reports what it has spent to date and what it will have spent in all. What it
still expects to spend (the difference) is spread evenly over the months from this month
to the month it ends, and each year gets the share of its own months. So:

* a year before this one is closed: it gets nothing (its forecast is its actual);
* a project past its end date, or with none, spends the rest this year;
* the shares of all years add up to the remainder, to the cent: nothing is counted twice.

Plain functions, without a database, tested on their own.
"""

from __future__ import annotations

from datetime import date


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def year_share(remaining_cents: int, *, year: int, this_month: date, end: date | None) -> int:
    """The part of ``remaining_cents`` that falls in ``year``, for a project ending at ``end``.

    The remainder is spread over the months from ``this_month`` to ``end``'s month, both
    included. The shares are cumulative differences of whole cents, so that for any
    ``this_month`` and ``end`` they add up over the years to exactly ``remaining_cents``.
    """
    if remaining_cents <= 0:
        return 0
    first = month_index(this_month)
    last = max(first, month_index(end)) if end is not None else first
    months = last - first + 1

    def through(december_of: int) -> int:
        """How much of the remainder falls in the months up to the end of a year."""
        covered = min(max(december_of * 12 + 11 - first + 1, 0), months)
        return remaining_cents * covered // months

    return through(year) - through(year - 1)
