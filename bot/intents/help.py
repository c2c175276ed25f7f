"""``help`` (fi ``ohje``, sv ``hjälp``): what this person may ask and do, from the table."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from storage import cycle_store
from storage.models import Role
from translations.markers import N_

WORDS = frozenset({"help", "ohje", "hjälp", "hjalp", "apua", "?"})


async def reply(request: Request) -> None:
    from bot.intents import DEFAULT_SEND_TIME, table  # the table lists this module too

    turn = request.turn
    send_time = DEFAULT_SEND_TIME
    if turn.person.role is Role.admin:  # only an admin's help shows the cycle's send time
        async with turn.services.sessions() as session:
            send_time = (await cycle_store.cycle_settings(session=session)).send_time
    await turn.send_card(table.help_card(turn, send_time=send_time))


INTENT = Intent(
    name="help",
    words=WORDS,
    reply=reply,
    help=Help({"fi": "ohje", "sv": "hjälp", "en": "help"}, N_("Show this help.")),
)
