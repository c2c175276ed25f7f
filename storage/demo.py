"""The demo portfolio: the City of Porvoo's digital programme, as data, and its history.

The portfolio itself is text: ``storage/demo_data/`` holds one CSV file per sheet of the
portfolio workbook, with the workbook's English headers (see ``docs/workbook.md`` and
``storage/demo_data/README.md``, which says what comes from the seed deck and what is
filler). ``load_demo`` reads those files with the workbook import's own reader
(``read_rows``), plans them (``plan_import``) and applies the plan (``apply_plan``): the
demo passes the same checks as an admin's file, and a demo file with an error or a
warning is refused. What is left here is what a workbook does not hold and what depends
on ``today``: the status history.

The Agents Playground's default user is ``DEMO_OWNER_AAD``: an admin who owns three
started projects (DR24-08 with two metrics, DR25-02 with one, DR25-04 with none).

Status history: every started project has one report a month for the twelve months before
``today``'s month (never fewer than the six months before it) and none for ``today``'s
month, so the current period is open. A period's report is submitted between the 18th and
the 27th of that month; about one in seven is corrected one to three days later (revision
2). A period closes on the 10th of the next month; the latest period is still open.
Metric values are stored per period, and in each revision as ``{metric id: value}``; the
latest one is the metrics file's "Latest value". Projects show their latest report's
progress, health, spend and forecast. An owner writes the reports' texts (achievements,
next steps, risks) in their own language, the people file's "Language". The data is drawn
from ``random.Random(2024)``, so loading with the same ``today`` gives the same database.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from random import Random
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    AuditLog,
    Health,
    Lifecycle,
    MetricValue,
    Person,
    Programme,
    Project,
    ProjectMetric,
    ReportingPeriod,
    StatusReport,
    StatusRevision,
)
from storage.workbook import ParsedBook, apply_plan, plan_import, read_rows
from storage.workbook.plan import IMPORTABLE
from translations import language_of

logger = logging.getLogger("storage.demo")

DATA = Path(__file__).with_name("demo_data")
EUR = 100  # cents in a euro

DEMO_OWNER_AAD = "00000000-0000-0000-0000-0000000000a1"
DEMO_MANAGER_AAD = "00000000-0000-0000-0000-0000000000b2"
DEMO_VIEWER_AAD = "00000000-0000-0000-0000-0000000000c3"

HISTORY_MONTHS = 12  # status reports for this many months before today's month
MIN_HISTORY_MONTHS = 6  # and never fewer

# Columns of the demo's files that are not the workbook's: the loader reads them itself
# and hands the rest to the import.
FILLER = "Filler"  # projects.csv: "yes" for a project the seed deck does not describe
LATEST_VALUE = "Latest value"  # metrics.csv: the metric's value in the latest report
DEMO_ONLY = {"projects": (FILLER,), "metrics": (LATEST_VALUE,)}


class DemoDataError(Exception):
    """The demo's files do not pass the import's checks."""


@dataclass(frozen=True)
class DemoFiles:
    """The demo's sheets as text rows (without the demo-only columns), and what those held."""

    sheets: dict[str, tuple[tuple[str, ...], ...]]  # sheet key -> header row, data rows
    filler: frozenset[str]  # project codes
    latest: dict[tuple[str, int], Decimal]  # (project code, metric number) -> value


@cache
def demo_files() -> DemoFiles:
    sheets: dict[str, tuple[tuple[str, ...], ...]] = {}
    filler: set[str] = set()
    latest: dict[tuple[str, int], Decimal] = {}
    for sheet in IMPORTABLE:
        path = DATA / f"{sheet.key}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as file:
            header, *rows = list(csv.reader(file))
        extra = [header.index(name) for name in DEMO_ONLY.get(sheet.key, ()) if name in header]
        kept = [i for i in range(len(header)) if i not in extra]
        sheets[sheet.key] = tuple(tuple(row[i] for i in kept) for row in [header, *rows])
        for row in rows:
            flag = row[header.index(FILLER)] if FILLER in header else ""
            if sheet.key == "projects" and flag.strip().casefold() == "yes":
                filler.add(row[0])
            if sheet.key == "metrics" and LATEST_VALUE in header:
                value = row[header.index(LATEST_VALUE)].strip()
                if value:
                    latest[(row[0], int(row[1]))] = Decimal(value)
    return DemoFiles(sheets, frozenset(filler), latest)


