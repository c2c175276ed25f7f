"""``away 20.12.2026`` (fi ``poissa``, sv ``frånvarande``, or as before ``borta``): your deputy gets your status cards
until then. Admins may add ``for NAME`` to set it for someone else.

The date is read as the person's locale writes it (``20.12.2026``; ``20/12/2026`` in
English) or as ISO (``2026-12-20``); the example shows the locale's way.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from babel.dates import parse_date

from bot.intents.registry import Help, Intent, Request
from storage.db import write_transaction
from storage.models import utcnow
from storage.people import find_person, set_away
from translations import Translator
from translations.markers import N_

_FOR = re.compile(r"\s+(?:for|för|puolesta)\s+")
EXAMPLE_DAYS_AHEAD = 14  # the example's date: two weeks from today


def _parts(request: Request) -> tuple[str, str | None]:
    """The date as typed, and whom it is for (None: the person themself)."""
    parts = _FOR.split(request.text, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _for_someone_else(request: Request) -> bool:
    return _parts(request)[1] is not None


def _parse_day(text: str, t: Translator) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parse_date(text, locale=t.babel_locale)
    except (ValueError, IndexError):
        return None


async def reply(request: Request) -> None:
    turn, t = request.turn, request.t
    day_text, whom = _parts(request)
    target, found = turn.person, None
    if whom:
        async with turn.services.sessions() as session:
            found = await find_person(whom, session=session)
    day = _parse_day(day_text, t)
    if whom and found is not None:
        target = found
    if (whom and found is None) or day is None or day < utcnow().date() or target.id is None:
        example = t.day(utcnow().astimezone(t.zone).date() + timedelta(days=EXAMPLE_DAYS_AHEAD))
        await request.notice(
            t("Use for example: away {date} (admins: away {date} for Name).", date=example),
            warning=True,
        )
        return
    async with write_transaction(turn.services.sessions) as session:
        deputy = await set_away(target.id, day, session=session)
    turn.services.people.forget(target.aad_object_id)
    text = t("{name} is away until {date}.", name=target.name, date=t.date(day))
    if deputy is None:
        text += " " + t("There is no deputy: name one with deputy NAME, or the admins are told.")
    else:
        text += " " + t("{deputy} gets the status cards meanwhile.", deputy=deputy.name)
    await request.notice(text)


INTENT = Intent(
    name="away",
    words=frozenset({"away", "poissa", "frånvarande", "borta"}),
    admin_when=_for_someone_else,
    reply=reply,
    help=Help(
        {
            "fi": "poissa PVM · paikalla",
            "sv": "frånvarande DATUM · tillbaka",
            "en": "away DATE · back",
        },
        N_("Tell me you are away: your deputy gets your status cards meanwhile."),
    ),
)
