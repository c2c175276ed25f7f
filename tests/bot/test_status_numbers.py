"""The status form never changes what an owner typed, and shows numbers as they write them.

Over HTTP, in Finnish, Swedish and English: a value out of range, or a text too long, is
refused under its field with what was typed kept (the card's inputs carry no maxLength,
min or max, with which a client cuts or clamps without a word); saved numbers come back
in the reader's locale, and the pre-filled form saves the same values again unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from storage.models import MetricValue, ProjectMetric, StatusReport
from tests.support import activities as a
from tests.support.activities import as_language
from tests.support.cards import inputs, submission, texts
from tests.support.harness import BotHarness, ask
from tests.support.portfolio import CURRENT_PERIOD, OWNER

NBSP = "\xa0"
STATUS_WORD = {"fi": "tila", "sv": "status", "en": "status"}
# "12 500,50" as each language writes it, and the pre-filled form gives it back
TYPED_MONEY = {"fi": "12 500,50", "sv": "12 500,50", "en": "12,500.50"}
SHOWN_MONEY = {"fi": f"12{NBSP}500,50", "sv": f"12{NBSP}500,50", "en": "12,500.50"}
TYPED_METRIC = {"fi": "1 234,5", "sv": "1 234,5", "en": "1,234.5"}
SHOWN_METRIC = {"fi": f"1{NBSP}234,5", "sv": f"1{NBSP}234,5", "en": "1,234.5"}
CONFIRMED_METRIC = {
    "fi": f"1{NBSP}234,5{NBSP}kpl",
    "sv": f"1{NBSP}234,5{NBSP}st.",
    "en": f"1,234.5{NBSP}pcs",
}
TARGET_LABEL = {
    "fi": f"Palautteita (kpl), tavoite 3{NBSP}000{NBSP}kpl",
    "sv": f"Respons (st.), mål 3{NBSP}000{NBSP}st.",
    "en": f"Feedback items (pcs), target 3,000{NBSP}pcs",
}
PERCENT_TARGET = {"fi": f"tavoite 60{NBSP}%", "sv": f"mål 60{NBSP}%", "en": "target 60%"}
TOO_LONG = {
    "fi": f"Teksti on liian pitkä: enintään 2{NBSP}000 merkkiä.",
    "sv": f"Texten är för lång: högst 2{NBSP}000 tecken.",
    "en": "The text is too long: at most 2,000 characters.",
}
OUT_OF_RANGE = {
    "fi": "Edistymisen on oltava välillä 0–100.",
    "sv": "Framsteg måste vara mellan 0 och 100.",
    "en": "Progress must be between 0 and 100.",
}
BAD_MONEY = {
    "fi": f"Anna summa euroina, esimerkiksi 12{NBSP}500 tai 12{NBSP}500,50.",
    "sv": f"Ange ett belopp i euro, till exempel 12{NBSP}500 eller 12{NBSP}500,50.",
    "en": "Enter an amount in euros, for example 12,500 or 12,500.50.",
}
THIS_MONTH = select(StatusReport).where(col(StatusReport.period) == CURRENT_PERIOD)


def _elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's elements in reading order, containers flattened."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "type" in node and node["type"] not in ("AdaptiveCard", "Column", "ColumnSet"):
                found.append(node)
            for key in ("body", "items", "columns"):
                walk(node.get(key, []))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def _under(card: dict[str, Any], field: str) -> str:
    """The text shown right under the input ``field``."""
    elements = _elements(card)
    [index] = [i for i, e in enumerate(elements) if e.get("id") == field]
    following = elements[index + 1]
    assert following["type"] == "TextBlock", f"nothing under {field}"
    return str(following["text"])


def _submit(bot: BotHarness, language: str, **overrides: Any) -> dict[str, Any]:
    return a.execute(
        as_language(OWNER, language),
        bot.connector.url,
        "status.submit",
        submission(bot, **overrides),
    )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_form_sets_no_limit_a_client_would_enforce_silently(
    bot: BotHarness, language: str
) -> None:
    card = await ask(bot, as_language(OWNER, language), STATUS_WORD[language])
    form_inputs = [e for e in _elements(card) if str(e["type"]).startswith("Input.")]
    assert form_inputs
    for element in form_inputs:
        assert not {"maxLength", "min", "max"} & set(element), element["id"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_progress_over_100_is_refused_under_the_field_not_clamped(
    bot: BotHarness, language: str
) -> None:
    status, body = await bot.post(_submit(bot, language, progress="150"))
    assert status == 200
    card = body["value"]
    assert inputs(card)["progress"] == 150, "what was typed, not 100"
    assert _under(card, "progress") == OUT_OF_RANGE[language]
    async with bot.sessions() as session:
        assert (await session.exec(THIS_MONTH)).all() == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_text_too_long_is_kept_whole_and_the_limit_said_under_it(
    bot: BotHarness, language: str
) -> None:
    long = "Pilotti valmis. " * 312 + "x" * 8  # 5 000 characters
    assert len(long) == 5000
    status, body = await bot.post(_submit(bot, language, risks=long))
    assert status == 200
    card = body["value"]
    assert inputs(card)["risks"] == long, "not cut to 2 000"
    assert _under(card, "risks") == TOO_LONG[language]
    async with bot.sessions() as session:
        assert (await session.exec(THIS_MONTH)).all() == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_money_errors_give_examples_as_the_reader_writes_numbers(
    bot: BotHarness, language: str
) -> None:
    status, body = await bot.post(_submit(bot, language, spent="lots"))
    assert status == 200
    assert _under(body["value"], "spent") == BAD_MONEY[language]
    assert inputs(body["value"])["spent"] == "lots"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_saved_numbers_come_back_in_the_locale_and_save_unchanged(
    bot: BotHarness, language: str
) -> None:
    """A round trip: what the form is pre-filled with parses back to the same values."""
    first, _second = bot.portfolio.metric_ids
    metric = f"metric_{first}"
    owner = as_language(OWNER, language)
    overrides = {"spent": TYPED_MONEY[language], metric: TYPED_METRIC[language]}
    status, body = await bot.post(_submit(bot, language, **overrides))
    assert status == 200
    confirmation = texts(body["value"])
    assert CONFIRMED_METRIC[language] in confirmation
    assert "1234.5" not in confirmation

    edit = {"project_id": bot.portfolio.kartalla_id, "period": CURRENT_PERIOD}
    status, body = await bot.post(a.execute(owner, bot.connector.url, "status.edit", edit))
    assert status == 200
    prefilled = inputs(body["value"])
    assert prefilled["spent"] == SHOWN_MONEY[language]
    assert prefilled[metric] == SHOWN_METRIC[language]
    assert prefilled["forecast"] == {"fi": f"52{NBSP}000,50", "sv": f"52{NBSP}000,50"}.get(
        language, "52,000.50"
    )

    resubmitted = {key: value for key, value in prefilled.items() if value is not None}
    status, body = await bot.post(_submit(bot, language, **resubmitted))
    assert status == 200
    assert not inputs(body["value"]), "the pre-filled values are accepted as they are"
    async with bot.sessions() as session:
        report = (await session.exec(THIS_MONTH)).one()
        value = (
            await session.exec(
                select(col(MetricValue.value)).where(col(MetricValue.metric_id) == first)
            )
        ).one()
    assert report.revision == 2
    assert (report.spent_cents, report.forecast_cents) == (1_250_050, 5_200_050)
    assert value == Decimal("1234.5")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_metric_targets_are_written_as_the_locale_does(
    bot: BotHarness, language: str
) -> None:
    first, _second = bot.portfolio.metric_ids
    async with bot.sessions() as session, session.begin():
        metric = await session.get(ProjectMetric, first)
        assert metric is not None
        metric.target = Decimal(3000)
        session.add(metric)
    card = texts(await ask(bot, as_language(OWNER, language), STATUS_WORD[language]))
    assert TARGET_LABEL[language] in card
    assert PERCENT_TARGET[language] in card
    assert "3000" not in card
