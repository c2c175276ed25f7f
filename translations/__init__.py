"""Translations (gettext catalogs compiled with Babel) and locale-aware formatting.

Message ids are the English texts; ``fi.po`` and ``sv.po`` translate them. Every
user-facing string goes through a :class:`Translator`, chosen from the activity's
locale or the user's own setting. Each catalog is compiled once, in memory, into Babel's
``Translations`` (a gettext catalog), so lookups and plural forms are gettext's: the
plural rule is the one in the .po header (``nplurals=2; plural=(n != 1)`` for fi and sv).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    format_decimal,
    get_currency_symbol,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
    parse_pattern,
)
from babel.support import Translations

from translations.markers import N_, NP_, InContext

HERE: Final = Path(__file__).resolve().parent
LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "en"
# Regional formatting: Finnish and Swedish as written in Finland, English with euro.
_BABEL_LOCALES: Final = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}
# Units a metric is commonly measured in, written in English in the data and shown in the
# reader's language; any other unit is shown as it was entered.
UNITS: Final = frozenset(
    {N_("pcs"), N_("days"), N_("h"), N_("min"), N_("score"), N_("level"), N_("persons")}
)
# The units whose word changes with the number before it ("1 day", "2 days"; "1 piste",
# "2 pistettä"), as singular and plural. The others are abbreviations (pcs, h, min) or a
# step on a scale (level). A plural entry's singular must not be another message id: the
# catalog keeps both under it (tests/translations would say so).
COUNTED_UNITS: Final = {
    "days": NP_("day", "days"),
    "score": NP_("point", "points"),
    "persons": NP_("person", "persons"),
}


def language_of(locale: str | None) -> str:
    """Map a Teams locale such as ``fi-FI`` or ``sv-SE`` to one of the supported languages."""
    if not locale:
        return DEFAULT_LANGUAGE
    prefix = locale.replace("_", "-").split("-", 1)[0].lower()
    return prefix if prefix in LANGUAGES else DEFAULT_LANGUAGE


def read_catalog(language: str) -> Catalog:
    """A language's .po file as Babel reads it (fi and sv; English is the message ids)."""
    with (HERE / f"{language}.po").open("rb") as handle:
        return read_po(handle, locale=language)


@cache
def _translations(language: str) -> NullTranslations:
    """The language's catalog compiled to gettext's form once, in memory.

    Fuzzy entries are left out, and a plural form left empty falls back to the English.
    """
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return Translations(compiled)


def plural_count(count: Decimal | int | float) -> int:
    """The number gettext chooses a plural form by: a whole number as it is; a fraction as
    2, since en, fi and sv write a fraction in the plural (1.5 days, 1,5 päivää, 1,5 dagar)."""
    if isinstance(count, int):
        return count
    return int(count) if count == int(count) else 2


def _in_euros(pattern: NumberPattern, symbol: str) -> NumberPattern:
    """``pattern`` with the euro's symbol written in where it has "¤", so that it is applied
    without a currency: given one, babel looks up the currency's long name and plural form
    on every figure, for a "¤¤¤" that these patterns do not have."""
    if any("¤¤" in part for part in (*pattern.prefix, *pattern.suffix)):
        raise ValueError(f"a currency pattern with a code or name: {pattern.pattern}")
    (positive, negative), (after, after_negative) = pattern.prefix, pattern.suffix
    return NumberPattern(
        pattern.pattern,
        (positive.replace("¤", symbol), negative.replace("¤", symbol)),
        (after.replace("¤", symbol), after_negative.replace("¤", symbol)),
        pattern.grouping,
        pattern.int_prec,
        pattern.frac_prec,
        pattern.exp_prec,
        pattern.exp_plus,
        pattern.number_pattern,
    )


