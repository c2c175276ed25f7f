"""``help`` / ``ohje`` / ``hjälp``, and the answer to anything not understood."""

from __future__ import annotations

from bot.context import Turn
from cards.messages import build_help_card
from storage.models import Role

WORDS = frozenset({"help", "ohje", "hjälp", "hjalp", "apua", "?"})


async def handle(turn: Turn, _rest: str) -> None:
    await turn.send_card(build_help_card(turn.t, admin=turn.person.role == Role.admin))