def demo_book(language: str = "en") -> ParsedBook:
    """The demo's files read as the import reads a workbook's sheets."""
    book = ParsedBook(language)
    files = demo_files()
    for sheet in IMPORTABLE:
        rows = files.sheets.get(sheet.key)
        if rows is not None:
            read_rows(book, sheet, sheet.key, rows)
    return book


# fmt: off
# ---------------------------------------------------------------------------------------
# Status texts, as an owner writes them in their own language (the people file's
# "Language"), by phase: progress < 35 %, < 75 %, later. The languages' lists run in
# parallel, so an owner's language changes the words and never a drawn number.
# ---------------------------------------------------------------------------------------

ACHIEVEMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fi": (
        ("Vaatimusmäärittely valmistui.", "Nykytila kartoitettiin käyttäjien kanssa.",
         "Tarjouspyyntö julkaistiin.", "Aloituspalaveri toimittajan kanssa pidettiin."),
        ("Testiympäristö otettiin käyttöön.", "Integraatiot lähdejärjestelmiin rakennettiin.",
         "Pilottiryhmä aloitti käytön.", "Käyttäjäkoulutukset aloitettiin.",
         "Tietojen siirron koeajo onnistui."),
        ("Käyttöönotto laajeni uusiin yksiköihin.", "Ohjeet ja tukimateriaalit julkaistiin.",
         "Palautteen perusteella tehtiin korjauksia.", "Ratkaisu on tuotannossa."),
    ),
    "sv": (
        ("Kravspecifikationen blev klar.", "Nuläget kartlades tillsammans med användarna.",
         "Anbudsförfrågan publicerades.", "Startmötet med leverantören hölls."),
        ("Testmiljön togs i bruk.", "Integrationerna till källsystemen byggdes.",
         "Pilotgruppen började använda lösningen.", "Användarutbildningarna inleddes.",
         "Provkörningen av dataöverföringen lyckades."),
        ("Ibruktagandet utvidgades till nya enheter.", "Anvisningar och stödmaterial publicerades.",
         "Korrigeringar gjordes utifrån responsen.", "Lösningen är i produktion."),
    ),
    "en": (
        ("The requirements specification was completed.",
         "The current state was mapped with the users.", "The call for tenders was published.",
         "The kick-off meeting with the supplier was held."),
        ("The test environment was taken into use.",
         "Integrations to the source systems were built.",
         "The pilot group started using the solution.", "User training started.",
         "The trial run of the data migration succeeded."),
        ("The roll-out extended to new units.", "Guides and support material were published.",
         "Fixes were made based on feedback.", "The solution is in production."),
    ),
}
NEXT_STEPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fi": (
        ("Hankintapäätös ja sopimus.", "Tietoturvakatselmointi.", "Pilottiyksiköiden valinta."),
        ("Hyväksymistestaus.", "Koulutukset jatkuvat.", "Tuotantoon siirron suunnittelu."),
        ("Käyttöönotto loppuun ja vanhan ratkaisun alasajo.", "Hyötyjen mittaus ja loppuraportti.",
         "Siirto jatkuvaan ylläpitoon."),
    ),
    "sv": (
        ("Upphandlingsbeslut och avtal.", "Granskning av informationssäkerheten.",
         "Val av pilotenheter."),
        ("Godkännandetestning.", "Utbildningarna fortsätter.",
         "Planering av övergången till produktion."),
        ("Ibruktagandet slutförs och den gamla lösningen avvecklas.",
         "Mätning av nyttan och slutrapport.", "Överföring till fortlöpande underhåll."),
    ),
    "en": (
        ("Procurement decision and contract.", "Information security review.",
         "Choosing the pilot units."),
        ("Acceptance testing.", "Training continues.", "Planning the move to production."),
        ("Completing the roll-out and shutting down the old solution.",
         "Measuring the benefits and the final report.", "Handover to continuous maintenance."),
    ),
}
RISKS: dict[str, dict[Health, tuple[str, ...]]] = {
    "fi": {
        Health.on_track: ("", "", "", "Ei merkittäviä riskejä."),
        Health.at_risk: ("Toimittajan resurssit ovat niukat.", "Lomakausi hidastaa testausta.",
                         "Avainhenkilön sijaisjärjestely on kesken.",
                         "Aikataulu riippuu toisesta hankkeesta."),
        Health.off_track: ("Toimitus on myöhässä sovitusta aikataulusta.",
                           "Kustannusarvio ylittyy; lisärahoitustarve selvitetään.",
                           "Tietojen laatuongelmat viivästyttävät siirtoa."),
    },
    "sv": {
        Health.on_track: ("", "", "", "Inga betydande risker."),
        Health.at_risk: ("Leverantörens resurser är knappa.", "Semestertiden fördröjer testningen.",
                         "Vikariearrangemanget för en nyckelperson är inte klart.",
                         "Tidtabellen är beroende av ett annat projekt."),
        Health.off_track: ("Leveransen är försenad jämfört med den överenskomna tidtabellen.",
                           "Kostnadskalkylen överskrids; behovet av tilläggsfinansiering utreds.",
                           "Problem med datakvaliteten fördröjer överföringen."),
    },
    "en": {
        Health.on_track: ("", "", "", "No significant risks."),
        Health.at_risk: ("The supplier's resources are scarce.",
                         "The holiday season slows down testing.",
                         "Cover for a key person is not yet arranged.",
                         "The schedule depends on another project."),
        Health.off_track: ("Delivery is late against the agreed schedule.",
                           "The cost estimate is exceeded; the need for more funding is being "
                           "looked into.",
                           "Data quality problems delay the migration."),
    },
}
# a report's forecast: the project's planned cost, more when the project is in trouble
FORECAST_PERCENT = {Health.on_track: 100, Health.at_risk: 108, Health.off_track: 120}

