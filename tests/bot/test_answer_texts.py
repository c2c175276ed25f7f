"""Issue 14, "Language a city would sign": answers whose lines put a count, a name or a
date next to words say them in one message of the reader's language, and write numbers,
months and dates as the locale does."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from charts.data import PortfolioCharts
from charts.kinds import ChartKind
from tests.bot.test_answers import HELSINKI, MANAGER
from tests.support.cards import facts, texts
from tests.support.harness import BotHarness, ask
from translations import Translator


async def _execute(bot: BotHarness, sql: str, **params: Any) -> None:
    async with bot.sessions() as session, session.begin():
        await (await session.connection()).execute(text(sql), params)


@pytest.mark.parametrize(
    ("language", "question", "projects", "states"),
    [
        # the word agrees with the count: "1 valmistunut", "18 valmistunutta"
        ("fi", "yhteenveto", "Projektit", ("{n} käynnissä", "18 valmistunutta")),
        ("sv", "sammanfattning", "Projekt", ("{n} pågående", "18 slutförda")),
        ("en", "summary", "Projects", ("{n} started", "18 completed")),
    ],
)
async def test_the_summary_counts_projects_in_a_state_in_one_message(
    demo_bot: BotHarness, language: str, question: str, projects: str, states: tuple[str, ...]
) -> None:
    async with demo_bot.sessions() as session:
        started = (
            await (await session.connection()).execute(
                text("SELECT COUNT(*) FROM project WHERE state = 'started'")
            )
        ).scalar_one()
    shown = facts(await ask(demo_bot, MANAGER[language], question))[projects]
    for state in states:
        assert state.format(n=started) in shown.split(", ")


@pytest.mark.parametrize(
    ("language", "question", "approved", "draft"),
    [
        ("fi", "tiekartta {year}", "Tiekartta 2025, hyväksytty {date}", "Tiekartta 2026 (luonnos)"),
        ("sv", "färdplan {year}", "Färdplan 2025, godkänd {date}", "Färdplan 2026 (utkast)"),
        ("en", "roadmap {year}", "Roadmap 2025, approved {date}", "Roadmap 2026 (draft)"),
    ],
)
async def test_a_roadmaps_title_and_state_are_one_message(
    demo_bot: BotHarness, language: str, question: str, approved: str, draft: str
) -> None:
    t = Translator(language, HELSINKI)
    card = await ask(demo_bot, MANAGER[language], question.format(year=2025))
    assert approved.format(date=t.date(date(2024, 11, 18))) in texts(card).splitlines()
    await _execute(
        demo_bot, "UPDATE roadmap SET state = 'draft', approved_on = NULL WHERE year = 2026"
    )
    card = await ask(demo_bot, MANAGER[language], question.format(year=2026))
    assert draft in texts(card).splitlines()


async def test_periods_on_indicator_rows_and_progress_charts_are_the_locales_months(
    demo_bot: BotHarness,
) -> None:
    await _execute(
        demo_bot,
        "INSERT INTO indicatorvalue (indicator_set_id, period, value, note) "
        "SELECT id, '2026-06', 66, '' FROM indicatorset WHERE code = 'EPALV'",
    )
    for language, question in (
        ("fi", "indikaattorit"),
        ("sv", "indikatorer"),
        ("en", "indicators"),
    ):
        t = Translator(language, HELSINKI)
        shown = texts(await ask(demo_bot, MANAGER[language], question))
        assert f"{t.month(date(2026, 6, 1))}: {t.quantity(66, '%')}" in shown
        assert "2026-06" not in shown
    charts = PortfolioCharts(demo_bot.sessions, HELSINKI)
    async with demo_bot.sessions() as session:
        project = (
            await (await session.connection()).execute(
                text("SELECT id FROM project WHERE code = 'DR24-05'")
            )
        ).scalar_one()
    spec = await charts.chart_data(
        ChartKind.progress, {"project": str(project), "lang": "fi"}, "progress"
    )
    label = spec.kwargs["period_label"]
    assert callable(label) and label("2026-10") == "10.2026" and label("2026") == "2026"


@pytest.mark.parametrize(
    ("language", "question", "source"),
    [
        ("fi", "indikaattorit", "lähde: Kaupungin palvelukartoitus"),
        ("sv", "indikatorer", "källa: Stadens tjänstekartläggning"),
        ("en", "indicators", "source: The city's service survey"),
    ],
)
async def test_an_indicator_sets_source_is_in_the_readers_language(
    demo_bot: BotHarness, language: str, question: str, source: str
) -> None:
    shown = texts(await ask(demo_bot, MANAGER[language], question))
    assert source in shown
    await _execute(demo_bot, "UPDATE indicatorset SET source_sv = '', source_en = ''")
    shown = texts(await ask(demo_bot, MANAGER[language], question))
    if language != "fi":  # none in this language: the Finnish one, marked as such
        assert "Kaupungin palvelukartoitus (fi)" in shown
