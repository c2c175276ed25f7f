"""bot.forms.parse_number: numbers as owners type them, in Finnish, Swedish and English."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.forms import parse_number
from translations import Translator

FI, SV, EN = "fi_FI", "sv_FI", "en_IE"
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        # each language's own way of writing it
        ("1 500,50", FI, "1500.50"),
        ("1 500,50", SV, "1500.50"),
        ("1,500.50", EN, "1500.50"),
        (f"1{NBSP}500,50", FI, "1500.50"),  # as Babel formats it for fi and sv
        (f"1{NNBSP}500,50", SV, "1500.50"),  # a narrow no-break space, as macOS types it
        (f"12{NBSP}345{NBSP}678", EN, "12345678"),
        ("1'500.5", EN, "1500.5"),  # Swiss grouping
        # Input.Number's own format, a decimal point, in every language
        ("1500.50", FI, "1500.50"),
        ("1500.50", SV, "1500.50"),
        ("45", FI, "45"),
        ("0", EN, "0"),
        ("+7", EN, "7"),
        # both marks: the last is the decimal mark, in every language
        ("1,500.50", FI, "1500.50"),
        ("1.500,50", EN, "1500.50"),
        ("1.234.567,89", SV, "1234567.89"),
        ("1,234,567.89", FI, "1234567.89"),
        # a comma and one or two digits is a decimal comma, in English too
        ("12,5", EN, "12.5"),
        ("12,50", EN, "12.50"),
        ("12,5", FI, "12.5"),
        # grouping commas, more than one
        ("1,234,567", FI, "1234567"),
        # spaces around are ignored
        ("  12 500 ", FI, "12500"),
    ],
)
def test_numbers_as_people_type_them(text: str, locale: str, expected: str) -> None:
    number = parse_number(text, locale)
    assert number == Decimal(expected)
    assert isinstance(number, Decimal)


def test_a_lone_comma_before_three_digits_is_the_readers_decimal_mark() -> None:
    """The same "1,500" is one and a half in Finnish and Swedish, 1500 in English."""
    assert parse_number("1,500", FI) == Decimal("1.5")
    assert parse_number("1,500", SV) == Decimal("1.5")
    assert parse_number("1,500", EN) == Decimal(1500)
    assert parse_number("-1,500", EN) == Decimal(-1500)
    assert parse_number("1.500", FI) == Decimal("1.5")  # a point is a decimal point


@pytest.mark.parametrize("locale", [FI, SV, EN])
def test_negative_numbers(locale: str) -> None:
    assert parse_number("-5", locale) == Decimal(-5)
    assert parse_number("-1 500,50", locale) == Decimal("-1500.50")
    assert parse_number(f"-1{NBSP}500.25", locale) == Decimal("-1500.25")
    assert parse_number("-0,5", locale) == Decimal("-0.5")


@pytest.mark.parametrize("locale", [FI, SV, EN])
def test_a_number_copied_from_a_card_reads_back(locale: str) -> None:
    """Cards write a Finnish or Swedish negative number with the minus sign "−" (U+2212),
    as the locale does (``Translator.number``): typed back, it is the same number."""
    t = Translator(locale[:2], ZoneInfo("Europe/Helsinki"))
    for value in (Decimal(-5), Decimal("-1500.5"), Decimal("12500.5")):
        assert parse_number(t.number(value), locale) == value
    assert parse_number("\u22125", locale) == Decimal(-5)


@pytest.mark.parametrize("locale", [FI, SV, EN])
@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        NBSP,
        "lots",
        "12 €",
        "€12",
        "1e5",  # Decimal would read it; people do not type it
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "1_000",
        "1.234.567",  # grouping dots without a decimal comma
        "1,2.3,4",
        "--5",
        "5-",
        "+-5",
        ",",
        ".",
        "-",
        "١٢٣",  # Arabic-Indic digits
        "\u2212\u22125",
        "5\u2212",
    ],
)
def test_garbage_is_not_a_number(text: str, locale: str) -> None:
    assert parse_number(text, locale) is None
