"""One routing table: command words and card verbs to their handlers."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.context import Turn

CommandHandler = Callable[[Turn, str], Awaitable[None]]
# An action handler returns the card that replaces the one the user acted on.
ActionHandler = Callable[[Turn, Mapping[str, Any]], Awaitable[dict[str, Any]]]
COMMAND_WORDS = 3  # the words a command phrase may have ("cycle set" has two)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    words: frozenset[str]  # every language's word for it, lower case
    handler: CommandHandler


def normalise(text: str) -> str:
    """Lower case, trimmed, single-spaced, without a leading slash or trailing punctuation."""
    text = unicodedata.normalize("NFC", text).strip().lower().lstrip("/")
    # As re.sub(r"\s+", " ", text), without the regex's 80 ns a character; only the
    # slashes stripped can leave whitespace at either end, and then only at the start.
    single = " ".join(text.split())
    return (" " + single if text[:1].isspace() else single).rstrip("?!.")


class Router:
    def __init__(
        self,
        commands: list[Command],
        actions: dict[str, ActionHandler],
        fallback: CommandHandler,
    ) -> None:
        self._by_word = {word: command for command in commands for word in command.words}
        self._actions = actions
        self._fallback = fallback

    def command_for(self, text: str) -> tuple[CommandHandler, str]:
        """The handler for a message and the rest of the text after the command word."""
        # A command is at most three words: only those are read, and the one after them,
        # whose trailing "?" normalise would strip had the message ended there. The rest
        # is split only for a command, so a long message costs the router no more.
        head = text.split(maxsplit=COMMAND_WORDS + 1)[: COMMAND_WORDS + 1]
        normalised = normalise(" ".join(head)).split(" ")
        for length in range(COMMAND_WORDS, 0, -1):  # "cycle set" before "cycle"
            command = self._by_word.get(" ".join(normalised[:length]))
            if command is not None and len(normalised) >= length:
                return command.handler, " ".join(text.split()[length:]).rstrip("?!.")
        return self._fallback, text.strip()

    def action_for(self, verb: str) -> ActionHandler | None:
        return self._actions.get(verb)

    @property
    def verbs(self) -> frozenset[str]:
        """Every card verb the bot answers."""
        return frozenset(self._actions)
