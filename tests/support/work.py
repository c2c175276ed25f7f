"""The work a message costs the fuzzy matching, counted rather than timed, and the
messages that cost the most.

A spy wraps rapidfuzz's scorers where the question parser (``bot.questions.parse``) and
the name lookups (``storage.matching``) call them, and the parser's swapped copies of a
word. Each pair rapidfuzz compares and each swapped copy looked up is one candidate
tried. The spy raises as soon as a bound is passed, so code without the bounds fails at
once instead of stalling the test run (a word of 28 KB used to build 700 MB of copies).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from rapidfuzz import fuzz

from bot.questions import parse
from storage import matching

TEAMS_WORD = 28_000  # the longest single word Teams delivers, in characters
LOCAL_BODY = 250_000  # a message's text that fits local mode's 256 KB body
CONSONANTS = "bcdfghjklmnpqrstvwxz"  # words of these match no cue of any language
TYPO_WORDS = 30  # the most words a message may have and still get the typo pass
TYPO_LETTERS = 32  # the most letters a word may have to be taken for a typo


class TooMuchWork(AssertionError):
    pass


@dataclass
class FuzzyWork:
    candidates: int = 0
    longest: int = 0  # the longest text compared or swapped, in characters
    max_candidates: int | None = None
    max_length: int | None = None

    def tried(self, count: int, length: int) -> None:
        self.candidates += count
        self.longest = max(self.longest, length)
        if self.max_candidates is not None and self.candidates > self.max_candidates:
            raise TooMuchWork(f"{self.candidates} candidates tried, at most {self.max_candidates}")
        if self.max_length is not None and self.longest > self.max_length:
            raise TooMuchWork(f"a text of {self.longest} characters compared")

    def bound(self, *, candidates: int, length: int) -> None:
        """From now on at most this many candidates, and no text longer than ``length``."""
        self.candidates = self.longest = 0
        self.max_candidates, self.max_length = candidates, length


def _counted(work: FuzzyWork, scorer: Callable[..., float]) -> Callable[..., float]:
    def score(a: str, b: str, **kwargs: Any) -> float:
        work.tried(1, max(len(a), len(b)))
        return scorer(a, b, **kwargs)

    return score


def spy(monkeypatch: pytest.MonkeyPatch) -> FuzzyWork:
    work = FuzzyWork()
    monkeypatch.setattr(parse, "fuzz", SimpleNamespace(ratio=_counted(work, fuzz.ratio)))
    monkeypatch.setattr(matching, "fuzz", SimpleNamespace(WRatio=_counted(work, fuzz.WRatio)))
    swaps = parse._swaps

    def counted_swaps(key: str) -> set[str]:
        work.tried(max(len(key) - 1, 0), len(key))
        return swaps(key)

    monkeypatch.setattr(parse, "_swaps", counted_swaps)
    return work


def words(size: int, *, letters: str = CONSONANTS, seed: int = 1) -> str:
    """``size`` characters of distinct words of 3-10 letters, one space between them."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        word = "".join(rng.choices(letters, k=rng.randint(3, 10)))
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:size]


def worst_typos() -> str:
    """The message that costs the typo pass and "did you mean" the most: as many words
    as get a typo pass, each as long as one may be, none of them known, and each a
    compound whose head is compared again ("xxx-yyy")."""
    rng = random.Random(2)
    half = TYPO_LETTERS // 2

    def part(size: int) -> str:
        return "".join(rng.choices(CONSONANTS, k=size))

    return " ".join(f"{part(half - 1)}-{part(TYPO_LETTERS - half)}" for _ in range(TYPO_WORDS))


def long_messages() -> dict[str, str]:
    """The longest messages a sender can make, by what they make the parser do."""
    typos = "sumary roadmpa impcat indicatros chnages forseande yhteenvto budgt directr "
    return {
        "one 28 KB word": ("abcdefghijklmnopqrstuvwxyz" * TEAMS_WORD)[:TEAMS_WORD],
        "250 KB of a": "a" * LOCAL_BODY,
        "250 KB of distinct words": words(LOCAL_BODY),
        "250 KB of typos": (typos * (LOCAL_BODY // len(typos) + 1))[:LOCAL_BODY],
        "a question, then 250 KB": "budget 2025 " + words(LOCAL_BODY - 12),
    }
