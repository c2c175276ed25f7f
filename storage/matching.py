"""Fuzzy matching of what people type against names: one scorer for every lookup.

rapidfuzz's work for each choice grows with the length of the text, and the text comes
from any sender, up to a 250 KB message. So only its first MAX_QUERY_LENGTH characters
are compared: as many as a question's arguments keep
(``bot.questions.parse.MAX_ARGUMENT_LENGTH``), and plenty to tell names apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Final, TypeVar

from rapidfuzz import fuzz, process, utils

K = TypeVar("K", bound=Hashable)
MAX_QUERY_LENGTH: Final = 200


def ranked(
    text: str, choices: Mapping[K, str], *, cutoff: float, limit: int = 5
) -> list[tuple[K, float]]:
    """The keys whose text is close to ``text`` (case and punctuation ignored), best first."""
    found = process.extract(
        text[:MAX_QUERY_LENGTH],
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [(key, float(score)) for _text, score, key in found]


def best(text: str, choices: Mapping[K, str], *, cutoff: float) -> K | None:
    found = ranked(text, choices, cutoff=cutoff, limit=1)
    return found[0][0] if found else None
