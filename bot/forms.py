"""The status card's form: what an owner typed, parsed and checked into a ``StatusInput``.

Plain functions, no database: the guard checks rights and the report's rules, the save
checks them again, and this module checks every value. Card inputs arrive as strings (or, from some clients,
as numbers); anything else is a wrong type. Errors are message ids, translated
where the card is built, with the form's limits and examples formatted for the reader
(``cards.status_cards.error_text``). Nothing typed is ever changed: a value out of range is
refused, never clamped or cut.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

from cards.status_cards import MAX_TEXT
from storage.models import Health
from storage.status_reports import StatusInput
from translations.markers import N_

MAX_MONEY_CENTS = 100_000_000_000  # one billion euros: anything above is a typo
MAX_METRIC = Decimal("1e12")
TEXT_FIELDS = ("achievements", "next_steps", "risks")
MONEY_FIELDS = ("spent", "forecast")
CONTROL_FIELDS = frozenset({"verb", "project_id", "period"})
METRIC_PREFIX = "metric_"
_METRIC_KEY = re.compile(r"^metric_(\d{1,9})$")

FORM_ERROR = "_form"


@dataclass(slots=True)
class StatusForm:
    """The raw submission as typed (to give back on the card) and what is wrong with it."""

    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    parsed: StatusInput | None = None


def clean_text(value: str) -> str:
    """Drop control characters (keeping line breaks and tabs) and trim."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def _as_text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return None


# The two ways of writing a decimal number the status card accepts, in any language, as the
# locales that write them: a decimal point with grouping commas (1,234.5), and a decimal
# comma with grouping dots (1.234,5).
_DECIMAL_POINT = "en_IE"
_DECIMAL_COMMA = "de_DE"
# Spaces of any kind, and apostrophes, group digits whatever the locale.
_GROUPING_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*")
_CENTS_AFTER_A_COMMA = re.compile(r",[0-9]{1,2}$")
# The minus sign Finnish and Swedish numbers are shown with (Translator.number): a number
# copied from a card reads back as it was shown.
MINUS_SIGN = "\u2212"


def parse_number(text: str, babel_locale: str) -> Decimal | None:
    """A finite decimal as people type it: ``1234.5``, ``1 234,5`` or ``1,234.5``.

    Spaces group digits. With both a comma and a dot, the last one is the decimal mark.
    A lone comma followed by one or two digits is a decimal comma in every language;
    otherwise the user's locale decides (``1,500`` is 1.5 in Finnish, 1500 in English).
    Babel's ``parse_decimal`` reads the number in the convention so chosen.
    """
    compact = _GROUPING_SPACES.sub("", text).replace(MINUS_SIGN, "-")
    if not _NUMBER.fullmatch(compact):
        return None
    if "," in compact and "." in compact:
        comma = compact.rindex(",") > compact.rindex(".")
    elif compact.count(",") == 1:
        comma = bool(_CENTS_AFTER_A_COMMA.search(compact)) or (
            get_decimal_symbol(babel_locale) == ","
        )
    else:  # no comma (Input.Number's own "1234.5"), or commas that group thousands
        comma = False
    try:
        number = parse_decimal(compact, locale=_DECIMAL_COMMA if comma else _DECIMAL_POINT)
    except NumberFormatError:
        return None
    return number if number.is_finite() else None


def _money(text: str, babel_locale: str) -> tuple[int | None, str | None]:
    number = parse_number(text, babel_locale)
    if number is None:
        return None, N_("Enter an amount in euros, for example {whole} or {with_cents}.")
    if number < 0:
        return None, N_("The amount cannot be negative.")
    cents = number * 100
    if cents != cents.to_integral_value():
        return None, N_("Use at most two decimals (cents).")
    if cents > MAX_MONEY_CENTS:
        return None, N_("The amount is too large; check the number of zeros.")
    return int(cents), None


def parse_status_form(
    raw: dict[str, object], *, metric_ids: set[int], babel_locale: str
) -> StatusForm:
    """Check every field of a status submission; ``parsed`` is set only when all are valid."""
    form = StatusForm()
    unknown = sorted(
        key
        for key in raw
        if key not in CONTROL_FIELDS
        and key not in TEXT_FIELDS
        and key not in MONEY_FIELDS
        and key not in {"health", "progress"}
        and not (_METRIC_KEY.match(key) and int(key[len(METRIC_PREFIX) :]) in metric_ids)
    )
    metric_keys = [f"{METRIC_PREFIX}{metric_id}" for metric_id in sorted(metric_ids)]
    for key in ("health", "progress", *MONEY_FIELDS, *TEXT_FIELDS, *metric_keys):
        value = raw.get(key, "")
        text = _as_text(value)
        if text is None:
            form.typed[key] = ""
            form.errors[key] = N_("This value has the wrong type.")
        else:
            form.typed[key] = text
    if unknown:
        form.errors[FORM_ERROR] = N_(
            "The card had fields this project does not have. Please use the latest card."
        )

    health: Health | None = None
    if "health" not in form.errors:
        try:
            health = Health(form.typed["health"])
        except ValueError:
            form.errors["health"] = N_("Choose the project's health.")

    progress: int | None = None
    if "progress" not in form.errors:
        number = parse_number(form.typed["progress"], babel_locale)
        if number is None or number != number.to_integral_value():
            form.errors["progress"] = N_("Enter progress as a whole number from 0 to 100.")
        elif not 0 <= number <= 100:
            form.errors["progress"] = N_("Progress must be between 0 and 100.")
        else:
            progress = int(number)

    money: dict[str, int] = {}
    for key in MONEY_FIELDS:
        if key in form.errors:
            continue
        cents, error = _money(form.typed[key], babel_locale)
        if error:
            form.errors[key] = error
        elif cents is not None:
            money[key] = cents

    metrics: dict[int, Decimal] = {}
    for metric_id in sorted(metric_ids):
        key = f"{METRIC_PREFIX}{metric_id}"
        if key in form.errors or not form.typed[key].strip():
            continue
        number = parse_number(form.typed[key], babel_locale)
        if number is None or math.isinf(float(number)) or abs(number) >= MAX_METRIC:
            form.errors[key] = N_("Enter a number.")
        else:
            metrics[metric_id] = number

    texts: dict[str, str] = {}
    for key in TEXT_FIELDS:
        if key in form.errors:
            continue
        text = clean_text(form.typed[key])
        if len(text) > MAX_TEXT:
            form.errors[key] = N_("The text is too long: at most {limit} characters.")
        else:
            texts[key] = text

    if not form.errors and health is not None and progress is not None:
        form.parsed = StatusInput(
            health=health,
            progress=progress,
            spent_cents=money["spent"],
            forecast_cents=money["forecast"],
            metrics=metrics,
            achievements=texts["achievements"],
            next_steps=texts["next_steps"],
            risks=texts["risks"],
        )
    return form