# fmt: on


class _HasId(Protocol):
    id: int | None


def _id(row: _HasId) -> int:
    if row.id is None:
        raise RuntimeError("row has no id yet: flush first")
    return row.id


def _period(month_index: int) -> str:
    """``year * 12 + month - 1`` as ``YYYY-MM``."""
    return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def history_periods(start: date, today: date) -> list[str]:
    """The report periods of a project started on ``start``: up to last month, never today's."""
    last = _month_index(today) - 1
    first = max(_month_index(start), last + 1 - HISTORY_MONTHS)
    first = min(first, last + 1 - MIN_HISTORY_MONTHS)
    return [_period(index) for index in range(first, last + 1)]


def _path(rng: Random, first: int, last: int, n: int) -> list[int]:
    """``n`` integers moving monotonically from about ``first`` to exactly ``last``."""
    low, high = sorted((first, last))
    jitter = (high - low) // (3 * n)
    values: list[int] = []
    for k in range(n):
        value = first + (last - first) * k // max(n - 1, 1) + rng.randint(-jitter, jitter)
        value = min(high, max(low, value))
        if values:
            value = max(value, values[-1]) if last >= first else min(value, values[-1])
        values.append(value)
    values[-1] = last
    return values


def _health_path(rng: Random, now: Health, n: int) -> list[Health]:
    weights = (85, 12, 3)  # on track, at risk, off track
    path = rng.choices(list(Health), weights=weights, k=n)
    if now is not Health.on_track:
        path[-3:] = [Health.at_risk] * min(3, n)
    path[-1] = now
    return path


@dataclass(frozen=True)
class _Started:
    """A started project, with what its history has to end at."""

    project: Project
    metrics: list[ProjectMetric]
    latest: list[int]  # each metric's value in the latest report
    language: str  # the owner's, who writes the reports

    @property
    def planned_eur(self) -> int:
        return (self.project.planned_cents or 0) // EUR


@dataclass
class _Snapshot:
    """One period's answer, as the owner gave it."""

    health: Health
    progress: int
    spent_cents: int
    forecast_cents: int
    metric_values: dict[int, Decimal]
    achievements: str
    next_steps: str
    risks: str


