"""Messages with a count take the form the number asks for, in Finnish, Swedish and English."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from translations import COUNTED_UNITS, Translator
from translations.extract import used_message_ids

ZONE = ZoneInfo("Europe/Helsinki")
NBSP = "\xa0"

# Each plural message the code uses, rendered for 1 and for 2, in each language.
RENDERED: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    (
        "Reminder queued for {count} unanswered project.",
        "Reminders queued for {count} unanswered projects.",
    ): {
        "en": (
            "Reminder queued for 1 unanswered project.",
            "Reminders queued for 2 unanswered projects.",
        ),
        "fi": (
            "Muistutus jonossa 1 vastaamattomalle projektille.",
            "Muistutukset jonossa 2 vastaamattomalle projektille.",
        ),
        "sv": (
            "Påminnelse köad för 1 obesvarat projekt.",
            "Påminnelser köade för 2 obesvarade projekt.",
        ),
    },
    (
        "Status card queued for {count} unanswered project.",
        "Status cards queued for {count} unanswered projects.",
    ): {
        "en": (
            "Status card queued for 1 unanswered project.",
            "Status cards queued for 2 unanswered projects.",
        ),
        "fi": (
            "Tilakortti jonossa 1 vastaamattomalle projektille.",
            "Tilakortit jonossa 2 vastaamattomalle projektille.",
        ),
        "sv": (
            "Statuskort köat för 1 obesvarat projekt.",
            "Statuskort köade för 2 obesvarade projekt.",
        ),
    },
    ("Saved: {count} change.", "Saved: {count} changes."): {
        "en": ("Saved: 1 change.", "Saved: 2 changes."),
        "fi": ("Tallennettu: 1 muutos.", "Tallennettu: 2 muutosta."),
        "sv": ("Sparat: 1 ändring.", "Sparat: 2 ändringar."),
    },
    ("At most {count} character.", "At most {count} characters."): {
        "en": ("At most 1 character.", "At most 2 characters."),
        "fi": ("Enintään 1 merkki.", "Enintään 2 merkkiä."),
        "sv": ("Högst 1 tecken.", "Högst 2 tecken."),
    },
    ("{change} percentage point on average", "{change} percentage points on average"): {
        "en": ("1 percentage point on average", "2 percentage points on average"),
        "fi": ("keskimäärin 1 prosenttiyksikkö", "keskimäärin 2 prosenttiyksikköä"),
        "sv": ("i genomsnitt 1 procentenhet", "i genomsnitt 2 procentenheter"),
    },
    ("…and {count} more.", "…and {count} more."): {
        "en": ("…and 1 more.", "…and 2 more."),
        "fi": ("…ja 1 muu.", "…ja 2 muuta."),
        "sv": ("…och 1 till.", "…och 2 till."),
    },
    # a count of projects in a state (the summary's "Projects" line)
    ("{count} planned", "{count} planned"): {
        "en": ("1 planned", "2 planned"),
        "fi": ("1 suunnitteilla", "2 suunnitteilla"),
        "sv": ("1 planerat", "2 planerade"),
    },
    ("{count} started", "{count} started"): {
        "en": ("1 started", "2 started"),
        "fi": ("1 käynnissä", "2 käynnissä"),
        "sv": ("1 pågående", "2 pågående"),
    },
    ("{count} completed", "{count} completed"): {
        "en": ("1 completed", "2 completed"),
        "fi": ("1 valmistunut", "2 valmistunutta"),
        "sv": ("1 slutfört", "2 slutförda"),
    },
    ("{count} paused", "{count} paused"): {
        "en": ("1 paused", "2 paused"),
        "fi": ("1 tauolla", "2 tauolla"),
        "sv": ("1 pausat", "2 pausade"),
    },
    ("{count} cancelled", "{count} cancelled"): {
        "en": ("1 cancelled", "2 cancelled"),
        "fi": ("1 peruttu", "2 peruttua"),
        "sv": ("1 avbrutet", "2 avbrutna"),
    },
    # the units whose word follows the number (Translator.unit with a count)
    ("day", "days"): {"en": ("day", "days"), "fi": ("pv", "pv"), "sv": ("dag", "dagar")},
    ("point", "points"): {
        "en": ("point", "points"),
        "fi": ("piste", "pistettä"),
        "sv": ("poäng", "poäng"),
    },
    ("person", "persons"): {
        "en": ("person", "persons"),
        "fi": ("hlö", "hlö"),
        "sv": ("pers.", "pers."),
    },
}
# Where the language writes the same words for one and for two (sv "projekt" is both, and
# Finnish numerals take the singular noun), only the verb or nothing at all changes.
SAME_FORM = {
    *((f"{{count}} {state}", "en") for state in ("planned", "started", "completed", "paused")),
    ("{count} cancelled", "en"),
    ("{count} planned", "fi"),
    ("{count} started", "fi"),
    ("{count} paused", "fi"),
    ("{count} started", "sv"),
    ("At most {count} character.", "sv"),
    ("…and {count} more.", "en"),
    ("…and {count} more.", "sv"),
    ("day", "fi"),
    ("point", "sv"),
    ("person", "fi"),
    ("person", "sv"),
}
UNIT_OF = {pair: unit for unit, pair in COUNTED_UNITS.items()}


def render(language: str, pair: tuple[str, str], count: int | Decimal) -> str:
    t = Translator(language, ZONE)
    if pair in UNIT_OF:
        return t.unit(UNIT_OF[pair], count)
    if "{change}" in pair[0]:  # the change is written by its caller, with its sign
        return t.plural(*pair, count, change=t.number(count))
    return t.plural(*pair, count)


def test_the_table_covers_every_plural_message_the_code_uses() -> None:
    used = {key for key in used_message_ids() if isinstance(key, tuple)}
    assert used == set(RENDERED)


@pytest.mark.parametrize("pair", list(RENDERED), ids=lambda pair: pair[0][:30])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_one_and_two_take_their_own_form(pair: tuple[str, str], language: str) -> None:
    one, two = RENDERED[pair][language]
    assert (render(language, pair, 1), render(language, pair, 2)) == (one, two)
    if (pair[0], language) not in SAME_FORM:
        assert one.replace("1", "") != two.replace("2", ""), "the words differ, not the number"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_zero_and_fractions_are_plural_and_a_whole_decimal_one_is_singular(
    language: str,
) -> None:
    t = Translator(language, ZONE)
    assert t.unit("days", 0) == RENDERED[("day", "days")][language][1]
    assert t.unit("days", Decimal("1.5")) == RENDERED[("day", "days")][language][1]
    assert t.unit("days", 0.5) == RENDERED[("day", "days")][language][1]
    assert t.unit("days", Decimal("1.000")) == RENDERED[("day", "days")][language][0]
    assert t.unit("days", 21) == RENDERED[("day", "days")][language][1]  # not Slavic: 21 is "other"


def test_the_count_is_written_as_a_number_of_the_locale() -> None:
    pair = (
        "Status card queued for {count} unanswered project.",
        "Status cards queued for {count} unanswered projects.",
    )
    assert Translator("fi", ZONE).plural(*pair, 1500) == (
        f"Tilakortit jonossa 1{NBSP}500 vastaamattomalle projektille."
    )
    assert Translator("en", ZONE).plural(*pair, 1500) == (
        "Status cards queued for 1,500 unanswered projects."
    )


def test_a_unit_without_a_count_is_the_label_and_other_units_do_not_change() -> None:
    fi, sv, en = (Translator(language, ZONE) for language in ("fi", "sv", "en"))
    assert (fi.unit("score"), sv.unit("score"), en.unit("score")) == ("pistettä", "poäng", "score")
    assert (fi.unit("score", 1), en.unit("score", 1)) == ("piste", "point")
    assert (fi.unit("pcs", 1), fi.unit("pcs", 2), sv.unit("pcs", 1)) == ("kpl", "kpl", "st.")
    assert (fi.unit("level", 1), fi.unit("level", 3)) == ("taso", "taso")
    assert en.unit("kWh", 1) == "kWh"
