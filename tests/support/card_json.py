"""Walking a card's JSON, for the harness's card readers (``tests.support.cards``) and for
the Teams connector (``tests.support.teams_limits``), which runs as a process of its own
and so imports nothing of the harness."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def nodes(card: Any) -> Iterator[dict[str, Any]]:
    """Every object of a card's JSON (elements, actions, their data), in document order,
    each before what it holds."""
    if isinstance(card, dict):
        yield card
        for value in card.values():
            yield from nodes(value)
    elif isinstance(card, list):
        for item in card:
            yield from nodes(item)