def _snapshots(rng: Random, plan: _Started, n: int) -> list[_Snapshot]:
    """A rising history of ``n`` monthly answers that ends at the project's current state."""
    now_progress = plan.project.progress
    progress = _path(rng, now_progress * rng.randint(30, 60) // 100, now_progress, n)
    actual_eur = plan.planned_eur * now_progress * rng.randint(85, 110) // 10_000
    spent = _path(rng, actual_eur * progress[0] // max(now_progress, 1), actual_eur, n)
    health = _health_path(rng, plan.project.health or Health.on_track, n)
    values = {
        _id(metric): _path(
            rng,
            int(metric.baseline or 0)
            + (now - int(metric.baseline or 0)) * rng.randint(10, 40) // 100,
            now,
            n,
        )
        for metric, now in zip(plan.metrics, plan.latest, strict=True)
    }
    snapshots = []
    for k in range(n):
        phase = 0 if progress[k] < 35 else 1 if progress[k] < 75 else 2
        forecast_eur = max(plan.planned_eur * FORECAST_PERCENT[health[k]] // 100, spent[k])
        snapshots.append(
            _Snapshot(
                health=health[k],
                progress=progress[k],
                spent_cents=spent[k] * EUR,
                forecast_cents=forecast_eur * EUR,
                metric_values={key: Decimal(series[k]) for key, series in values.items()},
                achievements=rng.choice(ACHIEVEMENTS[plan.language][phase]),
                next_steps=rng.choice(NEXT_STEPS[plan.language][phase]),
                risks=rng.choice(RISKS[plan.language][health[k]]),
            )
        )
    return snapshots


def _revision(
    report_id: int, number: int, snap: _Snapshot, by: int, at: datetime
) -> StatusRevision:
    return StatusRevision(
        report_id=report_id,
        number=number,
        health=snap.health,
        progress=snap.progress,
        spent_cents=snap.spent_cents,
        forecast_cents=snap.forecast_cents,
        metric_values={str(key): str(value) for key, value in snap.metric_values.items()},
        achievements=snap.achievements,
        next_steps=snap.next_steps,
        risks=snap.risks,
        submitted_by_id=by,
        submitted_at=at,
    )


def _answers(
    rng: Random, snap: _Snapshot, period: str, owner: int, deputy: int
) -> list[tuple[_Snapshot, int, datetime]]:
    """Who answered for ``period`` and when: one answer, sometimes corrected a few days later."""
    year, month = map(int, period.split("-"))
    at = datetime(
        year, month, rng.randint(18, 27), rng.randint(6, 14), rng.randint(0, 59), tzinfo=UTC
    )
    by = deputy if rng.random() < 0.1 else owner
    if rng.random() < 0.15:
        draft = replace(snap, progress=max(0, snap.progress - 5), next_steps="")
        return [(draft, by, at), (snap, by, at + timedelta(days=rng.randint(1, 3), hours=2))]
    return [(snap, by, at)]


def _closed_at(period: str) -> datetime:
    """A period closes on the 10th of the next month."""
    closes = _month_index(date.fromisoformat(f"{period}-01")) + 1
    return datetime(closes // 12, closes % 12 + 1, 10, 10, 0, tzinfo=UTC)


async def _add_history(
    session: AsyncSession, rng: Random, started: Iterable[_Started], today: date
) -> int:
    """Monthly reports, revisions, metric values and periods; returns the number of reports."""
    reports: list[tuple[StatusReport, list[tuple[_Snapshot, int, datetime]]]] = []
    all_periods: set[str] = set()
    for plan in started:
        project = plan.project
        if project.start_date is None or project.owner_id is None:
            raise DemoDataError(f"{project.code}: a started project needs a start and an owner")
        periods = history_periods(project.start_date, today)
        all_periods.update(periods)
        owner = project.owner_id
        deputy = project.deputy_id or owner
        snapshots = _snapshots(rng, plan, len(periods))
        for period, snap in zip(periods, snapshots, strict=True):
            answers = _answers(rng, snap, period, owner, deputy)
            report = StatusReport(
                project_id=_id(project),
                period=period,
                revision=len(answers),
                health=snap.health,
                progress=snap.progress,
                spent_cents=snap.spent_cents,
                forecast_cents=snap.forecast_cents,
                achievements=snap.achievements,
                next_steps=snap.next_steps,
                risks=snap.risks,
                submitted_by_id=answers[-1][1],
                first_submitted_at=answers[0][2],
                submitted_at=answers[-1][2],
            )
            reports.append((report, answers))
            session.add_all(
                MetricValue(metric_id=key, period=period, value=value)
                for key, value in snap.metric_values.items()
            )
        latest = snapshots[-1]
        project.progress, project.health = latest.progress, latest.health
        project.actual_cents, project.forecast_cents = latest.spent_cents, latest.forecast_cents
        session.add(project)
    session.add_all(report for report, _ in reports)
    await session.flush()
    session.add_all(
        _revision(_id(report), number, snap, by, at)
        for report, answers in reports
        for number, (snap, by, at) in enumerate(answers, start=1)
    )
    if all_periods:
        *closed, still_open = sorted(all_periods)
        session.add_all(ReportingPeriod(period=p, closed_at=_closed_at(p)) for p in closed)
        session.add(ReportingPeriod(period=still_open, closed_at=None))
    return len(reports)


async def _started(session: AsyncSession, files: DemoFiles) -> list[_Started]:
    """The started projects in the file's order, with their metrics, latest values and
    owners' languages."""
    order = {row[0]: n for n, row in enumerate(files.sheets["projects"][1:])}
    projects = sorted(
        (await session.exec(select(Project).where(Project.state == Lifecycle.started))).all(),
        key=lambda p: order.get(p.code, len(order)),
    )
    metrics = (
        await session.exec(
            select(ProjectMetric).order_by(
                col(ProjectMetric.project_id), col(ProjectMetric.position)
            )
        )
    ).all()
    locales = {person.id: person.locale for person in (await session.exec(select(Person))).all()}
    by_project: dict[int, list[ProjectMetric]] = {}
    for metric in metrics:
        by_project.setdefault(metric.project_id, []).append(metric)
    started = []
    for project in projects:
        own = by_project.get(_id(project), [])
        try:
            latest = [int(files.latest[(project.code, m.position + 1)]) for m in own]
        except KeyError as missing:
            raise DemoDataError(f"metrics.csv: no {LATEST_VALUE} for {missing}") from None
        started.append(_Started(project, own, latest, language_of(locales.get(project.owner_id))))
    return started


async def load_demo(session: AsyncSession, *, today: date) -> bool:
    """Load the demo portfolio into an empty database, through the import; the caller commits.

    Returns False, and changes nothing, if a programme already exists. Raises
    ``DemoDataError`` if the demo's files do not pass the import's checks.
    """
    if (await session.exec(select(Programme.id).limit(1))).first() is not None:
        return False
    files = demo_files()
    plan = await plan_import(demo_book(), session=session)
    if plan.errors or plan.warnings:
        problems = "; ".join(str(issue) for issue in [*plan.errors, *plan.warnings][:10])
        raise DemoDataError(f"the demo's files do not pass the import: {problems}")
    await apply_plan(plan, session=session, actor=None, source="demo")
    started = await _started(session, files)
    rng = Random(2024)  # noqa: S311  (reproducible demo data, not security)
    reports = await _add_history(session, rng, started, today)
    programme = (await session.exec(select(Programme.id))).one()
    people = len((await session.exec(select(Person.id))).all())
    projects = len(files.sheets["projects"]) - 1
    session.add(
        AuditLog(
            action="demo.load",
            entity="programme",
            entity_id=str(programme),
            details={
                "today": today.isoformat(),
                "people": people,
                "projects": projects,
                "filler_projects": len(files.filler),
                "status_reports": reports,
            },
        )
    )
    await session.flush()
    logger.info(
        "Demo portfolio loaded: %d people, %d projects (%d started), %d status reports",
        people,
        projects,
        len(started),
        reports,
    )
    return True
