"""A large, realistic, generated portfolio for benchmarks and scale tests.

``generate_portfolio(session, projects=10_000, months=36, seed=1, today=...)`` fills an
EMPTY, migrated database (SQLite or PostgreSQL) with:

* one programme with three themes, covering the years of the history up to next year;
* ten responsible directors, each held by a manager, and about one owner per five
  projects (``Person.locale`` is NULL for everyone, so the Teams locale decides);
  the first director's holder has the aad id ``GENERATED_MANAGER_AAD``;
* an approved roadmap per year, and budget lines per year x five areas;
* ``projects`` projects spread over states, levels, need sources, benefits, themes,
  directors and owners, with planned / actual / forecast cents and 0-3 metrics each;
* for every started project one status report a month for the ``months`` periods before
  ``today``'s month, and for about 70 % of them one for ``today``'s month (the open
  period, so some reports are missing); one revision per report (``revision = 1``, no
  ``StatusRevision`` rows); started projects show their latest report's progress,
  health, spend and forecast;
* metric values for every metric of a started project, for the last
  ``METRIC_MONTHS`` periods only (12, to keep the load fast), and the reporting periods.

``add_owners(session, owners=300, service_url=..., tenant=...)`` adds, to any migrated
database (a demo one too), that many owners who have each opened a personal chat with the
bot (a stored conversation reference whose service URL is ``service_url``, a local fake
connector) and own one started project: the people a fan-out experiment prompts.

Rows are written with SQLAlchemy core ``insert`` and explicit ids, in chunks; on
PostgreSQL the id sequences are moved past the generated ids at the end. The data comes
from ``random.Random(seed)``: the same arguments give the same database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.installs import personal_reference
from storage.models import (
    Benefit,
    BudgetLine,
    Conversation,
    ConversationKind,
    Director,
    Level,
    Lifecycle,
    MetricValue,
    NeedSource,
    Person,
    Programme,
    Project,
    ProjectMetric,
    ReportingPeriod,
    Roadmap,
    RoadmapProject,
    Role,
    StatusReport,
    Theme,
)

GENERATED_MANAGER_AAD = "gen-manager-0001"
DIRECTORS = 10
AREAS = ("tori", "kanava", "perusta", "data", "palvelut")
AREA_NAMES = {
    "tori": ("Sähköinen asiointi", "Elektronisk service", "E-services"),
    "kanava": ("Kanavat", "Kanaler", "Channels"),
    "perusta": ("Digitaalinen perusta", "Digital grund", "Digital foundation"),
    "data": ("Tieto ja analytiikka", "Data och analys", "Data and analytics"),
    "palvelut": ("Toimialojen palvelut", "Sektorernas tjänster", "Sector services"),
}
THEMES = (
    ("Asukaslähtöiset palvelut", "Invånarorienterade tjänster", "Resident-centred services"),
    ("Kestävä ja uudistuva kaupunki", "En hållbar och förnyande stad", "A sustainable city"),
    ("Tiedolla johtaminen", "Kunskapsbaserad ledning", "Knowledge-based management"),
)
# Weights of the lifecycle states; about 70 % started gives ~250k reports at 10k x 36.
STATES = (("started", 70), ("planned", 10), ("completed", 12), ("paused", 4), ("cancelled", 4))
LEVELS = ("analytics", "foundation", "common", "sector")
NEEDS = (("end_of_support", 10), ("law", 35), ("strategy", 55))
BENEFITS = ("human_centred", "sustainability", "renewal")
HEALTHS = ("on_track", "at_risk", "off_track")
METRIC_MONTHS = 12
CURRENT_PERIOD_SHARE = 0.7
CHUNK = 5000
WORDS = (
    "Asiointi",
    "Kartta",
    "Data",
    "Portaali",
    "Integraatio",
    "Arkisto",
    "Kanava",
    "Palvelu",
    "Alusta",
    "Analytiikka",
)


def _months(today: date, months: int) -> list[str]:
    """The ``months`` periods before today's month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months, index)]


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def _insert(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    for chunk in _chunks(rows):
        await connection.execute(insert(table), list(chunk))


def _weighted(rng: Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


async def generate_portfolio(
    session: AsyncSession, *, projects: int, months: int, seed: int, today: date
) -> None:
    """Fill an empty, migrated database with a generated portfolio; the caller commits."""
    connection = await session.connection()
    if (await connection.execute(select(func.count()).select_from(Programme))).scalar_one():
        raise ValueError("the database already has a programme")
    rng = Random(seed)  # reproducible data, not security
    periods = _months(today, months)
    current = f"{today.year:04d}-{today.month:02d}"
    first_year = int(periods[0][:4]) if periods else today.year
    years = list(range(first_year, today.year + 2))

    def table(model: Any) -> Table:
        return model.__table__  # type: ignore[no-any-return]

    await _insert(
        connection,
        table(Programme),
        [
            {
                "id": 1,
                "name_fi": "Generoitu digiohjelma",
                "name_sv": "Genererat digitalprogram",
                "name_en": "Generated digital programme",
                "start_year": years[0],
                "end_year": years[-1],
                "approved_on": date(years[0], 1, 15),
            }
        ],
    )
    await _insert(
        connection,
        table(Theme),
        [
            {"id": n, "programme_id": 1, "number": n, "name_fi": fi, "name_sv": sv, "name_en": en}
            for n, (fi, sv, en) in enumerate(THEMES, start=1)
        ],
    )
    await _insert(
        connection,
        table(Roadmap),
        [
            {
                "id": i,
                "programme_id": 1,
                "year": year,
                "state": "approved",
                "approved_on": date(year - 1, 12, 1),
            }
            for i, year in enumerate(years, start=1)
        ],
    )
    roadmap_ids = {year: i for i, year in enumerate(years, start=1)}

    # People: ten managers holding the directors' posts, then the owners.
    owners = max(1, projects // 5)
    people = [
        {
            "id": i,
            "aad_object_id": GENERATED_MANAGER_AAD if i == 1 else f"gen-person-{i:06d}",
            "name": f"{'Johtaja' if i <= DIRECTORS else 'Omistaja'} {i:05d}",
            "email": f"person{i}@example.org",
            "locale": None,
            "role": "manager" if i <= DIRECTORS else "owner",
        }
        for i in range(1, DIRECTORS + owners + 1)
    ]
    await _insert(connection, table(Person), people)
    owner_ids = [p["id"] for p in people[DIRECTORS:]]
    await _insert(
        connection,
        table(Director),
        [
            {
                "id": i,
                "key": f"director{i}",
                "title_fi": f"Toimialajohtaja {i}",
                "title_sv": f"Sektordirektör {i}",
                "title_en": f"Sector director {i}",
                "person_id": i,
            }
            for i in range(1, DIRECTORS + 1)
        ],
    )

    # Projects, their roadmaps and metrics.
    project_rows: list[dict[str, Any]] = []
    roadmap_rows: list[dict[str, Any]] = []
    metric_rows: list[dict[str, Any]] = []
    started: list[dict[str, Any]] = []
    metrics_of: dict[int, list[int]] = {}
    history_start = date.fromisoformat(f"{periods[0]}-01") if periods else today
    for pid in range(1, projects + 1):
        state = _weighted(rng, STATES)
        planned = rng.randrange(20, 2000) * 1_000_00
        if state == "planned":
            start = date(today.year + rng.randint(0, 1), rng.randint(1, 12), 1)
        elif state == "started":
            start = history_start - timedelta(days=rng.randint(0, 400))
        else:
            start = history_start + timedelta(days=rng.randint(-500, 300))
        end = start + timedelta(days=rng.randint(180, 1500))
        owner = owner_ids[(pid - 1) % len(owner_ids)]
        deputy = owner_ids[pid % len(owner_ids)] if rng.random() < 0.3 else None
        done = state == "completed"
        row: dict[str, Any] = {
            "id": pid,
            "code": f"G{pid:06d}",
            "name_fi": f"{rng.choice(WORDS)} {pid} -hanke",
            "name_sv": f"Projekt {rng.choice(WORDS)} {pid}",
            "name_en": f"{rng.choice(WORDS)} project {pid}",
            "description_en": "",
            "theme_id": rng.randint(1, len(THEMES)),
            "level": rng.choice(LEVELS),
            "need_source": _weighted(rng, NEEDS),
            "benefit": rng.choice(BENEFITS),
            "director_id": rng.randint(1, DIRECTORS),
            "owner_id": owner,
            "deputy_id": deputy,
            "start_date": start,
            "end_date": end,
            "state": state,
            "progress": {"completed": 100, "planned": 0}.get(state, rng.randint(0, 90)),
            "health": None if state in ("planned", "cancelled") else "on_track",
            "impact_score": rng.randint(1, 5) if done else None,
            "impact_en": "",
            "savings_cents_per_year": rng.randrange(0, 200) * 1_000_00 if done else None,
            "one_time_cost_cents": rng.randrange(10, 500) * 1_000_00 if done else None,
            "recurring_cost_cents_per_year": rng.randrange(0, 50) * 1_000_00 if done else None,
            "funding": "project_grant" if rng.random() < 0.15 else "city_budget",
            "budget_area": rng.choice(AREAS),
            "planned_cents": planned,
            "actual_cents": planned if done else (0 if state == "planned" else planned // 3),
            "forecast_cents": planned,
        }
        project_rows.append(row)
        first = max(years[0], min(start.year, years[-1]))
        last = max(first, min(end.year, years[-1]))
        roadmap_rows += [
            {"roadmap_id": roadmap_ids[year], "project_id": pid} for year in range(first, last + 1)
        ]
        for position in range(rng.choice((0, 0, 1, 1, 2, 3))):
            mid = len(metric_rows) + 1
            metric_rows.append(
                {
                    "id": mid,
                    "project_id": pid,
                    "position": position,
                    "name_fi": f"Mittari {position + 1}",
                    "name_sv": f"Mätare {position + 1}",
                    "name_en": f"Metric {position + 1}",
                    "unit": "%",
                    "baseline": 0,
                    "target": 100,
                }
            )
            metrics_of.setdefault(pid, []).append(mid)
        if state == "started":
            started.append(row)

    # Status history of the started projects; the project shows its latest report.
    reports: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    metric_periods = set(periods[-METRIC_MONTHS:]) | {current}
    for row in started:
        pid, planned = int(row["id"]), int(row["planned_cents"])
        reported = [*periods, current] if rng.random() < CURRENT_PERIOD_SHARE else periods
        progress = rng.randint(0, 20)
        health = rng.choice(HEALTHS[:2])
        spent = 0
        forecast = planned
        for period in reported:
            progress = min(100, progress + rng.randint(0, 5))
            if rng.random() < 0.2:
                health = _weighted(rng, (("on_track", 6), ("at_risk", 3), ("off_track", 1)))
            spent += rng.randrange(0, max(1, planned // max(1, len(periods))) + 1)
            forecast = max(spent, forecast + rng.randrange(-50, 80) * 1_000_00)
            at = datetime(int(period[:4]), int(period[5:]), rng.randint(1, 27), 9, 0, tzinfo=UTC)
            if period == current:
                at = datetime(today.year, today.month, 1, 9, 0, tzinfo=UTC)
            reports.append(
                {
                    "id": len(reports) + 1,
                    "project_id": pid,
                    "period": period,
                    "revision": 1,
                    "health": health,
                    "progress": progress,
                    "spent_cents": spent,
                    "forecast_cents": forecast,
                    "achievements": f"Edistyttiin kaudella {period}.",
                    "next_steps": "Jatketaan.",
                    "risks": "",
                    "submitted_by_id": row["owner_id"],
                    "first_submitted_at": at,
                    "submitted_at": at,
                    "late": False,
                }
            )
            if period in metric_periods:
                for mid in metrics_of.get(pid, []):
                    values.append(
                        {
                            "id": len(values) + 1,
                            "metric_id": mid,
                            "period": period,
                            "value": min(100, progress + rng.randint(-5, 5)),
                        }
                    )
        if reported:
            row.update(
                progress=progress, health=health, actual_cents=spent, forecast_cents=forecast
            )

    # Budget lines: the plan of the year's roadmap projects, spread over the areas.
    budget_rows: list[dict[str, Any]] = []
    for year in years:
        for area in AREAS:
            fi, sv, en = AREA_NAMES[area]
            planned = rng.randrange(500, 5000) * 1_000_00 * max(1, projects // 100)
            share = 1.0 if year < today.year else (0.0 if year > today.year else 0.45)
            budget_rows.append(
                {
                    "id": len(budget_rows) + 1,
                    "year": year,
                    "area": area,
                    "name_fi": f"{fi} {year}",
                    "name_sv": f"{sv} {year}",
                    "name_en": f"{en} {year}",
                    "planned_cents": planned,
                    "actual_cents": int(planned * share * rng.uniform(0.8, 1.1)) // 100 * 100,
                }
            )

    await _insert(connection, table(Project), project_rows)
    await _insert(connection, table(RoadmapProject), roadmap_rows)
    await _insert(connection, table(ProjectMetric), metric_rows)
    await _insert(connection, table(BudgetLine), budget_rows)
    await _insert(connection, table(StatusReport), reports)
    await _insert(connection, table(MetricValue), values)
    closes = {p: datetime(int(p[:4]), int(p[5:]), 28, 10, 0, tzinfo=UTC) for p in periods}
    await _insert(
        connection,
        table(ReportingPeriod),
        [{"period": p, "closed_at": closes[p]} for p in periods]
        + [{"period": current, "closed_at": None}],
    )
    if connection.dialect.name == "postgresql":
        for model in (
            Programme,
            Theme,
            Roadmap,
            Person,
            Director,
            Project,
            ProjectMetric,
            BudgetLine,
            StatusReport,
            MetricValue,
        ):
            name = table(model).name
            await connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"  # noqa: S608
                    f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                )
            )


@dataclass(frozen=True, slots=True)
class Owner:
    person_id: int
    project_id: int
    conversation_id: int  # the row's id
    teams_conversation: str  # the id Teams knows it by


async def add_owners(
    session: AsyncSession,
    *,
    owners: int,
    service_url: str,
    tenant: str,
    prefix: str = "owner",
    bot: tuple[str, str] = ("28:roadmap-bot", "Roadmap Bot"),
) -> list[Owner]:
    """``owners`` people with a personal chat with the bot and one started project each."""
    people = [
        Person(
            aad_object_id=f"aad-{prefix}-{n}",
            teams_id=f"29:{prefix}-{n}",
            tenant_id=tenant,
            name=f"Owner {prefix} {n}",
            role=Role.owner,
        )
        for n in range(owners)
    ]
    session.add_all(people)
    await session.flush()
    chats: list[Conversation] = []
    for person in people:
        chat_id = f"a:{prefix}-chat-{person.id}"
        reference = personal_reference(
            conversation_id=chat_id,
            user=(person.teams_id or "", person.name, person.aad_object_id),
            bot=bot,
            tenant_id=tenant,
            service_url=service_url,
            locale="fi-FI",
        )
        chats.append(
            Conversation(
                conversation_id=chat_id,
                kind=ConversationKind.personal,
                tenant_id=tenant,
                person_id=person.id,
                service_url=service_url,
                reference=reference,
            )
        )
    projects = [
        Project(
            code=f"{prefix.upper()}-{n:05d}",
            name_fi=f"Hanke {prefix} {n}",
            name_sv=f"Projekt {prefix} {n}",
            name_en=f"Project {prefix} {n}",
            level=Level.common,
            need_source=NeedSource.strategy,
            benefit=Benefit.renewal,
            owner_id=person.id,
            state=Lifecycle.started,
            progress=10,
        )
        for n, person in enumerate(people)
    ]
    session.add_all([*chats, *projects])
    await session.flush()
    found: list[Owner] = []
    for person, chat, project in zip(people, chats, projects, strict=True):
        assert person.id is not None and chat.id is not None and project.id is not None
        found.append(Owner(person.id, project.id, chat.id, chat.conversation_id))
    return found
