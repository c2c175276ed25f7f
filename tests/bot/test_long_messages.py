"""The longest messages a sender can make are answered like short ones, for bounded work.

Teams delivers one word of 28 KB; local mode takes bodies of 250 KB. Each goes through
the whole turn (router, parser, "did you mean", name lookups) while a spy counts the
candidates the fuzzy matching tries: no more than for the worst message of 30 words.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import activities as a
from tests.support import work
from tests.support.activities import User
from tests.support.cards import texts
from tests.support.harness import BotHarness
from tests.support.portfolio import ADMIN

ASKER = User(ADMIN.teams_id, ADMIN.aad, ADMIN.name, "en-GB")
QUESTIONS = {"a question, then 250 KB"}  # the others are not questions


async def answer(bot: BotHarness, text: str) -> dict[str, Any]:
    before = len(bot.connector.cards())
    status, _ = await bot.post(a.message(ASKER, bot.connector.url, text))
    assert status == 201
    cards = bot.connector.cards()
    assert len(cards) == before + 1, "one answer"
    return cards[-1]


@pytest.mark.parametrize("name", list(work.long_messages()))
async def test_a_long_message_is_answered_for_no_more_work_than_a_short_one(
    sqlite_bot: BotHarness, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    counted = work.spy(monkeypatch)
    worst = work.worst_typos()
    assert f'I did not understand "{worst[:80]}"' in texts(await answer(sqlite_bot, worst))
    counted.bound(candidates=counted.candidates, length=1000)

    text = work.long_messages()[name]
    shown = texts(await answer(sqlite_bot, text))

    assert counted.max_candidates is not None
    assert counted.candidates <= counted.max_candidates  # the spy raised otherwise
    if name in QUESTIONS:
        assert "Budget" in shown and "2025" in shown
    else:
        assert f'I did not understand "{text[:80]}"' in shown
