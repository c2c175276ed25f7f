"""Table models: the whole portfolio a digital programme runs on.

Money is integer cents (``*_cents``), metric values are ``Decimal``; datetimes are
timezone-aware and stored in UTC. Schema changes go through Alembic only.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: SQLite returns naive values, so tag them UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _money(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(BigInteger, nullable=nullable))


class Role(enum.StrEnum):
    admin = "admin"
    manager = "manager"
    owner = "owner"
    viewer = "viewer"


class Health(enum.StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"


class Lifecycle(enum.StrEnum):
    planned = "planned"
    started = "started"
    completed = "completed"
    paused = "paused"
    cancelled = "cancelled"


class Level(enum.StrEnum):
    analytics = "analytics"  # analytics & data
    foundation = "foundation"  # digital foundation, including digital security
    common = "common"  # city-wide common solution
    sector = "sector"  # sector-specific application


class NeedSource(enum.StrEnum):
    end_of_support = "end_of_support"
    law = "law"
    strategy = "strategy"


class Benefit(enum.StrEnum):
    human_centred = "human_centred"
    sustainability = "sustainability"
    renewal = "renewal"


class Funding(enum.StrEnum):
    city_budget = "city_budget"
    project_grant = "project_grant"


class RoadmapState(enum.StrEnum):
    draft = "draft"
    approved = "approved"


class ActualSource(enum.StrEnum):
    """Where a budget line's actual comes from."""

    entered = "entered"  # typed in by the programme office (the city's ledger)
    reports = "reports"  # summed from its projects' monthly status reports


class ConversationKind(enum.StrEnum):
    personal = "personal"
    channel = "channel"
    group_chat = "groupChat"


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    start_year: int
    end_year: int
    approved_on: date | None = None


class Theme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int
    name_fi: str = Field(max_length=300)
    name_sv: str = Field(max_length=300)
    name_en: str = Field(max_length=300)


class Capability(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    name_fi: str = Field(max_length=300)
    name_sv: str = Field(max_length=300)
    name_en: str = Field(max_length=300)


class IndicatorSet(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("programme_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    code: str = Field(max_length=40)
    name_fi: str = Field(max_length=300)
    name_sv: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    unit: str = Field(max_length=40)
    target: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 4)))
    # where the figures come from, in the three languages (a survey, a register)
    source_fi: str = Field(default="", max_length=300)
    source_sv: str = Field(default="", max_length=300)
    source_en: str = Field(default="", max_length=300)


