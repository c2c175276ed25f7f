"""What ``close period`` and ``reopen period`` share: the month argument, and the change."""

from __future__ import annotations

import re

from bot.intents.registry import Request
from bot.middleware import safe_for_log
from scheduler import timetable
from scheduler.calendar import period_of
from storage import audit, cycle_store
from storage.db import write_transaction
from storage.models import utcnow

_PERIOD_ARGUMENT = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})|(\d{1,2})/(\d{4}))\s*$")


def period_argument(request: Request) -> str | None:
    """``2026-10`` or ``10/2026``, up to this month; this month when none is given."""
    current = period_of(utcnow(), request.turn.services.settings.zone)
    if not request.text.strip():
        return current
    match = _PERIOD_ARGUMENT.match(request.text)
    if match is None:
        return None
    year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
    period = f"{int(year):04d}-{int(month):02d}"
    if not 1 <= int(month) <= 12 or period > current:
        return None
    return period


async def change_period(request: Request, *, close: bool) -> tuple[str, bool] | None:
    """Close or reopen the month the request names, audited: the period and whether it
    changed. None when the month is not one (and the person has been told)."""
    turn = request.turn
    period = period_argument(request)
    if period is None:
        await request.notice(
            turn.t(
                "I did not understand the month {text}. Write it as 2026-10 or 10/2026, up to this month.",
                text=safe_for_log(request.text, 40),
            ),
            warning=True,
        )
        return None
    async with write_transaction(turn.services.sessions) as session:
        if close:
            changed = await cycle_store.close_period(period, session=session)
            if changed:
                await cycle_store.mark_run(period, timetable.CLOSE, "admin", session=session)
        else:
            changed = await cycle_store.reopen_period(period, session=session)
        if changed:
            await audit.record(
                actor_id=turn.person.id,
                action="period.close" if close else "period.reopen",
                entity="reporting_period",
                entity_id=period,
                activity_id=turn.activity.id,
                details={"period": period},
                session=session,
            )
    return period, changed
