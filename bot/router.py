"""The router: a message's command words, or a card's verb, to its intent in the table."""

from __future__ import annotations

import unicodedata

from bot.intents import Table
from bot.intents.registry import Intent

COMMAND_WORDS = 3  # the words a command phrase may have ("cycle set" has two)


def normalise(text: str) -> str:
    """Lower case, trimmed, single-spaced, without a leading slash or trailing punctuation."""
    text = unicodedata.normalize("NFC", text).strip().lower().lstrip("/")
    # As re.sub(r"\s+", " ", text), without the regex's 80 ns a character; only the
    # slashes stripped can leave whitespace at either end, and then only at the start.
    single = " ".join(text.split())
    return (" " + single if text[:1].isspace() else single).rstrip("?!.")


class Router:
    """Finds the intent a message or a card verb is for, in the intent table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._by_word = table.by_word

    def command_for(self, text: str) -> tuple[Intent | None, str]:
        """The intent of a command and the text after its words; None for anything else
        (a question, or not understood), with the text as it was."""
        # A command is at most three words: only those are read, and the one after them,
        # whose trailing "?" normalise would strip had the message ended there. The rest
        # is split only for a command, so a long message costs the router no more.
        head = text.split(maxsplit=COMMAND_WORDS + 1)[: COMMAND_WORDS + 1]
        normalised = normalise(" ".join(head)).split(" ")
        for length in range(COMMAND_WORDS, 0, -1):  # "cycle set" before "cycle"
            intent = self._by_word.get(" ".join(normalised[:length]))
            if intent is not None and len(normalised) >= length:
                return intent, " ".join(text.split()[length:]).rstrip("?!.")
        return None, text.strip()

    def action_for(self, verb: str) -> Intent | None:
        return self.table.by_verb.get(verb)

    @property
    def verbs(self) -> frozenset[str]:
        """Every card verb the bot answers."""
        return frozenset(self.table.by_verb)
