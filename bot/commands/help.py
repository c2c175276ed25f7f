"""``help`` / ``ohje`` / ``hjälp``, and the answer to anything not understood."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from bot.context import Turn
from cards.messages import build_help_card
from storage.models import Role
from translations import Translator

WORDS = frozenset({"help", "ohje", "hjälp", "hjalp", "apua", "?"})


@lru_cache(maxsize=32)
def help_card(t: Translator, *, admin: bool) -> Mapping[str, Any]:
    """The plain help card depends only on the language and the admin commands: built once."""
    return build_help_card(t, admin=admin)


async def handle(turn: Turn, _rest: str) -> None:
    await turn.send_card(help_card(turn.t, admin=turn.person.role == Role.admin))
