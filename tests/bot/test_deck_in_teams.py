"""The board deck in Teams: ``deck 2025`` for managers and admins, a file that opens."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from yarl import URL

from bot.intents.board_deck import parse_arguments
from storage.demo import DEMO_MANAGER_AAD, DEMO_VIEWER_AAD
from tests.support import activities as a
from tests.support.activities import User
from tests.support.cards import texts
from tests.support.harness import BotHarness

MANAGER = User("29:manager", DEMO_MANAGER_AAD, "Björn Lindqvist", "sv-FI")
VIEWER = User("29:viewer", DEMO_VIEWER_AAD, "Emilia Nyström", "en-GB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (2027, None)),
        ("2025", (2025, None)),
        ("2025 as of 10/2024", (2025, "2024-10")),
        ("2025 tilanne 10/2024", (2025, "2024-10")),
        ("2025 per 2024-10", (2025, "2024-10")),
        ("2025 as of 13/2024", None),
        ("2025 as of 12/2026", None),  # after this month
        ("next year", None),
    ],
)
def test_the_year_and_the_month_as_of(text: str, expected: tuple[int, str | None] | None) -> None:
    assert parse_arguments(text, this_year=2026, this_period="2026-11") == expected


async def test_a_manager_gets_the_deck_in_their_language_and_a_viewer_is_refused(
    demo_bot: BotHarness,
) -> None:
    await demo_bot.post(a.message(MANAGER, demo_bot.connector.url, "presentation 2025"))
    [card] = demo_bot.connector.cards()
    [action] = [x for x in card["actions"] if x["type"] == "Action.OpenUrl"]
    link = URL(action["url"])
    async with demo_bot.http.get(
        str(URL(demo_bot.url).with_path(link.path).with_query(link.query))
    ) as response:
        assert response.status == 200
        deck = Presentation(io.BytesIO(await response.read()))
    slide_texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any("2025" in text for text in slide_texts)
    assert any("Färdplan" in text or "färdplan" in text for text in slide_texts), "in Swedish"
    await demo_bot.post(a.message(VIEWER, demo_bot.connector.url, "deck 2025"))
    refused = demo_bot.connector.cards()[-1]
    assert "Only managers and programme admins can do that." in texts(refused)
