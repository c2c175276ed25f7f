"""A small portfolio for scenario tests: owners, a deputy, an admin, projects with metrics."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.calendar import period_of, previous_period
from storage.models import (
    Benefit,
    Conversation,
    ConversationKind,
    Director,
    Health,
    Level,
    Lifecycle,
    NeedSource,
    Person,
    Project,
    ProjectMetric,
    Role,
    StatusReport,
    StatusRevision,
    utcnow,
)
from tests.support.activities import TENANT, User

OWNER = User("29:owner", "aad-owner", "Aino Virtanen", "fi-FI")
DEPUTY = User("29:deputy", "aad-deputy", "Björn Lindqvist", "sv-FI")
OTHER = User("29:other", "aad-other", "Olli Muu", "en-US")
ADMIN = User("29:admin", "aad-admin", "Anna Admin", "en-US")
MANAGER = User("29:manager", "aad-manager", "Maija Manageri", "en-US")
VIEWER = User("29:viewer", "aad-viewer", "Ville Katsoja", "en-US")
STRANGER = User("29:stranger", "aad-stranger", "Sami Tuntematon", "en-US")  # not in the database
CURRENT_PERIOD = period_of(utcnow(), ZoneInfo("Europe/Helsinki"))
LAST_PERIOD = previous_period(CURRENT_PERIOD)


def plain_project(code: str, name: str, owner_id: int | None, **fields: Any) -> Project:
    """A started project with only what the model requires, named ``name`` in every language
    ("Hanke 3", "Projekt 3", "Project 3" for ``name="3"``); ``fields`` set the rest."""
    values: dict[str, Any] = {
        "level": Level.common,
        "need_source": NeedSource.strategy,
        "benefit": Benefit.renewal,
        "state": Lifecycle.started,
    }
    values.update(fields)
    return Project(
        code=code,
        name_fi=f"Hanke {name}",
        name_sv=f"Projekt {name}",
        name_en=f"Project {name}",
        owner_id=owner_id,
        **values,
    )


@dataclass
class Portfolio:
    kartalla_id: int
    chatbot_id: int
    metric_ids: list[int]
    owner_id: int


async def create_portfolio(session: AsyncSession) -> Portfolio:
    people = {}
    for user, role in (
        (OWNER, Role.owner),
        (DEPUTY, Role.owner),
        (OTHER, Role.owner),
        (ADMIN, Role.admin),
        (MANAGER, Role.manager),
        (VIEWER, Role.viewer),
    ):
        person = Person(
            aad_object_id=user.aad,
            teams_id=user.teams_id,
            name=user.name,
            role=role,
            tenant_id=TENANT,
        )
        session.add(person)
        people[user.aad] = person
    await session.flush()
    owner = people[OWNER.aad]
    owner.deputy_id = people[DEPUTY.aad].id
    kartalla = Project(
        code="DR25-01",
        name_fi="Kartalla-palautepalvelu",
        name_sv="Kartalla-responstjänst",
        name_en="Kartalla map feedback",
        level=Level.common,
        need_source=NeedSource.strategy,
        benefit=Benefit.human_centred,
        owner_id=owner.id,
        state=Lifecycle.started,
        progress=40,
        health=Health.on_track,
        planned_cents=5_000_000,
        actual_cents=2_000_000,
    )
    chatbot = Project(
        code="DR25-02",
        name_fi="Asiakaspalvelun chatbot",
        name_sv="Kundtjänstens chatbot",
        name_en="Customer service chatbot",
        level=Level.sector,
        need_source=NeedSource.strategy,
        benefit=Benefit.renewal,
        owner_id=people[OTHER.aad].id,
        state=Lifecycle.started,
    )
    session.add_all([kartalla, chatbot])
    await session.flush()
    assert kartalla.id is not None and chatbot.id is not None and owner.id is not None
    metrics = [
        ProjectMetric(
            project_id=kartalla.id,
            position=0,
            name_fi="Palautteita",
            name_sv="Respons",
            name_en="Feedback items",
            unit="pcs",
            baseline=Decimal(0),
            target=Decimal(500),
        ),
        ProjectMetric(
            project_id=kartalla.id,
            position=1,
            name_fi="Mobiilikäyttö",
            name_sv="Mobilanvändning",
            name_en="Mobile use",
            unit="%",
            baseline=Decimal(10),
            target=Decimal(60),
        ),
    ]
    session.add_all(metrics)
    await session.flush()
    report = StatusReport(
        project_id=kartalla.id,
        period=LAST_PERIOD,
        health=Health.on_track,
        progress=40,
        spent_cents=2_000_000,
        forecast_cents=5_000_000,
        achievements="Pilotti käynnissä",
        submitted_by_id=owner.id,
        first_submitted_at=utcnow(),
        submitted_at=utcnow(),
    )
    session.add(report)
    await session.flush()
    assert report.id is not None
    session.add(
        StatusRevision(
            report_id=report.id,
            number=1,
            health=Health.on_track,
            progress=40,
            spent_cents=2_000_000,
            forecast_cents=5_000_000,
            submitted_by_id=owner.id,
        )
    )
    await session.flush()
    return Portfolio(kartalla.id, chatbot.id, [m.id for m in metrics if m.id], owner.id)


async def add_cycle_world(session: AsyncSession) -> None:
    """What the cycle needs besides the portfolio: a responsible director for every
    project (the deputy), and a personal chat with each test user to reach them in."""
    people = {p.aad_object_id: p for p in (await session.exec(select(Person))).all()}
    director = Director(
        key="finance",
        title_fi="Talousjohtaja",
        title_sv="Ekonomidirektör",
        title_en="Finance director",
        person_id=people[DEPUTY.aad].id,
    )
    session.add(director)
    await session.flush()
    for project in (await session.exec(select(Project))).all():
        project.director_id = director.id
        session.add(project)
    for user in (OWNER, DEPUTY, OTHER, ADMIN):
        person = people[user.aad]
        session.add(
            Conversation(
                conversation_id=user.conversation,
                kind=ConversationKind.personal,
                tenant_id="tenant-porvoo",
                person_id=person.id,
                service_url="http://127.0.0.1:9/",
                reference={"conversation": {"id": user.conversation}},
            )
        )
