"""The message ids the code uses, found by Babel's extractor (``t("...")`` and ``N_("...")``)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "cards", "charts", "storage", "scheduler", "translations")
KEYWORDS = {"t": None, "N_": None}


def used_message_ids() -> dict[str, list[str]]:
    """Each message id with the places (``path:line``) it is used."""
    found: dict[str, list[str]] = {}
    for folder in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"{folder}/{filename}:{lineno}")
    return found
