"""Every user-facing string is translated into Finnish and Swedish."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)

from translations import LANGUAGES, Translator, language_of, read_catalog
from translations.extract import MessageId, translations, untranslated, used_message_ids

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def used() -> dict[MessageId, list[str]]:
    found = used_message_ids()
    assert len(found) > 40, "the extractor finds the bot's messages"
    assert any(isinstance(key, tuple) for key in found), "and its plural pairs"
    return found


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(used: dict[MessageId, list[str]], language: str) -> None:
    catalog = translations(read_catalog(language))
    missing = {message: places for message, places in used.items() if message not in catalog}
    assert not missing, f"untranslated in {language}.po: {missing}"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_entry_is_left_empty_and_plural_entries_have_every_form(language: str) -> None:
    catalog = read_catalog(language)
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n!=1)"
    assert untranslated(catalog) == []


def test_the_checker_finds_a_missing_plural_form() -> None:
    po = b"""msgid ""
msgstr ""
"Language: fi\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "{count} day"
msgid_plural "{count} days"
msgstr[0] "{count} p\xc3\xa4iv\xc3\xa4"
msgstr[1] ""

msgid "{count} hour"
msgid_plural "{count} hours"
msgstr[0] "{count} tunti"

msgid "{count} minute"
msgid_plural "{count} minutes"
msgstr[0] "{count} minuutti"
msgstr[1] "{count} minuuttia"

msgid "Hello"
msgstr ""
"""
    catalog = read_po(BytesIO(po), locale="fi")
    assert untranslated(catalog) == [
        ("{count} day", "{count} days"),
        ("{count} hour", "{count} hours"),
        "Hello",
    ]


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_translations_keep_their_placeholders(language: str) -> None:
    for message, forms in translations(read_catalog(language)).items():
        source = message if isinstance(message, str) else message[1]
        for translation in forms:
            assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(translation)), (
                message
            )


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogs_hold_no_stale_messages(used: dict[MessageId, list[str]], language: str) -> None:
    stale = set(translations(read_catalog(language))) - set(used)
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


def test_common_units_are_translated_and_others_shown_as_entered() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    fi, sv, en = (Translator(language, zone) for language in ("fi", "sv", "en"))
    assert (fi.unit("pcs"), sv.unit("pcs"), en.unit("pcs")) == ("kpl", "st.", "pcs")
    assert (fi.unit("days"), sv.unit("days")) == ("pv", "dagar")
    # a unit the office typed itself, even one that is a message id elsewhere, stays as is
    assert fi.unit("kWh") == "kWh"
    assert fi.unit("Actual") == "Actual"


def test_money_is_formatted_for_the_locale() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    assert Translator("fi", zone).money(15_000_000) == "150\xa0000\xa0€"
    assert Translator("sv", zone).money(15_000_000) == "150\xa0000\xa0€"
    assert Translator("en", zone).money(15_000_000) == "€150,000"
    assert Translator("en", zone).money(-1_050) == "-€10.50"


def test_compact_money_is_short_and_in_whole_euros() -> None:
    """Chart labels: two or three figures and the locale's word for thousands or millions."""
    zone = ZoneInfo("Europe/Helsinki")
    fi, sv, en = (Translator(language, zone) for language in ("fi", "sv", "en"))
    assert fi.money_compact(123_456_700) == "1,2\xa0milj.\xa0€"
    assert sv.money_compact(123_456_700) == "1,2\xa0mn\xa0€"
    assert en.money_compact(123_456_700) == "€1.2M"
    assert fi.money_compact(33_693_100) == "336,9\xa0t.\xa0€"
    assert sv.money_compact(5_500_000) == "55\xa0tn\xa0€"
    assert en.money_compact(99_999) == "€1K"  # 999.99 rounds to a thousand, not "€999.99"
    assert fi.money_compact(95_050) == "951\xa0€"
    assert fi.money_compact(None) == "–"


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_matches_babels_format_currency(language: str) -> None:
    """``money`` applies babel's own patterns, parsed once; the text is format_currency's,
    with the locale's own minus sign (Babel's patterns write a hyphen-minus)."""
    t = Translator(language, ZoneInfo("Europe/Helsinki"))
    for cents in (0, 1, 99, 100, 1_050, -1_050, 15_000_000, 795_000_000, -123_456_789_01):
        value = Decimal(cents) / 100
        if cents % 100 == 0:
            whole = str(Locale.parse(t.babel_locale).currency_formats["standard"].pattern)
            expected = format_currency(
                value,
                "EUR",
                format=whole.split(";", 1)[0].replace(".00", ""),
                locale=t.babel_locale,
                currency_digits=False,
            )
        else:
            expected = format_currency(value, "EUR", locale=t.babel_locale)
        if expected.startswith("-"):
            expected = get_minus_sign_symbol(t.babel_locale) + expected[1:]
        assert t.money(cents) == expected, cents


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_and_percents_match_babels_format_decimal_and_format_percent(
    language: str,
) -> None:
    """``number`` and ``percent`` apply the locale's patterns parsed once (a count under a
    thousand is its digits); the text is babel's, with the locale's minus sign."""
    t = Translator(language, ZoneInfo("Europe/Helsinki"))
    values: list[int | Decimal | float] = [0, 7, 999, 1_000, 12_345, -3, -1_234, 1.25]
    values += [Decimal("2.5"), Decimal("-0.35"), Decimal("1234.5678"), Decimal("99.9999")]
    values += [Decimal("-0"), -0.0, Decimal("-0.0001")]
    for value in values:
        for shown, expected in (
            (t.number(value), format_decimal(value, locale=t.babel_locale)),
            (t.percent(value), format_percent(Decimal(value) / 100, locale=t.babel_locale)),
        ):
            if expected.startswith("-"):
                expected = t.minus_sign + expected[1:]
            assert shown == expected, value


