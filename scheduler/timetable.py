"""The monthly cycle's timetable: plain functions of a period and the cycle's settings.

Each period has these steps, on working days (weekends and Finnish public holidays
skipped), at the city's local send time unless said otherwise:

- ``prompt``: the ``prompt_working_day``-th working day of the month;
- ``reminder-1``, ``reminder-2``…: working-day offsets from the due date (-3 and 0);
- ``escalation``: ``escalation_after`` working days after the due date;
- ``close``: ``close_after`` working days after the due date, at the send time;
- ``digest``: the close day, at ``digest_time``.

A person is reached at the send time in their own time zone when it is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.calendar import (
    add_working_days,
    due_date,
    next_period,
    nth_working_day,
    parse_period,
)

PROMPT = "prompt"
ESCALATION = "escalation"
CLOSE = "close"
DIGEST = "digest"
REMINDER_PREFIX = "reminder-"
# Steps that send the owner their status card.
CARD_STEPS = (PROMPT, REMINDER_PREFIX)


@dataclass(frozen=True, slots=True)
class CycleSettings:
    prompt_working_day: int = 1
    send_time: time = time(9, 0)
    due_working_days: int = 7
    reminder_offsets: tuple[int, ...] = (-3, 0)
    escalation_after: int = 2
    close_after: int = 3
    digest_time: time = time(10, 0)

    def opens(self, period: str) -> date:
        """The day a period's prompts go out: its ``prompt_working_day``-th working day."""
        year, month = parse_period(period)
        return nth_working_day(year, month, self.prompt_working_day)

    def next_opening(self, period: str, today: date) -> date:
        """The day a closed ``period``'s card names: the first day, today or later, on which
        a later period's prompts go out (a period that opened already is not the next)."""
        later = next_period(period)
        while self.opens(later) < today:
            later = next_period(later)
        return self.opens(later)

    def due(self, period: str) -> date:
        """The period's due date under these settings: the date every card and step shows."""
        return due_date(
            period,
            prompt_working_day=self.prompt_working_day,
            due_working_days=self.due_working_days,
        )


@dataclass(frozen=True, slots=True)
class Step:
    period: str
    kind: str
    day: date
    at: time

    def moment(self, zone: ZoneInfo) -> datetime:
        """When the step fires, in UTC, for the given local zone (DST-aware)."""
        return datetime.combine(self.day, self.at, tzinfo=zone).astimezone(UTC)

    @property
    def job_id(self) -> str:
        return f"cycle:{self.period}:{self.kind}"


def parse_clock(text: str) -> time:
    """``9:00`` or ``09.30`` → a time; ValueError otherwise."""
    hours, _, minutes = text.strip().replace(".", ":").partition(":")
    if not hours.isdigit() or not (minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"not a time: {text!r}")
    return time(int(hours), int(minutes))


def is_reminder(kind: str) -> bool:
    return kind.startswith(REMINDER_PREFIX)


def cycle_steps(period: str, settings: CycleSettings) -> list[Step]:
    """Every step of a period, in the order they fire."""
    year, month = parse_period(period)
    prompt_day = nth_working_day(year, month, settings.prompt_working_day)
    due = settings.due(period)
    steps = [Step(period, PROMPT, prompt_day, settings.send_time)]
    for number, offset in enumerate(sorted(set(settings.reminder_offsets)), start=1):
        day = add_working_days(due, offset)
        if day > prompt_day:
            steps.append(Step(period, f"{REMINDER_PREFIX}{number}", day, settings.send_time))
    steps.append(
        Step(
            period, ESCALATION, add_working_days(due, settings.escalation_after), settings.send_time
        )
    )
    close_day = add_working_days(due, settings.close_after)
    steps.append(Step(period, CLOSE, close_day, settings.send_time))
    steps.append(Step(period, DIGEST, close_day, max(settings.digest_time, settings.send_time)))
    return sorted(steps, key=lambda step: (step.day, step.at))


def local_send_moment(
    day: date, at: time, person_zone: str | None, city_zone: ZoneInfo
) -> datetime:
    """The send time on ``day`` in the person's own zone, or the city's when unknown."""
    zone = city_zone
    if person_zone:
        try:
            zone = ZoneInfo(person_zone)
        except (KeyError, ValueError):
            zone = city_zone
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
