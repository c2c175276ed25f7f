"""Reading the cards the bot sends as a user would, and filling the status card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.support.card_json import nodes
from tests.support.harness import BotHarness
from tests.support.portfolio import CURRENT_PERIOD

SAVE_TITLE = {"fi": "Tallenna tila", "sv": "Spara status", "en": "Save status"}
EDIT_TITLE = {"fi": "Muokkaa", "sv": "Redigera", "en": "Edit"}


def texts(card: dict[str, Any]) -> str:
    """All the text a user can read on a card, flattened."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label", "value", "placeholder"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def _input_elements(card: Any) -> Iterator[dict[str, Any]]:
    """Every ``Input.*`` element of a card, in document order."""
    return (node for node in nodes(card) if str(node.get("type", "")).startswith("Input."))


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {node["id"]: node.get("value") for node in _input_elements(card) if "id" in node}


def facts(card: dict[str, Any]) -> dict[str, str]:
    """The card's FactSets at the top of its body, as title -> value."""
    return {
        f["title"]: f["value"]
        for item in card["body"]
        if item.get("type") == "FactSet"
        for f in item["facts"]
    }


def input_labels(card: dict[str, Any]) -> list[str]:
    """The labels of the card's inputs, in order."""
    return [node["label"] for node in _input_elements(card) if "label" in node]


def submission(bot: BotHarness, **overrides: Any) -> dict[str, Any]:
    first, second = bot.portfolio.metric_ids
    data: dict[str, Any] = {
        "verb": "status.submit",
        "project_id": bot.portfolio.kartalla_id,
        "period": CURRENT_PERIOD,
        "health": "at_risk",
        "progress": "55",
        "spent": "25000",
        "forecast": "52 000,50",
        f"metric_{first}": "120",
        f"metric_{second}": "",
        "achievements": "Mobiilinäkymä julkaistu",
        "next_steps": "Koulutus",
        "risks": "",
    }
    data.update(overrides)
    return data
