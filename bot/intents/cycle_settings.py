"""``cycle set KEY VALUE`` (fi ``kierros aseta``, sv ``cykel ställ``): the cycle's times.

``cycle set time 09:30``, ``cycle set due 7``, ``cycle set reminders -3,0``… The leader
re-plans at once on this replica, and within a lease round on any other.
"""

from __future__ import annotations

import re

from bot.intents.cycle_overview import overview_card
from bot.intents.registry import Help, Intent, Request
from scheduler import timetable
from scheduler.calendar import period_of
from storage import cycle_store
from storage.db import write_transaction
from storage.models import CycleConfig, utcnow
from translations.markers import N_

SETTING_KEYS = {
    "time": "send_time",
    "aika": "send_time",
    "tid": "send_time",
    "digest": "digest_time",
    "kooste": "digest_time",
    "sammandrag": "digest_time",
    "day": "prompt_working_day",
    "päivä": "prompt_working_day",
    "dag": "prompt_working_day",
    "due": "due_working_days",
    "määräaika": "due_working_days",
    "frist": "due_working_days",
    "reminders": "reminder_offsets",
    "muistutukset": "reminder_offsets",
    "påminnelser": "reminder_offsets",
    "escalation": "escalation_after",
    "eskalointi": "escalation_after",
    "eskalering": "escalation_after",
    "close": "close_after",
    "sulkeminen": "close_after",
    "stängning": "close_after",
}
_LIMITS = {
    "prompt_working_day": (1, 10),
    "due_working_days": (1, 20),
    "escalation_after": (0, 20),
    "close_after": (0, 20),
}


def _apply(config: CycleConfig, field: str, value: str) -> None:
    if field in ("send_time", "digest_time"):
        parsed = timetable.parse_clock(value)
        setattr(config, field, parsed.strftime("%H:%M"))
    elif field == "reminder_offsets":
        offsets = [int(part) for part in re.split(r"[,\s]+", value) if part]
        if not offsets or any(abs(o) > 20 for o in offsets):
            raise ValueError(value)
        config.reminder_offsets = sorted(set(offsets))
    else:
        number = int(value)
        low, high = _LIMITS[field]
        if not low <= number <= high:
            raise ValueError(value)
        setattr(config, field, number)


async def reply(request: Request) -> None:
    turn, t = request.turn, request.t
    key, _, value = request.text.strip().partition(" ")
    field = SETTING_KEYS.get(key.lower())
    usage = t(
        "Use for example: cycle set time 09:00, cycle set day 1, cycle set due 7, cycle set reminders -3,0, cycle set escalation 2, cycle set close 3, cycle set digest 10:00."
    )
    if field is None or not value.strip():
        await request.notice(usage, warning=True)
        return
    async with write_transaction(turn.services.sessions) as session:
        config = await cycle_store.load_config(session=session)
        try:
            _apply(config, field, value.strip())
            settings = cycle_store.settings_of(config)  # every value still parses
            timetable.cycle_steps(period_of(utcnow(), turn.services.settings.zone), settings)
        except ValueError:
            await request.notice(usage, warning=True)
            return
        await cycle_store.save_config(config, by=turn.person, session=session)
    await turn.services.cycle.replan()  # a setting changed: the steps move
    await turn.send_card(await overview_card(request))


INTENT = Intent(
    name="set",
    words=frozenset({"cycle set", "kierros aseta", "cykel ställ"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {
            "fi": "kierros aseta aika 09:00",
            "sv": "cykel ställ tid 09:00",
            "en": "cycle set time 09:00",
        },
        N_("Change the cycle's times: time, day, due, reminders, escalation, close, digest."),
    ),
)
