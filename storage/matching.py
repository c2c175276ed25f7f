"""Fuzzy matching of what people type against names: one scorer for every lookup.

rapidfuzz's work for each choice grows with the length of the text, and the text comes
from any sender, up to a 250 KB message. So only its first MAX_QUERY_LENGTH characters
are compared: as many as a question's arguments keep
(``bot.questions.parse.MAX_ARGUMENT_LENGTH``), and plenty to tell names apart.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
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


_WORDS = re.compile(r"[^\W_]+(?:-\d+)?")  # a code such as DR24-03 stays one word


def names_word(text: str, names: Iterable[str], *, cutoff: float = 90.0) -> bool:
    """Whether ``text`` (one to a few words) is one of ``names`` or a run of their words,
    with a typo at most (rapidfuzz ratio at least ``cutoff``): "Kartalla" is a word of
    "Kartalla-palautepalvelu", "dr24-03" a code. Case and punctuation are ignored."""
    wanted = " ".join(_WORDS.findall(text.casefold()))
    if not wanted:
        return False
    size = len(wanted.split())
    for name in names:
        words = _WORDS.findall(name.casefold())
        for start in range(len(words) - size + 1):
            if fuzz.ratio(wanted, " ".join(words[start : start + size])) >= cutoff:
                return True
    return False


def best(text: str, choices: Mapping[K, str], *, cutoff: float) -> K | None:
    found = ranked(text, choices, cutoff=cutoff, limit=1)
    return found[0][0] if found else None
