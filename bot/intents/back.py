"""``back`` (fi ``paikalla``, sv ``tillbaka``): the status cards come to you again (its
help line is ``away``'s)."""

from __future__ import annotations

from bot.intents.registry import Intent, Request
from storage.db import write_transaction
from storage.people import set_away


async def reply(request: Request) -> None:
    turn = request.turn
    if turn.person.id is not None:
        async with write_transaction(turn.services.sessions) as session:
            await set_away(turn.person.id, None, session=session)
    turn.services.people.forget(turn.person.aad_object_id)
    await request.notice(turn.t("Welcome back: the status cards come to you again."))


INTENT = Intent(name="back", words=frozenset({"back", "paikalla", "tillbaka"}), reply=reply)
