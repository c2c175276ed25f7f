"""``deputy NAME`` (fi ``sijainen``, sv ``ersättare``): who gets your status cards while
you are away."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from storage.db import write_transaction
from storage.people import find_person, set_deputy
from translations.markers import N_


async def reply(request: Request) -> None:
    turn, name = request.turn, request.text.strip()
    candidate = None
    if name:
        async with turn.services.sessions() as session:
            candidate = await find_person(name, session=session)
    if candidate is None or candidate.id is None or candidate.id == turn.person.id:
        await request.notice(
            turn.t("I did not find that person. Use for example: deputy Sanna Lehtonen."),
            warning=True,
        )
        return
    if turn.person.id is not None:
        async with write_transaction(turn.services.sessions) as session:
            await set_deputy(turn.person.id, candidate.id, session=session)
    turn.services.people.forget(turn.person.aad_object_id)
    await request.notice(turn.t("{deputy} is now your deputy.", deputy=candidate.name))


INTENT = Intent(
    name="deputy",
    words=frozenset({"deputy", "sijainen", "ersättare"}),
    reply=reply,
    help=Help(
        {"fi": "sijainen NIMI", "sv": "ersättare NAMN", "en": "deputy NAME"},
        N_("Name your deputy."),
    ),
)
