"""``reopen period 2026-10`` (fi ``avaa jakso``, sv ``öppna period``): a closed period's
reports can be changed again."""

from __future__ import annotations

from bot.intents.periods import change_period
from bot.intents.registry import Help, Intent, Request
from scheduler.calendar import period_start
from translations.markers import N_


async def reply(request: Request) -> None:
    changed = await change_period(request, close=False)
    if changed is None:
        return
    period, reopened = changed
    t = request.t
    month = t.month(period_start(period))
    await request.notice(
        t(
            "{month} is open again: its reports can be changed. Type close period {period} to close it again.",
            month=month,
            period=period,
        )
        if reopened
        else t("{month} is not closed.", month=month)
    )


INTENT = Intent(
    name="reopen_period",
    words=frozenset({"reopen period", "avaa jakso", "öppna period"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {"fi": "avaa jakso 10/2026", "sv": "öppna period 10/2026", "en": "reopen period 2026-10"},
        N_("Reopen a closed period, so that its reports can be changed again."),
    ),
)
