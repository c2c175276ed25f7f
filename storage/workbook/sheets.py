"""The workbook's sheets and columns: one table a kind, keyed by its natural key.

A sheet is a list of columns. Each column names the record field it holds, its kind (how
a cell is written and read), whether the import needs it, and whether it is part of the
row's key. Headers and sheet titles are message ids: the export writes them in the
admin's language, and the import recognises them in any of fi, sv and en. The closed lists
(health, level, role, ...) are written as their labels in the admin's language, and read
as a label in any language or as the stored code.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

from cards import labels
from translations import LANGUAGES, Translator
from translations.markers import N_, NC_, InContext


class Kind(enum.StrEnum):
    text = "text"
    int = "int"
    money = "money"  # integer cents in the database, euros in the cell
    percent = "percent"  # an integer 0-100 in the database, a fraction in a "0 %" cell
    decimal = "decimal"
    date = "date"
    datetime = "datetime"  # read-only sheets only
    choice = "choice"  # one of a closed list
    flag = "flag"  # yes / no
    years = "years"  # "2024, 2025"
    offsets = "offsets"  # "-3, 0": working days, for the cycle's reminders
    time = "time"  # "09:00"
    period = "period"  # "2025" or "2025-06"
    email = "email"


ROLE = {
    "admin": N_("Admin"),
    "manager": N_("Manager"),
    "owner": N_("Owner"),
    "viewer": N_("Viewer"),
}
ROADMAP_STATE = {"draft": N_("Draft"), "approved": N_("Approved")}
FUNDING = {"city_budget": N_("City budget"), "project_grant": N_("Project grant")}
LANGUAGE = {"fi": N_("Finnish"), "sv": N_("Swedish"), "en": N_("English")}
FLAG = {"yes": N_("Yes"), "no": N_("No")}


@dataclass(frozen=True)
class Column:
    field: str
    header: str | InContext  # message id
    kind: Kind = Kind.text
    required: bool = False  # the import refuses a sheet without it, and a row with it empty
    key: bool = False  # part of the row's natural key
    width: int = 16
    choices: Mapping[str, str | InContext] | None = None  # code -> label message id
    low: int | None = None  # for int and percent columns
    high: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # message id, at most 31 characters in every language
    about: str  # message id: what the sheet is, on the guide sheet
    columns: tuple[Column, ...]
    read_only: bool = False  # written for people to read; the import skips it
    single: bool = False  # one row only (the programme, the cycle settings)
    removable: bool = False  # has a "remove" column: a marked row is deleted
    personal: bool = False  # left out of an export without people

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


def _names(width: int = 40, prefix: str = "name", what: str = "Name") -> tuple[Column, ...]:
    # three columns "Name (fi)", "Name (sv)", "Name (en)": the language codes are not translated
    headers = {
        "Name": (N_("Name (fi)"), N_("Name (sv)"), N_("Name (en)")),
        "Title": (N_("Title (fi)"), N_("Title (sv)"), N_("Title (en)")),
        "Description": (N_("Description (fi)"), N_("Description (sv)"), N_("Description (en)")),
        "Impact": (N_("Impact (fi)"), N_("Impact (sv)"), N_("Impact (en)")),
        "Source": (N_("Source (fi)"), N_("Source (sv)"), N_("Source (en)")),
    }[what]
    required = what in ("Name", "Title")
    length = {"Impact": 2000, "Source": 300}.get(what)
    return tuple(
        Column(f"{prefix}_{language}", header, required=required, width=width, max_length=length)
        for language, header in zip(LANGUAGES, headers, strict=True)
    )


REMOVE = Column("remove", N_("Remove"), Kind.flag, width=10, choices=FLAG)

PROGRAMME = Sheet(
    "programme",
    N_("Programme"),
    N_("The programme: its names, its years and when the city board approved it. One row."),
    (
        *_names(50),
        Column(
            "start_year", N_("First year"), Kind.int, required=True, width=11, low=2000, high=2100
        ),
        Column("end_year", N_("Last year"), Kind.int, required=True, width=11, low=2000, high=2100),
        Column("approved_on", N_("Approved on"), Kind.date, width=13),
    ),
    single=True,
)
THEMES = Sheet(
    "themes",
    N_("Themes"),
    N_("The programme's themes, by number."),
    (
        Column("number", N_("Number"), Kind.int, required=True, key=True, width=9, low=1, high=99),
        *_names(60),
    ),
)
CAPABILITIES = Sheet(
    "capabilities",
    N_("Capabilities"),
    N_("The capabilities the programme needs, by their Finnish name."),
    (
        Column("name_fi", N_("Name (fi)"), required=True, key=True, width=40),
        Column("name_sv", N_("Name (sv)"), required=True, width=40),
        Column("name_en", N_("Name (en)"), required=True, width=40),
    ),
)
INDICATORS = Sheet(
    "indicators",
    N_("Indicator sets"),
    N_("The programme's indicator sets, by code, with unit, target and source."),
    (
        Column("code", N_("Code"), required=True, key=True, width=12, max_length=40),
        *_names(40),
        Column("unit", N_("Unit"), required=True, width=8, max_length=40),
        Column("target", N_("Target"), Kind.decimal, width=11),
        *_names(30, "source", "Source"),
    ),
)
INDICATOR_VALUES = Sheet(
    "indicator_values",
    N_("Indicator values"),
    N_("The indicators' values, by indicator code and period (a year, or a year and month)."),
    (
        Column("indicator", N_("Indicator"), required=True, key=True, width=12),
        Column("period", N_("Period"), Kind.period, required=True, key=True, width=10),
        Column("value", N_("Value"), Kind.decimal, required=True, width=12),
        Column("note", N_("Note"), width=30, max_length=500),
        REMOVE,
    ),
    removable=True,
)
ROADMAPS = Sheet(
    "roadmaps",
    N_("Roadmaps"),
    N_("One roadmap a year, a draft or approved, and when it was approved."),
    (
        Column("year", N_("Year"), Kind.int, required=True, key=True, width=8, low=2000, high=2100),
        Column("state", N_("State"), Kind.choice, required=True, width=12, choices=ROADMAP_STATE),
        Column("approved_on", N_("Approved on"), Kind.date, width=13),
    ),
)
PEOPLE = Sheet(
    "people",
    N_("People"),
    N_("The people, by e-mail: their role, language, time zone and deputy."),
    (
        Column("email", N_("E-mail"), Kind.email, required=True, key=True, width=32),
        Column("name", N_("Name"), required=True, width=24, max_length=200),
        Column("role", N_("Role"), Kind.choice, required=True, width=11, choices=ROLE),
        Column("language", N_("Language"), Kind.choice, width=10, choices=LANGUAGE),
        Column("timezone", N_("Time zone"), width=16),
        Column("deputy", N_("Deputy (e-mail)"), Kind.email, width=32),
        Column("aad_object_id", N_("Entra ID object id"), width=38, max_length=64),
    ),
    personal=True,
)
DIRECTORS = Sheet(
    "directors",
    N_("Directors"),
    N_("The responsible directors' posts, by key, and who holds each (by e-mail)."),
    (
        Column("key", N_("Key"), required=True, key=True, width=18, max_length=40),
        *_names(36, prefix="title", what="Title"),
        Column("holder", N_("Held by (e-mail)"), Kind.email, width=32),
    ),
)
BUDGET = Sheet(
    "budget",
    N_("Budget"),
    N_("Budget lines by year and area: planned, actual to date and forecast, in euros."),
    (
        Column("year", N_("Year"), Kind.int, required=True, key=True, width=8, low=2000, high=2100),
        Column("area", N_("Area"), required=True, key=True, width=18, max_length=40),
        *_names(32),
        Column("planned_cents", NC_("budget", "Planned"), Kind.money, required=True, width=15),
        Column("actual_cents", N_("Actual"), Kind.money, width=15),
        Column("forecast_cents", N_("Forecast"), Kind.money, width=15),
        REMOVE,
    ),
    removable=True,
)
PROJECTS = Sheet(
    "projects",
    N_("Projects"),
    N_(
        "The projects (actions), by code: names, descriptions, classification, people, "
        "roadmap years, dates, state, impact and cost. A project is never deleted: set its "
        "state to cancelled."
    ),
    (
        Column("code", N_("Code"), required=True, key=True, width=10, max_length=40),
        *_names(40),
        *_names(40, prefix="description", what="Description"),
        Column("theme", N_("Theme"), Kind.int, width=8, low=1, high=99),
        Column("level", N_("Level"), Kind.choice, required=True, width=24, choices=labels.LEVEL),
        Column(
            "need_source",
            N_("Need source"),
            Kind.choice,
            required=True,
            width=20,
            choices=labels.NEED,
        ),
        Column(
            "benefit",
            N_("Long-term benefit"),
            Kind.choice,
            required=True,
            width=18,
            choices=labels.BENEFIT,
        ),
        Column("director", N_("Responsible director"), width=18),
        Column("owner", N_("Owner (e-mail)"), Kind.email, width=30),
        Column("deputy", N_("Deputy (e-mail)"), Kind.email, width=30),
        Column("roadmaps", N_("Roadmap years"), Kind.years, width=14),
        Column("start_date", N_("Start"), Kind.date, width=12),
        Column("end_date", N_("End"), Kind.date, width=12),
        Column("state", N_("State"), Kind.choice, required=True, width=12, choices=labels.STATE),
        Column("progress", N_("Progress"), Kind.percent, width=10, low=0, high=100),
        Column("health", N_("Health"), Kind.choice, width=12, choices=labels.HEALTH),
        Column("impact_score", N_("Impact (1-5)"), Kind.int, width=10, low=1, high=5),
        *_names(40, prefix="impact", what="Impact"),
        Column("one_time_cost_cents", N_("One-time cost"), Kind.money, width=14),
        Column("recurring_cost_cents_per_year", N_("Yearly cost"), Kind.money, width=14),
        Column("savings_cents_per_year", N_("Savings a year"), Kind.money, width=14),
        Column("funding", N_("Funding"), Kind.choice, width=14, choices=FUNDING),
        Column("budget_area", N_("Budget area"), width=18, max_length=40),
        Column("planned_cents", NC_("budget", "Planned"), Kind.money, width=14),
        Column("actual_cents", N_("Actual"), Kind.money, width=14),
        Column("forecast_cents", N_("Forecast"), Kind.money, width=14),
    ),
)
METRICS = Sheet(
    "metrics",
    N_("Metrics"),
    N_("Each project's metrics, by project code and number, with unit, baseline and target."),
    (
        Column("project", N_("Project"), required=True, key=True, width=10),
        Column("number", N_("Number"), Kind.int, required=True, key=True, width=9, low=1, high=99),
        *_names(40),
        Column("unit", N_("Unit"), required=True, width=8, max_length=40),
        Column("baseline", N_("Baseline"), Kind.decimal, width=11),
        Column("target", N_("Target"), Kind.decimal, width=11),
    ),
)
CYCLE = Sheet(
    "cycle",
    N_("Cycle"),
    N_("The monthly cycle's settings. One row."),
    (
        Column(
            "prompt_working_day",
            N_("Card on working day"),
            Kind.int,
            required=True,
            width=12,
            low=1,
            high=10,
        ),
        Column("send_time", N_("Send time"), Kind.time, required=True, width=10),
        Column(
            "due_working_days",
            N_("Due after working days"),
            Kind.int,
            required=True,
            width=12,
            low=1,
            high=20,
        ),
        Column("reminder_offsets", N_("Reminders (working days from due)"), Kind.offsets, width=16),
        Column(
            "escalation_after",
            N_("Escalate after working days"),
            Kind.int,
            required=True,
            width=12,
            low=0,
            high=20,
        ),
        Column(
            "close_after",
            N_("Close after working days"),
            Kind.int,
            required=True,
            width=12,
            low=0,
            high=20,
        ),
        Column("digest_time", N_("Digest time"), Kind.time, required=True, width=10),
        Column("paused", N_("Paused"), Kind.flag, width=9, choices=FLAG),
    ),
    single=True,
)
HISTORY = Sheet(
    "history",
    N_("Status history"),
    N_(
        "Read only: every period's latest status report, how many revisions it has and "
        "whether it was late. The import does not read this sheet."
    ),
    (
        Column("project", N_("Project"), width=10),
        Column("period", N_("Reporting period"), Kind.period, width=12),
        Column("health", N_("Health"), Kind.choice, width=12, choices=labels.HEALTH),
        Column("progress", N_("Progress"), Kind.percent, width=10),
        Column("spent_cents", N_("Spent to date"), Kind.money, width=14),
        Column("forecast_cents", N_("Forecast"), Kind.money, width=14),
        Column("revisions", N_("Revisions"), Kind.int, width=10),
        Column("late", N_("Late"), Kind.flag, width=8, choices=FLAG),
        Column("submitted_at", N_("Submitted"), Kind.datetime, width=18),
    ),
    read_only=True,
)

# In the order the export writes them and the import applies them: a sheet comes after
# the sheets its references point into.
SHEETS: tuple[Sheet, ...] = (
    PROGRAMME,
    THEMES,
    CAPABILITIES,
    INDICATORS,
    INDICATOR_VALUES,
    ROADMAPS,
    PEOPLE,
    DIRECTORS,
    BUDGET,
    PROJECTS,
    METRICS,
    CYCLE,
    HISTORY,
)
BY_KEY: dict[str, Sheet] = {sheet.key: sheet for sheet in SHEETS}
GUIDE_TITLE = N_("Read me")
_UTC = ZoneInfo("UTC")
# Titles, headers and labels as earlier catalogs wrote them, before the terms of
# docs/glossary.md: the import still reads them, so a workbook exported before a term
# changed comes back as it went out.
FORMER: dict[str | InContext, tuple[str, ...]] = {
    N_("Cycle"): ("Cykel",),
    NC_("budget", "Planned"): ("Suunniteltu", "Planerat"),
    N_("Due after working days"): ("Määräaika työpäivinä", "Förfaller efter arbetsdagar"),
    N_("Reminders (working days from due)"): (
        "Muistutukset (työpäivää määräajasta)",
        "Påminnelser (arbetsdagar från förfallodag)",
    ),
    N_("Indicator values"): ("Mittarien arvot",),
    N_("Admin"): ("Administratör",),
    NC_("state", "Planned"): ("Suunniteltu",),
    NC_("state", "Completed"): ("Slutförda",),
    NC_("state", "Paused"): ("Pausade",),
    NC_("state", "Cancelled"): ("Inställda",),
    N_("Paused"): ("Pausade",),
    N_("Digital foundation and security"): ("Digital grund och säkerhet",),
}


def translator(language: str) -> Translator:
    return Translator(language, _UTC)


def fold(text: str) -> str:
    """How headers, titles and labels are compared: case, spaces and dashes don't matter."""
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def spellings(message: str | InContext) -> list[str]:
    """A title, header or label in every language, and as earlier catalogs wrote it, folded."""
    texts = [translator(language)(message) for language in LANGUAGES]
    return [fold(text) for text in (*texts, *FORMER.get(message, ()))]


@cache
def sheet_titles() -> dict[str, str]:
    """Every language's title of every sheet (and its key), folded -> the sheet's key."""
    found: dict[str, str] = {}
    for sheet in SHEETS:
        found[fold(sheet.key)] = sheet.key
        for spelling in spellings(sheet.title):
            found[spelling] = sheet.key
    return found


@cache
def headers(sheet_key: str) -> dict[str, str]:
    """A sheet's headers in every language (and its field names), folded -> the field."""
    found: dict[str, str] = {}
    for column in BY_KEY[sheet_key].columns:
        found[fold(column.field)] = column.field
        for spelling in spellings(column.header):
            found[spelling] = column.field
    return found


@cache
def choice_codes(sheet_key: str, field_name: str) -> dict[str, str]:
    """A closed list's codes and its labels in every language, folded -> the code."""
    choices = BY_KEY[sheet_key].column(field_name).choices or {}
    found: dict[str, str] = {}
    for code, label in choices.items():
        found[fold(code)] = code
        for spelling in spellings(label):
            found[spelling] = code
    return found


@dataclass
class Titles:
    """A sheet's title and headers in one language, as the export writes them."""

    sheet: Sheet
    title: str
    headers: list[str] = field(default_factory=list)
