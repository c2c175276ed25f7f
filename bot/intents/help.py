"""``help`` (fi ``ohje``, sv ``hjälp``): what this person may ask and do, from the table."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from translations.markers import N_

WORDS = frozenset({"help", "ohje", "hjälp", "hjalp", "apua", "?"})


async def reply(request: Request) -> None:
    from bot.intents import table  # the table lists this module too

    await request.turn.send_card(table.help_card(request.turn))


INTENT = Intent(
    name="help",
    words=WORDS,
    reply=reply,
    help=Help({"fi": "ohje", "sv": "hjälp", "en": "help"}, N_("Show this help.")),
)
