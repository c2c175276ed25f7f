"""The message ids the code uses, found by Babel's extractor, and what a catalog lacks.

Found: ``t("...")`` and ``N_("...")``, plural pairs, ``t.plural("...", "...", n)``
and ``NP_("...", "...")``, and messages in a context, ``t.context("budget", "...")`` and
``NC_("budget", "...")``. A plural pair is the tuple (singular, plural), as Babel's
catalog keeps a plural entry's ``msgid`` and ``msgid_plural``. A message in a context is
named as gettext keys it in a compiled catalog: ``"budget\x04Planned"``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "bot",
    "cards",
    "charts",
    "cli",
    "deck",
    "exports",
    "storage",
    "scheduler",
    "translations",
)
KEYWORDS = {
    "t": None,
    "N_": None,
    "plural": (1, 2),
    "NP_": (1, 2),
    "context": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
}
CONTEXT_SEPARATOR = "\x04"  # gettext's, between a context and its message id

MessageId = str | tuple[str, str]


def in_context(context: str | None, message: str) -> str:
    """A message id as it is named with its context (the message id alone without one)."""
    return f"{context}{CONTEXT_SEPARATOR}{message}" if context else message


def english(key: MessageId) -> str:
    """The English text of a message id: its singular, without its context."""
    text = key if isinstance(key, str) else key[0]
    return text.rsplit(CONTEXT_SEPARATOR, 1)[-1]


def used_message_ids() -> dict[MessageId, list[str]]:
    """Each message id, or plural pair, with the places (``path:line``) it is used."""
    found: dict[MessageId, list[str]] = {}
    for folder in SOURCES:
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            key: MessageId | None = None
            if isinstance(message, str) and message:
                key = in_context(context, message)
            elif isinstance(message, tuple) and len(message) == 2 and all(message):
                key = (str(message[0]), str(message[1]))
            if key is not None:
                found.setdefault(key, []).append(f"{folder}/{filename}:{lineno}")
    return found


def message_id(message: Message) -> MessageId:
    """A catalog entry's id, as ``used_message_ids`` names it."""
    if isinstance(message.id, str):
        return in_context(message.context, message.id)
    singular, plural = message.id[0], message.id[1]
    return (str(singular), str(plural))


def translations(catalog: Catalog) -> dict[MessageId, tuple[str, ...]]:
    """Each entry's translation: one text, or one per plural form (fuzzy ones left out)."""
    found: dict[MessageId, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found[message_id(message)] = tuple(str(s or "") for s in strings)
    return found


def untranslated(catalog: Catalog) -> list[MessageId]:
    """Entries that would show English: an empty text, a plural entry missing one of the
    catalog's plural forms (``nplurals`` in its header), or a singular/plural mismatch."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        forms = catalog.num_plurals if message.pluralizable else 1
        if message.fuzzy or len(strings) != forms or not all(strings):
            missing.append(message_id(message))
    return missing