class IndicatorValue(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("indicator_set_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_set_id: int = Field(foreign_key="indicatorset.id", index=True)
    period: str = Field(max_length=7)  # "2024" or "2024-06"
    value: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    note: str = Field(default="", max_length=500)


class Roadmap(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    year: int = Field(unique=True)
    state: RoadmapState = Field(default=RoadmapState.draft, sa_type=String(20))
    approved_on: date | None = None
    # the decision proposal the board deck asks the board to approve (empty: none written)
    decision_fi: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision_sv: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    aad_object_id: str | None = Field(default=None, max_length=64, unique=True)
    teams_id: str | None = Field(default=None, max_length=200, index=True)
    tenant_id: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=200)
    # the first name as the directory gives it (Teams' givenName), never guessed from ``name``
    given_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    locale: str | None = Field(default=None, max_length=10)  # explicit per-user override
    timezone: str | None = Field(default=None, max_length=64)
    role: Role = Field(default=Role.viewer, sa_type=String(20))
    deputy_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    away_until: date | None = None
    unreachable_since: datetime | None = _ts(nullable=True)


class Director(SQLModel, table=True):
    """A responsible director (vastuutaso): a post, held by a person."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    title_fi: str = Field(max_length=200)
    title_sv: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id")


class BudgetLine(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "area"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    area: str = Field(max_length=40)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    # "entered": ``actual_cents`` is the office's figure; "reports": it is left unused, and
    # the actual is summed from the area's projects' status reports when asked
    actual_source: ActualSource = Field(
        default=ActualSource.entered,
        sa_column=Column(String(10), nullable=False, server_default=ActualSource.entered.value),
    )
    planned_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    actual_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    forecast_cents: int | None = _money()


class Project(SQLModel, table=True):
    # covers the summary's aggregates over started projects
    __table_args__ = (Index("ix_project_state_health_progress", "state", "health", "progress"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_fi: str = Field(max_length=300)
    name_sv: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    description_fi: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_sv: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    level: Level = Field(sa_type=String(20))
    need_source: NeedSource = Field(sa_type=String(20))
    benefit: Benefit = Field(sa_type=String(20))
    director_id: int | None = Field(default=None, foreign_key="director.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    deputy_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    start_date: date | None = None
    end_date: date | None = None
    state: Lifecycle = Field(default=Lifecycle.planned, sa_type=String(20), index=True)
    progress: int = Field(default=0, ge=0, le=100)
    health: Health | None = Field(default=None, sa_type=String(20))
    impact_score: int | None = Field(default=None, ge=1, le=5)
    impact_fi: str = Field(default="", max_length=2000)
    impact_sv: str = Field(default="", max_length=2000)
    impact_en: str = Field(default="", max_length=2000)
    savings_cents_per_year: int | None = _money()
    one_time_cost_cents: int | None = _money()
    recurring_cost_cents_per_year: int | None = _money()
    funding: Funding = Field(default=Funding.city_budget, sa_type=String(20))
    budget_area: str | None = Field(default=None, max_length=40)
    planned_cents: int | None = _money()
    actual_cents: int | None = _money()
    forecast_cents: int | None = _money()


class RoadmapProject(SQLModel, table=True):
    """A project on a year's roadmap; a project can continue into the next year's."""

    roadmap_id: int = Field(foreign_key="roadmap.id", primary_key=True)
    project_id: int = Field(foreign_key="project.id", primary_key=True)


class ProjectMetric(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    position: int = 0
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    unit: str = Field(max_length=40)
    baseline: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 4)))
    target: Decimal | None = Field(default=None, sa_column=Column(Numeric(18, 4)))


class MetricValue(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("metric_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    metric_id: int = Field(foreign_key="projectmetric.id", index=True)
    period: str = Field(max_length=7)
    value: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))


class ReportingPeriod(SQLModel, table=True):
    period: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    closed_at: datetime | None = _ts(nullable=True)


class ReportRevision(SQLModel, table=True):
    """How many times a period's status reports have changed.

    Database triggers on ``statusreport`` count every insert, update and delete, whatever
    made it (a save, an import, the demo, an admin's SQL): ``migrations/versions/0011``.
    A figure computed from a period's reports stays right while the revisions it was
    computed at are unchanged, so ``storage.portfolio`` keeps what moved between two
    months and computes it again only when their reports change.
    """

    period: str = Field(max_length=7, primary_key=True)
    revision: int = Field(sa_column=Column(BigInteger, nullable=False))


class StatusReport(SQLModel, table=True):
    """Project × period. Holds the latest revision's values; every revision is kept."""

    __table_args__ = (UniqueConstraint("project_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    period: str = Field(max_length=7, index=True)
    revision: int = 1
    health: Health = Field(sa_type=String(20))
    progress: int
    spent_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    forecast_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    achievements: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    risks: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submitted_by_id: int = Field(foreign_key="person.id")
    first_submitted_at: datetime = _ts()
    submitted_at: datetime = _ts()
    late: bool = False


class StatusRevision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="statusreport.id", index=True)
    number: int
    health: Health = Field(sa_type=String(20))
    progress: int
    spent_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    forecast_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    metric_values: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    achievements: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    risks: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submitted_by_id: int = Field(foreign_key="person.id")
    submitted_at: datetime = _ts()
    late: bool = False
    activity_id: str | None = Field(default=None, max_length=200, unique=True)


class Conversation(SQLModel, table=True):
    """A conversation reference, kept so the bot can message proactively."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(max_length=500, unique=True)
    kind: ConversationKind = Field(sa_type=String(20))
    tenant_id: str | None = Field(default=None, max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    team_id: str | None = Field(default=None, max_length=500)
    name: str = Field(default="", max_length=300)
    service_url: str = Field(max_length=500)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    installed_at: datetime = _ts()
    digest: bool = False  # a managers' channel or chat that gets the cycle's digest


class ProcessedActivity(SQLModel, table=True):
    """Incoming activity ids, so a replayed activity is processed once."""

    activity_id: str = Field(primary_key=True, max_length=300)
    received_at: datetime = _ts()
    completed_at: datetime | None = _ts(nullable=True)


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=60)
    entity: str = Field(max_length=60)
    entity_id: str = Field(max_length=60)
    activity_id: str | None = Field(default=None, max_length=300)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PendingImport(SQLModel, table=True):
    """A workbook an admin sent, checked and waiting for their Apply (for an hour)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    digest: str = Field(max_length=64)  # the file's SHA-256: the Apply is for this file
    file_name: str = Field(default="", max_length=255)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _ts()


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    in_flight = "in_flight"
    sent = "sent"
    skipped = "skipped"  # no longer needed when its turn came (for example: already answered)
    unreachable = "unreachable"  # the person blocked or removed the bot (403)
    failed = "failed"  # gave up after the retry cap


class CycleConfig(SQLModel, table=True):
    """The monthly cycle's settings; one row, created with the defaults on first use."""

    id: int = Field(default=1, primary_key=True)
    prompt_working_day: int = Field(default=1, ge=1, le=10)
    send_time: str = Field(default="09:00", max_length=5)  # local time, HH:MM
    due_working_days: int = Field(default=7, ge=1, le=20)
    reminder_offsets: list[int] = Field(
        default_factory=lambda: [-3, 0], sa_column=Column(JSON, nullable=False)
    )  # working days relative to the due date
    escalation_after: int = Field(default=2, ge=0, le=20)  # working days after the due date
    close_after: int = Field(default=3, ge=0, le=20)  # working days after the due date
    digest_time: str = Field(default="10:00", max_length=5)  # on the close day
    paused: bool = False
    updated_at: datetime = _ts()
    updated_by_id: int | None = Field(default=None, foreign_key="person.id")


class CycleRun(SQLModel, table=True):
    """A cycle step that has fired for a period: the guard that makes each step run once."""

    __table_args__ = (UniqueConstraint("period", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    kind: str = Field(max_length=30)
    ran_at: datetime = _ts()
    trigger: str = Field(default="schedule", max_length=30)
    messages: int = 0


class OutboxMessage(SQLModel, table=True):
    """A proactive message to send, with its idempotency key (kind, period, person, project)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    kind: str = Field(max_length=30, index=True)
    period: str = Field(max_length=7)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id")
    tenant_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=String(20), index=True)
    not_before: datetime = _ts()
    next_attempt_at: datetime = _ts()
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = _ts(nullable=True)
    claim_epoch: int = 0  # the cycle lease's epoch the claim was made in (0: no lease)
    sent_at: datetime | None = _ts(nullable=True)
    sent_activity_id: str | None = Field(default=None, max_length=300)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = _ts()


class OutboxAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outboxmessage.id", index=True)
    at: datetime = _ts()
    worker: str = Field(default="", max_length=100)
    epoch: int = 0  # the cycle lease's epoch the dispatcher sent in
    outcome: str = Field(max_length=30)
    status_code: int | None = None
    retry_after_s: float | None = None
    duration_ms: int = 0
    error: str = Field(default="", max_length=500)


class Lease(SQLModel, table=True):
    """Leadership among replicas: whoever holds an unexpired lease schedules and dispatches.

    ``epoch`` grows by one each time the lease changes hands or is taken again after it
    expired: the fencing token that claims and sends carry.
    """

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=100)
    epoch: int = 0
    expires_at: datetime = _ts()
