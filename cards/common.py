"""Small pieces every card uses."""

from __future__ import annotations

from typing import Any

from cards.elements import AdaptiveCard, TextBlock
from translations import Translator

# The status command as typed in each language: the help and welcome cards' button sends it.
STATUS_COMMAND = {"fi": "tila", "sv": "status", "en": "status"}
VERB_STATUS_SUBMIT = "status.submit"
VERB_STATUS_EDIT = "status.edit"
VERB_STATUS_REFRESH = "status.refresh"


def title(text: str) -> TextBlock:
    return TextBlock(text=text, size="Large", weight="Bolder", wrap=True)


def subtle(text: str) -> TextBlock:
    return TextBlock(text=text, isSubtle=True, wrap=True, spacing="None")


def attention(text: str) -> TextBlock:
    return TextBlock(text=text, color="Attention", wrap=True, spacing="Small")


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="Bolder", wrap=True, spacing="Medium")


def imback(text: str) -> dict[str, Any]:
    """Action.Submit data that posts ``text`` into the chat as if the user typed it."""
    return {"msteams": {"type": "imBack", "value": text}}


def new_card(t: Translator, fallback: str) -> AdaptiveCard:
    card = AdaptiveCard()
    card.fallback_text = fallback
    card.lang = t.language
    return card
