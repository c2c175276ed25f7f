"""Plain data the card builders take. No database, no SDK."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class MetricField:
    id: int
    name: str
    unit: str
    value: str  # as typed, or last period's value as the reader writes numbers
    target: str | None = None  # with its unit, formatted for the reader ("3 000 kpl")


@dataclass(frozen=True, slots=True)
class StatusFormView:
    project_id: int
    code: str
    name: str
    period: str
    period_start: date
    due: date
    values: dict[str, str]
    metrics: list[MetricField]
    errors: dict[str, str] = field(default_factory=dict)
    prefilled_from: date | None = None  # the start of the period the values come from
    revision: int | None = None
    period_closed: bool = False
    banner: str | None = None  # for example a reminder, already translated
    next_period_opens: date | None = None  # a closed period's card: when cards go out again
    open_period: date | None = None  # the start of a later period open for reports now


@dataclass(frozen=True, slots=True)
class MetricReading:
    name: str
    value: str  # with its unit, formatted for the reader ("12 500,5 kpl", "58%"), or "–"


@dataclass(frozen=True, slots=True)
class ConfirmationView:
    project_id: int
    code: str
    name: str
    period: str
    period_start: date
    health: str
    progress: int
    spent_cents: int | None  # None: this reader may not see the project's money
    forecast_cents: int | None
    metrics: list[MetricReading]
    achievements: str
    next_steps: str
    risks: str
    submitted_by: str
    submitted_at: datetime
    revision: int
    late: bool
    editor_ids: list[str]  # Teams user ids that get the editable view through refresh
    can_edit: bool
    frozen: bool = False  # the period is closed: the report can no longer be changed
    next_period_opens: date | None = None  # a closed period's card: when cards go out again
    open_period: date | None = None  # the start of a later period open for reports now


@dataclass(frozen=True, slots=True)
class WelcomeView:
    name: str
    is_owner: bool
    is_manager: bool
    project_count: int


@dataclass(frozen=True, slots=True)
class MissingProject:
    code: str
    name: str
    owner: str
    director: str


@dataclass(frozen=True, slots=True)
class EscalationView:
    period_start: date
    due: date
    projects: list[MissingProject]
    copy: bool  # the admins' copy lists every director's projects


@dataclass(frozen=True, slots=True)
class HealthChange:
    code: str
    name: str
    before: str | None
    after: str
    progress_before: int | None
    progress_after: int


@dataclass(frozen=True, slots=True)
class DigestView:
    period_start: date
    expected: int
    received: int
    health: dict[str, int]
    changes: list[HealthChange]
    late: list[MissingProject]
    planned_cents: int | None  # None in a channel or group chat: no money there
    actual_cents: int | None


@dataclass(frozen=True, slots=True)
class CycleStatusView:
    period_start: date
    due: date
    paused: bool
    expected: int
    received: int
    missing: list[MissingProject]
    steps: list[tuple[str, str, str]]  # (step, when, "done" | "missed" | "pending")


@dataclass(frozen=True, slots=True)
class AnswerRow:
    title: str
    detail: str = ""
    value: str = ""
    colour: str = "Default"  # Good, Warning, Attention, Default
    project_id: int | None = None  # tapping the row opens this project's card
    question: dict[str, object] | None = None  # or answers this question (card data)


@dataclass(frozen=True, slots=True)
class AnswerSection:
    heading: str
    rows: list[AnswerRow]


@dataclass(frozen=True, slots=True)
class ChartImage:
    url: str
    alt: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    """One answer to a manager's question: numbers first, then a chart, then lists."""

    title: str
    subtitle: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    chart: ChartImage | None = None
    sections: list[AnswerSection] = field(default_factory=list)
    note: str = ""
    more: dict[str, object] | None = None  # Action.Execute data for the next page
    page_label: str = ""
    choices: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # title, data
    links: list[tuple[str, str]] = field(default_factory=list)  # title, URL (Action.OpenUrl)
    steps: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # next questions
    back: dict[str, object] | None = None  # Action.Execute data for the previous page


@dataclass(frozen=True, slots=True)
class HelpView:
    """The help card: the questions and commands this person may use, in table order."""

    examples: list[str]  # msgids of example questions
    commands: list[tuple[str, str]]  # the command as typed in the reader's language, msgid
    status_command: str  # what the card's button sends
    not_understood: str | None = None  # the message that was not understood
    suggestions: list[str] = field(default_factory=list)  # msgids of the closest questions
    help_command: str = ""  # the help word in the reader's language, for the full card


@dataclass(frozen=True, slots=True)
class FileLinkView:
    """A file to download through a signed link that expires."""

    title: str  # translated already: "The portfolio workbook"
    file_name: str
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ImportReportView:
    """What a sent workbook would change, what is wrong with it, and whether it was applied."""

    file_name: str
    sheets: list[tuple[str, int, int, int, int]]  # title, added, changed, removed, unchanged
    errors: list[str]  # "sheet / row / column: message", translated already
    warnings: list[str]
    apply: dict[str, object] | None = None  # the Apply button's data; None: no button
    applied: bool = False
