"""``close period [2026-10 | 10/2026]`` (fi ``sulje jakso``, sv ``stäng period``): later
changes to that month's reports are recorded as late, and a given report is frozen."""

from __future__ import annotations

from bot.intents.periods import change_period
from bot.intents.registry import Help, Intent, Request
from scheduler.calendar import period_start
from translations.markers import N_


async def reply(request: Request) -> None:
    changed = await change_period(request, close=True)
    if changed is None:
        return
    period, closed = changed
    t = request.t
    month = t.month(period_start(period))
    await request.notice(
        t("{month} is closed: later changes are recorded as late.", month=month)
        if closed
        else t("{month} was closed already.", month=month)
    )


INTENT = Intent(
    name="close_period",
    words=frozenset({"close period", "sulje jakso", "stäng period"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {"fi": "sulje jakso", "sv": "stäng period", "en": "close period"},
        N_("Close this period: later changes are recorded as late."),
    ),
)