def test_figures_formatted_once_are_not_mistaken_for_equal_ones() -> None:
    """Figures are formatted once each and kept (``translations._figure``): a kept figure
    does not answer for one that compares equal to it but reads otherwise (0 and -0, 2 and
    2.0, 2.5 and 2.50), nor one locale's text for another's."""
    fi, en = (Translator(language, ZoneInfo("Europe/Helsinki")) for language in ("fi", "en"))
    for first, second in ((Decimal("0"), Decimal("-0")), (2_000, 2_000.0), (1_234.0, 1_234)):
        for value in (first, second, first):
            expected = format_decimal(value, locale=fi.babel_locale)
            assert fi.number(value) == expected.replace("-", fi.minus_sign), value
    assert fi.number(Decimal("2.50")) == fi.number(Decimal("2.5")) == "2,5"
    assert fi.money(123_456) == "1\xa0234,56\xa0€" and en.money(123_456) == "€1,234.56"
    assert fi.percent(1_500) == "1\xa0500\xa0%" and en.percent(1_500) == "1,500%"


@pytest.mark.parametrize(("language", "minus"), [("fi", "\u2212"), ("sv", "\u2212"), ("en", "-")])
def test_negative_numbers_percents_and_money_share_the_locales_minus_sign(
    language: str, minus: str
) -> None:
    """Babel writes "-3" and "-10,50 €" with a hyphen even where the locale's minus sign is
    "−": the translator gives every negative figure the locale's sign, the one the signed
    changes use ("−3 percentage points"), so that a card never mixes the two."""
    t = Translator(language, ZoneInfo("Europe/Helsinki"))
    shown = [t.number(-3), t.number(Decimal("-2.5")), t.percent(-15), t.money(-1_050)]
    shown += [t.money(-100_000), t.quantity(-4, "%"), t.quantity(-4, "pcs")]
    assert all(
        text.startswith(minus) and text.count("-") + text.count("\u2212") == 1 for text in shown
    )
    assert get_minus_sign_symbol(t.babel_locale) == minus == t.minus_sign
    assert t.plus_sign == get_plus_sign_symbol(t.babel_locale)
    assert not t.number(3).startswith(minus) and t.number(0) == "0"
