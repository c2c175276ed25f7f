"""Managers' answers on a generated portfolio, on SQLite and PostgreSQL, in three languages.

The expected figures are computed here with plain SQL over the generated rows, not through
``storage.portfolio``, and compared with what the real bot's cards show over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bench.portfolio import GENERATED_MANAGER_AAD, generate_portfolio
from cards import labels
from settings import Settings
from storage.db import SessionFactory, create_engine, session_factory
from tests.bot.test_answers import group_counts
from tests.support.activities import User
from tests.support.connector import FakeConnector
from tests.support.harness import BotHarness, ask, serve_bot
from translations import Translator

HELSINKI = ZoneInfo("Europe/Helsinki")
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
PROJECTS, MONTHS, SEED = 300, 6, 7


def manager(language: str) -> User:
    return User("29:gen-manager", GENERATED_MANAGER_AAD, "Johtaja 00001", LOCALES[language])


def today() -> date:
    return datetime.now(HELSINKI).date()


@pytest.fixture
async def generated_bot(database_url: str, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    engine = create_engine(database_url)
    async with session_factory(engine)() as session, session.begin():
        await generate_portfolio(
            session, projects=PROJECTS, months=MONTHS, seed=SEED, today=today()
        )
    await engine.dispose()
    settings = Settings(DATABASE_URL=database_url, CYCLE_ENABLED=False, _env_file=None)
    async for harness in serve_bot(database_url, connector, settings, portfolio=False):
        yield harness


async def _rows(sessions: SessionFactory, sql: str, **params: Any) -> list[Any]:
    async with sessions() as session:
        return list((await (await session.connection()).execute(text(sql), params)).all())


async def _scalar(sessions: SessionFactory, sql: str, **params: Any) -> Any:
    [(value,)] = await _rows(sessions, sql, **params)
    return value


def facts(card: dict[str, Any]) -> dict[str, str]:
    return {
        f["title"]: f["value"]
        for item in card["body"]
        if item.get("type") == "FactSet"
        for f in item["facts"]
    }


def translator(language: str) -> Translator:
    return Translator(language, HELSINKI)


async def test_every_figure_in_three_languages(generated_bot: BotHarness) -> None:
    sessions = generated_bot.sessions
    now = today()
    year, period = now.year, f"{now.year:04d}-{now.month:02d}"
    by_state = dict(await _rows(sessions, "SELECT state, COUNT(*) FROM project GROUP BY state"))
    by_health = dict(
        await _rows(
            sessions, "SELECT health, COUNT(*) FROM project WHERE state = 'started' GROUP BY health"
        )
    )
    progress = await _rows(sessions, "SELECT progress FROM project WHERE state = 'started'")
    average = round(sum(p for (p,) in progress) / len(progress))
    planned, actual = (
        await _rows(
            sessions,
            "SELECT SUM(planned_cents), SUM(actual_cents) FROM budgetline WHERE year = :y",
            y=year,
        )
    )[0]
    need_counts = dict(
        await _rows(
            sessions,
            "SELECT p.need_source, COUNT(*) FROM project p"
            " JOIN roadmapproject rp ON rp.project_id = p.id"
            " JOIN roadmap r ON r.id = rp.roadmap_id WHERE r.year = :y GROUP BY p.need_source",
            y=year,
        )
    )
    at_risk = await _scalar(
        sessions,
        "SELECT COUNT(*) FROM project WHERE state = 'started' AND health IN ('at_risk', 'off_track')",
    )
    received = await _scalar(
        sessions, "SELECT COUNT(*) FROM statusreport WHERE period = :p", p=period
    )
    missing = await _scalar(
        sessions,
        "SELECT COUNT(*) FROM project WHERE state = 'started' AND id NOT IN"
        " (SELECT project_id FROM statusreport WHERE period = :p)",
        p=period,
    )
    # late: off track first, then past the end date, then no report; each project once
    off_track = by_health["off_track"]
    past_end = await _scalar(
        sessions,
        "SELECT COUNT(*) FROM project WHERE state = 'started' AND end_date < :d"
        " AND (health IS NULL OR health <> 'off_track')",
        d=now,
    )
    no_report = await _scalar(
        sessions,
        "SELECT COUNT(*) FROM project WHERE state = 'started' AND id NOT IN"
        " (SELECT project_id FROM statusreport WHERE period = :p)"
        " AND (health IS NULL OR health <> 'off_track') AND (end_date IS NULL OR end_date >= :d)",
        p=period,
        d=now,
    )
    # The generated data is varied enough for the comparisons to mean something.
    assert len(by_state) == 5 and all(by_state.values())
    assert set(by_health) == {"on_track", "at_risk", "off_track"}
    assert 0 < missing < by_state["started"] and received + missing == by_state["started"]
    assert len(need_counts) == 3 and at_risk > 0

    questions = {
        "fi": ("yhteenveto", f"budjetti {year}", f"projektit tarpeittain {year}", "riskissä", "mikä on myöhässä?"),
        "sv": ("sammanfattning", f"budget {year}", f"projekt per behovskälla {year}", "i riskzonen", "vilka projekt är försenade?"),
        "en": ("summary", f"budget {year}", f"projects by need source in {year}", "at risk", "late"),
    }  # fmt: skip
    for language, (summary_q, budget_q, need_q, risk_q, late_q) in questions.items():
        t = translator(language)
        user = manager(language)

        card = await ask(generated_bot, user, summary_q)
        shown = facts(card)
        assert card["lang"] == language
        assert shown[t("Projects")] == ", ".join(
            t.plural(*labels.STATE_COUNT[state], by_state[state])
            for state in labels.STATE
            if state in by_state
        )
        for health, label in labels.HEALTH.items():
            assert shown[t(label)] == str(by_health.get(health, 0)), (language, health)
        assert shown[t("Average progress")] == t.percent(average)
        reports = t("{received} of {expected}", received=received, expected=by_state["started"])
        assert reports in shown.values(), language
        budget_fact = shown[t("Budget {year}", year=year)]
        assert t.money(int(planned)) in budget_fact and t.money(int(actual)) in budget_fact

        card = await ask(generated_bot, user, budget_q)
        assert facts(card)[t.context("budget", "Planned")] == t.money(int(planned))
        assert facts(card)[t("Actual")].startswith(t.money(int(actual)))
        assert any(
            item.get("type") == "Image" and "/charts/budget.png?" in item["url"]
            for item in card["body"]
        )

        card = await ask(generated_bot, user, need_q)
        assert t("Roadmap {year}", year=year) in card["body"][0]["text"], language
        assert group_counts(card) == {
            t(labels.NEED[need]): str(count) for need, count in need_counts.items()
        }

        card = await ask(generated_bot, user, risk_q)
        assert facts(card)[t("Projects")] == str(at_risk), language

        card = await ask(generated_bot, user, late_q)
        month = t.month(date(now.year, now.month, 1))
        assert facts(card) == {
            t("Off track"): str(off_track),
            t("Past their end date"): str(past_end),
            t("No report for {month}", month=month): str(no_report),
        }, language
