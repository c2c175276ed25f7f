"""``cycle set KEY VALUE`` (fi ``kierros aseta``, sv ``omgång ställ``): the cycle's times.

``cycle set time 09:30``, ``cycle set due 7``, ``cycle set reminders -3; 0``… The leader
re-plans at once on this replica, and within a lease round on any other.

Examples are written as the admin's locale writes them: a time as Babel formats it ("9.00"
in Finnish, "09:00" in English), which ``timetable.parse_clock`` reads back, and reminder
days separated by semicolons ("−3; 0"), never "-3,0", which reads as a decimal in Finnish
and Swedish.
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
from translations import Translator
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
    "määräpäivä": "due_working_days",  # the due date's word (docs/glossary.md)
    "määräaika": "due_working_days",
    "svarsdag": "due_working_days",  # "sista svarsdag"
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
MAX_REMINDER_OFFSET = 20
_LIMITS = {
    "prompt_working_day": (1, 10),
    "due_working_days": (1, 20),
    "escalation_after": (0, 20),
    "close_after": (0, 20),
}


COMMAND = {"fi": "kierros aseta", "sv": "omgång ställ", "en": "cycle set"}
EXAMPLE_NUMBERS = {
    "prompt_working_day": 1,
    "due_working_days": 7,
    "escalation_after": 2,
    "close_after": 3,
}
# Any sign a number may be written with ("−3" as the cards show it, or "-3"), separated by
# semicolons, spaces or commas.
_MINUS = re.compile("[\u2212\u2013]")


def reminder_days(t: Translator, offsets: tuple[int, ...] | list[int]) -> str:
    """Reminder days as the admin types them: "−3; 0" (the locale's numbers, and a
    separator no locale reads as a decimal mark)."""
    return "; ".join(t.number(offset) for offset in offsets)


def examples(t: Translator, settings: timetable.CycleSettings) -> dict[str, str]:
    """A valid value for each setting, as this locale writes it: the configured ones."""
    return {
        "send_time": t.clock(settings.send_time),
        "digest_time": t.clock(settings.digest_time),
        "reminder_offsets": reminder_days(t, settings.reminder_offsets),
        **{field: t.number(number) for field, number in EXAMPLE_NUMBERS.items()},
    }


class SettingError(ValueError):
    """What is wrong with a value, as a message id and its values (the example added later)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def _apply(config: CycleConfig, field: str, value: str) -> None:
    if field in ("send_time", "digest_time"):
        try:
            parsed = timetable.parse_clock(value)
        except ValueError:
            raise SettingError(
                N_("“{value}” is not a time of day: write hours and minutes, from 00:00 to 23:59."),
                value=value,
            ) from None
        setattr(config, field, parsed.strftime("%H:%M"))
    elif field == "reminder_offsets":
        try:
            offsets = [int(_MINUS.sub("-", part)) for part in re.split(r"[,;\s]+", value) if part]
        except ValueError:
            offsets = []
        if not offsets or any(abs(o) > MAX_REMINDER_OFFSET for o in offsets):
            raise SettingError(
                N_(
                    "“{value}” is not a list of working days: write whole numbers from {low} "
                    "to {high} (before and after the due date), separated by semicolons."
                ),
                value=value,
                low=-MAX_REMINDER_OFFSET,
                high=MAX_REMINDER_OFFSET,
            )
        config.reminder_offsets = sorted(set(offsets))
    else:
        low, high = _LIMITS[field]
        value = _MINUS.sub("-", value)
        number = int(value) if re.fullmatch(r"[+-]?\d{1,4}", value) else None
        if number is None or not low <= number <= high:
            raise SettingError(
                N_("“{value}” is not allowed here: write a whole number from {low} to {high}."),
                value=value,
                low=low,
                high=high,
            )
        setattr(config, field, number)


async def reply(request: Request) -> None:
    turn, t = request.turn, request.t
    key, _, value = request.text.strip().partition(" ")
    field = SETTING_KEYS.get(key.lower())
    async with turn.services.sessions() as session:
        shown = examples(t, await cycle_store.cycle_settings(session=session))
    if field is None or not value.strip():
        await request.notice(usage_text(t, shown), warning=True)
        return
    example = f"{COMMAND.get(t.language, COMMAND['en'])} {key.lower()} {shown[field]}"
    async with write_transaction(turn.services.sessions) as session:
        config = await cycle_store.load_config(session=session)
        try:
            _apply(config, field, value.strip())
            settings = cycle_store.settings_of(config)  # every value still parses
            timetable.cycle_steps(period_of(utcnow(), turn.services.settings.zone), settings)
        except SettingError as error:
            wrong = t(error.message, **_formatted(t, error.values))
            await request.notice(
                wrong + " " + t("For example: {example}", example=example), warning=True
            )
            return
        except ValueError:
            await request.notice(usage_text(t, shown), warning=True)
            return
        await cycle_store.save_config(config, by=turn.person, session=session)
    await turn.services.cycle.replan()  # a setting changed: the steps move
    await turn.send_card(await overview_card(request))


def usage_text(t: Translator, shown: dict[str, str]) -> str:
    return t(
        "Use for example: cycle set time {time}, cycle set day 1, cycle set due 7, cycle set "
        "reminders {reminders}, cycle set escalation 2, cycle set close 3, cycle set digest "
        "{digest}.",
        time=shown["send_time"],
        reminders=shown["reminder_offsets"],
        digest=shown["digest_time"],
    )


def _formatted(t: Translator, values: dict[str, object]) -> dict[str, object]:
    """Numbers as the locale writes them (a minus sign, not a hyphen)."""
    return {k: t.number(v) if isinstance(v, int) else v for k, v in values.items()}


INTENT = Intent(
    name="set",
    words=frozenset({"cycle set", "kierros aseta", "omgång ställ", "cykel ställ"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {  # {time}: the configured send time, as the reader's locale writes it
            "fi": "kierros aseta aika {time}",
            "sv": "omgång ställ tid {time}",
            "en": "cycle set time {time}",
        },
        N_("Change the cycle's times: time, day, due, reminders, escalation, close, digest."),
    ),
)
