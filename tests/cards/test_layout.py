"""Issue 14, "Words break mid-word": no card squeezes text into a narrow column.

Teams renders a ColumnSet's columns side by side at every width, 400 px on a phone
included. An "auto" column is as wide as its text, so a long text there leaves its
neighbour a sliver, where names break inside a word ("oppimisal/ustojen"); a small
weighted column does the same to its own text. This rule is checked on every card the
builders make, in every language, and on a card that breaks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cards.answers import build_answer_card
from cards.views import AnswerRow, AnswerSection, AnswerView
from tests.cards.test_cards import CARDS
from tests.support.card_json import nodes
from translations import LANGUAGES, Translator

HELSINKI = ZoneInfo("Europe/Helsinki")

MAX_AUTO_CHARS = 20  # the longest line an "auto" column may hold beside another column
MIN_SHARE_FOR_TEXT = 0.3  # a weighted column narrower than this holds a short label only
MAX_NARROW_CHARS = 12


def _blocks(element: Any) -> Iterator[dict[str, Any]]:
    return (node for node in nodes(element) if node.get("type") in ("TextBlock", "RichTextBlock"))


def _longest_line(column: dict[str, Any]) -> int:
    lines = [
        line
        for block in _blocks(column.get("items", []))
        for line in str(block.get("text", "")).split("\n")
    ]
    return max((len(line) for line in lines), default=0)


def squeezed(card: Any) -> list[str]:
    """Each column that would squeeze text below a readable width, described."""
    found: list[str] = []
    if isinstance(card, list):
        for item in card:
            found += squeezed(item)
        return found
    if not isinstance(card, dict):
        return found
    if card.get("type") == "ColumnSet" and len(card.get("columns", [])) > 1:
        columns = card["columns"]
        weights = [c.get("width") for c in columns]
        numeric = [w for w in weights if isinstance(w, int | float)]
        total = sum(numeric)
        for column in columns:
            width, longest = column.get("width", "auto"), _longest_line(column)
            if width == "auto" and longest > MAX_AUTO_CHARS:
                found.append(f"auto column with a {longest}-character line")
            narrow = isinstance(width, int | float) and total and width / total < MIN_SHARE_FOR_TEXT
            if narrow and longest > MAX_NARROW_CHARS:
                found.append(f"{width}/{total} column with a {longest}-character line")
    for value in card.values():
        found += squeezed(value)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(CARDS))
def test_no_card_squeezes_text_into_a_narrow_column(name: str, language: str) -> None:
    card = CARDS[name](Translator(language, HELSINKI))
    assert squeezed(card) == [], name


def test_a_long_value_beside_a_name_is_caught_and_the_answer_card_avoids_it() -> None:
    t = Translator("fi", HELSINKI)
    long_value = "Riskissä · 85 %\n55 000 € suunnitelmasta 60 000 €"
    broken = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [{"type": "TextBlock", "text": "x"}]},
            {
                "type": "Column",
                "width": "auto",
                "items": [{"type": "TextBlock", "text": long_value}],
            },
        ],
    }
    assert squeezed(broken)
    view = AnswerView(
        title="Projektit",
        sections=[
            AnswerSection(
                "Projektit",
                [AnswerRow("DR25-21 · Koulujen oppimisalustojen yhtenäistäminen", "", long_value)],
            )
        ],
    )
    assert squeezed(build_answer_card(view, t)) == []


def test_a_rows_detail_of_several_lines_is_a_block_a_line() -> None:
    """A lone "\\n" inside one TextBlock is a space in some renderers (the Playground's),
    which ran an owner's risk into the owner's name: each line is its own block."""
    t = Translator.for_locale("fi-FI", HELSINKI)
    row = AnswerRow(title="DR25-06 · Ryhti", detail="Käynnissä · Erik\nRiskit: aikataulu")
    view = AnswerView(title="Riskissä", sections=[AnswerSection(heading="Projektit", rows=[row])])
    texts = [block["text"] for block in _blocks(build_answer_card(view, t))]
    assert "Käynnissä · Erik" in texts and "Riskit: aikataulu" in texts
    assert not any("\n" in text for text in texts), texts
