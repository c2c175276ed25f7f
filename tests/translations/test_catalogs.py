"""Every user-facing string is translated into Finnish and Swedish."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from translations import Translator, _catalog, language_of
from translations.extract import used_message_ids

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    found = used_message_ids()
    assert len(found) > 40, "the extractor finds the bot's messages"
    return found


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(used: dict[str, list[str]], language: str) -> None:
    catalog = _catalog(language)
    missing = {message: places for message, places in used.items() if message not in catalog}
    assert not missing, f"untranslated in {language}.po: {missing}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_translations_keep_their_placeholders(language: str) -> None:
    for message, translation in _catalog(language).items():
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translation)), message


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogs_hold_no_stale_messages(used: dict[str, list[str]], language: str) -> None:
    stale = set(_catalog(language)) - set(used)
    assert not stale, f"{language}.po has messages no code uses: {stale}"


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("fi-FI", "fi"),
        ("sv-SE", "sv"),
        ("sv_FI", "sv"),
        ("en-US", "en"),
        ("de-DE", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_language_from_the_activity_locale(locale: str | None, language: str) -> None:
    assert language_of(locale) == language


def test_money_is_formatted_for_the_locale() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    assert Translator("fi", zone).money(15_000_000) == "150\xa0000\xa0€"
    assert Translator("sv", zone).money(15_000_000) == "150\xa0000\xa0€"
    assert Translator("en", zone).money(15_000_000) == "€150,000"
    assert Translator("en", zone).money(-1_050) == "-€10.50"
