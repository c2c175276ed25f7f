"""Issue 14: ``roadmap 2026 as of 5/2026`` (fi ``tilanne``, sv ``per``) rebuilt from the
status history, held against the demo's own SQL, on the card a manager or viewer is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from tests.bot.test_answer_numbers import _row_text, _sections
from tests.bot.test_answers import HELSINKI, MANAGER, VIEWER
from tests.support import activities as a
from tests.support.cards import facts, texts
from tests.support.harness import BotHarness, ask
from translations import Translator

# The end of May 2026 in Helsinki, in UTC as SQLite keeps it.
CUTOFF = "2026-05-31 21:00:00"

# Each project on roadmap 2026, with its latest report up to 2026-05 given by the cutoff,
# at its latest revision by then (or the report's own values, without revisions).
THEN = """
SELECT p.code, COALESCE(v.progress, r.progress), COALESCE(v.health, r.health), p.progress
FROM statusreport r
JOIN project p ON p.id = r.project_id
JOIN roadmapproject rp ON rp.project_id = p.id
JOIN roadmap m ON m.id = rp.roadmap_id AND m.year = 2026
LEFT JOIN statusrevision v ON v.report_id = r.id AND v.number = (
    SELECT MAX(number) FROM statusrevision
    WHERE report_id = r.id AND submitted_at < :cutoff)
WHERE r.period = (
    SELECT MAX(period) FROM statusreport r2
    WHERE r2.project_id = r.project_id AND r2.period <= '2026-05'
      AND r2.first_submitted_at < :cutoff)
"""


async def _rows(bot: BotHarness, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with bot.sessions() as session:
        connection = await session.connection()
        if connection.dialect.name != "sqlite":  # SQLite keeps UTC times as text
            params = {k: datetime.fromisoformat(v + "+00:00") for k, v in params.items()}
        result = await connection.execute(text(sql), params)
        return [tuple(row) for row in result.all()]


def _shown(card: dict[str, Any]) -> dict[str, str]:
    """Each listed project's code and its row's text."""
    return {
        _row_text(columns).split(" · ", 1)[0]: _row_text(columns)
        for _, rows in _sections(card)
        for columns in rows
    }


async def _all_pages(bot: BotHarness, first: dict[str, Any]) -> dict[str, str]:
    shown = _shown(first)
    card = first
    page = 0
    while more := [
        action
        for action in card.get("actions", [])
        if action.get("verb") == "answer.more" and action["data"]["page"] > page
    ]:
        page += 1
        assert more[0]["data"]["as_of"] == "2026-05"  # the next page is of the same month
        status, body = await bot.post(
            a.execute(MANAGER["en"], bot.connector.url, "answer.more", more[0]["data"])
        )
        assert status == 200
        card = body["value"]
        shown |= _shown(card)
    return shown


async def test_a_roadmap_as_of_a_month_shows_each_project_as_it_was_reported_then(
    demo_bot: BotHarness,
) -> None:
    then = await _rows(demo_bot, THEN, cutoff=CUTOFF)
    assert then and any(progress != now for _, progress, _, now in then)  # history differs
    t = Translator("en", HELSINKI)
    card = await ask(demo_bot, MANAGER["en"], "roadmap 2026 as of 5/2026")
    assert card["body"][0]["text"] == "Roadmap 2026 as of May 2026"
    assert "31 May 2026" in texts(card)
    shown = await _all_pages(demo_bot, card)
    for code, progress, health, _ in then:
        assert f"{t(HEALTH_EN[health])} · {t.percent(progress)}" in shown[code], code
    counts = facts(card)
    for health, label in HEALTH_EN.items():
        assert counts[label] == str(sum(1 for row in then if row[2] == health))


HEALTH_EN = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}


@pytest.mark.parametrize(
    ("language", "question", "heading"),
    [
        ("fi", "tiekartta 2024 tilanne 10/2024", "Tiekartta 2024, tilanne lokakuu 2024"),
        ("sv", "färdplan 2024 per 10/2024", "Färdplan 2024 per oktober 2024"),
        ("en", "roadmap 2024 as of 10/2024", "Roadmap 2024 as of October 2024"),
    ],
)
async def test_before_any_report_only_projects_completed_by_then_have_a_health(
    demo_bot: BotHarness, language: str, question: str, heading: str
) -> None:
    [(reports,)] = await _rows(
        demo_bot, "SELECT COUNT(*) FROM statusreport WHERE period <= '2024-10'"
    )
    assert reports == 0
    completed = await _rows(  # their final health is known; no one else's was reported
        demo_bot,
        "SELECT p.code, p.health FROM project p JOIN roadmapproject rp ON rp.project_id = p.id "
        "JOIN roadmap m ON m.id = rp.roadmap_id AND m.year = 2024 "
        "WHERE p.state = 'completed' AND p.end_date <= '2024-10-31'",
    )
    [(others,)] = await _rows(
        demo_bot,
        "SELECT COUNT(*) FROM project p JOIN roadmapproject rp ON rp.project_id = p.id "
        "JOIN roadmap m ON m.id = rp.roadmap_id AND m.year = 2024 "
        "WHERE p.health IS NOT NULL AND NOT (p.state = 'completed' AND p.end_date <= '2024-10-31')",
    )
    assert others > 0  # today, they have a health
    card = await ask(demo_bot, MANAGER[language], question)
    assert card["body"][0]["text"] == heading
    t = Translator(language, HELSINKI)
    for health, label in HEALTH_EN.items():
        assert facts(card)[t(label)] == str(sum(1 for _, h in completed if h == health))
    done = dict(completed)
    shown = _shown(card)  # the first page: the demo completes more of 2024 than a page holds
    assert set(done) & set(shown)
    for code, row in shown.items():
        if code in done:
            assert t(HEALTH_EN[done[code]]) in row, code
        else:
            assert all(t(label) not in row for label in HEALTH_EN.values()), code


async def test_a_viewer_sees_the_month_without_money(demo_bot: BotHarness) -> None:
    card = await ask(demo_bot, VIEWER, "roadmap 2026 as of 2026-05")
    assert "€" not in texts(card)
    assert card["body"][0]["text"] == "Roadmap 2026 as of May 2026"


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("roadmap 2024 as of 13/2024", "“13/2024” is not a month."),
        ("roadmap 2030 as of 1/2030", "up to this month"),
    ],
)
async def test_a_month_that_cannot_be_shown_is_refused_with_an_example(
    demo_bot: BotHarness, question: str, says: str
) -> None:
    card = await ask(demo_bot, MANAGER["en"], question)
    assert says in texts(card)
    assert "roadmap 2024 as of 10/2024" in texts(card)