@cache
def _currency_patterns(babel_locale: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """The locale and its euro patterns, with cents and without: parsed once, not per figure,
    with the euro's symbol written in."""
    locale = Locale.parse(babel_locale)
    standard = locale.currency_formats["standard"]
    whole = parse_pattern(str(standard.pattern).split(";", 1)[0].replace(".00", ""))
    symbol = get_currency_symbol("EUR", locale)
    return locale, _in_euros(standard, symbol), _in_euros(whole, symbol)


@cache
def _number_patterns(babel_locale: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """The locale and its decimal and percent patterns, parsed once (``format_decimal`` and
    ``format_percent`` parse the locale on every call)."""
    locale = Locale.parse(babel_locale)
    return locale, locale.decimal_formats[None], locale.percent_formats[None]


@cache
def _plus_sign(babel_locale: str) -> str:
    return str(get_plus_sign_symbol(babel_locale))


@cache
def _minus_sign(babel_locale: str) -> str:
    return str(get_minus_sign_symbol(babel_locale))


def _with_minus_sign(text: str, babel_locale: str) -> str:
    """A formatted number with the locale's own minus sign.

    Babel's patterns write a negative number with a hyphen-minus ("-3", "-10,50 €") in every
    locale, while the locale's data gives its minus sign: "−" (U+2212) in Finnish and
    Swedish, "-" in English. Every number the bot shows goes through here, so that a card
    never mixes the two (a change "−3" beside an amount "-10,50 €"); whatever reads numbers
    back (``bot.forms.parse_number``, the cycle's reminder days, the workbook) takes both.
    """
    if text.startswith("-"):
        return _minus_sign(babel_locale) + text[1:]
    return text


def _exact(value: Decimal | int | float) -> object:
    """A cache key that keeps apart figures that compare equal but are written differently:
    0 and -0 ("-0" in Babel), 2 and 2.0."""
    return value if type(value) is int else (type(value), str(value))


@lru_cache(maxsize=8192)
def _figure(babel_locale: str, kind: str, _key: object, value: Decimal | int | float) -> str:
    """``value`` as Babel formats it for the locale, with the locale's minus sign: ``kind``
    "money" (``value`` in cents; babel's format_currency in euros, without cents when there
    are none), "number" (format_decimal) or "percent" (format_percent of ``value`` / 100).

    A figure's text depends on nothing else, and the same figures come back on card after
    card (a year's budget, a project's progress), so each is formatted once: applying a
    pattern costs 10-15 µs, most of a budget answer's formatting. ``_key`` is ``_exact(value)``.
    """
    if kind == "money":
        locale, standard, whole = _currency_patterns(babel_locale)
        # babel's format_currency, with the patterns parsed once and the symbol written in
        pattern = whole if value % 100 == 0 else standard
        text = pattern.apply(Decimal(value) / 100, locale)
    elif kind == "number":
        locale, decimal, _ = _number_patterns(babel_locale)
        text = decimal.apply(value, locale)
    else:
        locale, _, percent = _number_patterns(babel_locale)
        text = percent.apply(Decimal(value) / 100, locale)
    return _with_minus_sign(str(text), babel_locale)


@lru_cache(maxsize=1024)
def _format_skeleton(value: date, skeleton: str, babel_locale: str) -> str:
    return str(format_skeleton(skeleton, value, locale=babel_locale))


@lru_cache(maxsize=1024)
def _format_date(value: date, pattern: str, babel_locale: str) -> str:
    """A date in a locale's pattern: the few dates cards show are formatted once each."""
    return str(format_date(value, pattern, locale=babel_locale))


@dataclass(frozen=True, slots=True)
class Translator:
    """Text and formatting for one language, in one time zone."""

    language: str
    zone: ZoneInfo

    @classmethod
    def for_locale(cls, locale: str | None, zone: ZoneInfo) -> Translator:
        return cls(language_of(locale), zone)

    @classmethod
    def first_of(cls, *locales: str | None, zone: ZoneInfo) -> Translator:
        """The first locale that is set, in the order given: a person's own choice, then the
        locale Teams sends (the activity's, or a stored conversation reference's), then the
        bot's default (``DEFAULT_LOCALE``)."""
        return cls.for_locale(next((locale for locale in locales if locale), None), zone)

    @property
    def babel_locale(self) -> str:
        return _BABEL_LOCALES[self.language]

    def __call__(self, message: str | InContext, /, **values: object) -> str:
        """A message in this language; a message marked with ``NC_`` in its context."""
        if isinstance(message, InContext):
            return self.context(message.context, message.message, **values)
        text = _translations(self.language).gettext(message)
        return text.format(**values) if values else text

    def context(self, context: str, message: str, /, **values: object) -> str:
        """A message in a context (gettext's ``pgettext``), where one English word means two
        things: ``t.context("budget", "Planned")`` is a money column ("Budjetoitu"), while
        ``t("Planned")`` is a project's state ("Suunnitteilla")."""
        text = _translations(self.language).pgettext(context, message)
        return text.format(**values) if values else text

    def plural(
        self, singular: str, plural: str, count: Decimal | int | float, /, **values: object
    ) -> str:
        """The form for ``count`` of a message with a plural, ``{count}`` written as a number
        of the locale: ``t.plural("{count} unanswered project", "{count} unanswered
        projects", 2)``."""
        text = _translations(self.language).ngettext(singular, plural, plural_count(count))
        values.setdefault("count", self.number(count))
        return text.format(**values)

    def pick(self, fi: str, sv: str, en: str) -> str:
        """Choose among a record's own translations (for example a project's names)."""
        return {"fi": fi, "sv": sv}.get(self.language, en) or en

    def named(self, record: object) -> str:
        """A record's ``name_fi`` / ``name_sv`` / ``name_en`` in this language."""
        return self.pick(
            str(getattr(record, "name_fi", "")),
            str(getattr(record, "name_sv", "")),
            str(getattr(record, "name_en", "")),
        )

    def text(self, fi: str, sv: str, en: str) -> str:
        """A record's own free text (a description, an impact) in this language. Where the
        data has none in it, the text of another language (English first), marked with that
        language's code, so that the fallback shows: "Digital ticket sales (en)"."""
        own = {"fi": fi.strip(), "sv": sv.strip(), "en": en.strip()}
        if own[self.language]:
            return own[self.language]
        for language in ("en", "fi", "sv"):
            if own[language]:
                return f"{own[language]} ({language})"
        return ""

    def unit(self, unit: str, count: Decimal | int | float | None = None) -> str:
        """A metric's unit in this language ("pcs" is "kpl" in Finnish): as a label, or
        after the number ``count`` ("1 day", "2 days")."""
        if count is not None and unit in COUNTED_UNITS:
            singular, plural = COUNTED_UNITS[unit]
            return _translations(self.language).ngettext(singular, plural, plural_count(count))
        return _translations(self.language).gettext(unit) if unit in UNITS else unit

    def quantity(self, value: Decimal | int | float | None, unit: str) -> str:
        """A value with its unit, for this locale: "58 %" (en "58%"), "12 kpl", "3,8 pistettä".

        Percentages are Babel's; a common unit is translated (``unit``), any other shown
        as entered, after the number.
        """
        if value is None:
            return "–"
        if unit.strip() == "%":
            return self.percent(value)
        shown = self.unit(unit.strip(), value)
        return f"{self.number(value)}\xa0{shown}" if shown else self.number(value)

    def money(self, cents: int | None) -> str:
        if cents is None:
            return "–"
        return _figure(self.babel_locale, "money", _exact(cents), cents)

    def money_compact(self, cents: int | None) -> str:
        """Money in whole euros, short, for a chart's labels: "1,2 milj. €", "336,9 tn €",
        "€1.2M"; under a thousand euros, "950 €"."""
        if cents is None:
            return "–"
        euros = (Decimal(cents) / 100).quantize(Decimal(1), ROUND_HALF_UP)
        text = format_compact_currency(euros, "EUR", locale=self.babel_locale, fraction_digits=1)
        return _with_minus_sign(text, self.babel_locale)

    def number(self, value: Decimal | int | float | None) -> str:
        if value is None:
            return "–"
        if type(value) is int and 0 <= value < 1000:  # a count: digits alone in every locale
            return str(value)
        return _figure(self.babel_locale, "number", _exact(value), value)

    def percent(self, value: Decimal | int | float) -> str:
        return _figure(self.babel_locale, "percent", _exact(value), value)

    @property
    def plus_sign(self) -> str:
        return _plus_sign(self.babel_locale)

    @property
    def minus_sign(self) -> str:
        """The locale's minus sign ("−" in fi and sv, "-" in en), as the numbers show it."""
        return _minus_sign(self.babel_locale)

    def month(self, value: date) -> str:
        """A month and its year ("marraskuu 2026"), as a heading."""
        return _format_date(value, "LLLL y", self.babel_locale)

    def period(self, period: str) -> str:
        """A period code as the locale writes it, short enough for a chart's axis: a year
        ("2024") as it is, a month ("2026-10") as 10.2026 (fi, sv) or 10/2026 (en)."""
        if len(period) != 7:
            return period
        return _format_skeleton(date(int(period[:4]), int(period[5:7]), 1), "yM", self.babel_locale)

    def clock(self, value: time) -> str:
        """A time of day as the locale writes it: "9.00" (fi, sv), "09:00" (en)."""
        return str(format_time(value, "short", locale=self.babel_locale))

    def day(self, value: date) -> str:
        """A date in the locale's numeric form, as a person would type it: "20.12.2026"
        (fi, sv), "20/12/2026" (en); Babel's ``parse_date`` reads it back."""
        return _format_date(value, "short", self.babel_locale)

    def date(self, value: date) -> str:
        return _format_date(value, "long", self.babel_locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(
            value.astimezone(self.zone), "short", tzinfo=self.zone, locale=self.babel_locale
        )

    def input_money(self, cents: int | None) -> str:
        """Money as an input's initial value, written as this locale writes it and as the
        form reads it back: "12 500,50" (fi, sv), "12,500.50" (en); whole euros without
        cents ("12 500")."""
        if cents is None:
            return ""
        value = Decimal(cents) / 100
        pattern = "#,##0" if cents % 100 == 0 else "#,##0.00"
        return format_decimal(value, pattern, locale=self.babel_locale)

    def input_decimal(self, value: Decimal | int | None) -> str:
        """A number as an input's initial value, in this locale, with every digit it has:
        "1 234,5678" (fi), "1,234.5678" (en). Unlike ``number`` it never rounds, so the form
        reads back the value it was given."""
        if value is None:
            return ""
        return format_decimal(value, locale=self.babel_locale, decimal_quantization=False)
