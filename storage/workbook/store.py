"""The portfolio as the workbook's records, read from the database and written back.

A record is a plain dict of a sheet's fields, in the form the import reads a row into:
text as ``str`` ("" when empty), numbers as ``int`` or ``Decimal``, money as integer cents,
closed lists as their codes, people as lower-case e-mails, roadmap years as a tuple. The
export writes these records, and the import compares the file's records with them field
by field: so an export imported again changes nothing, by construction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import insert as sa_insert
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    AuditLog,
    BudgetLine,
    Capability,
    CycleConfig,
    Director,
    IndicatorSet,
    IndicatorValue,
    Person,
    Programme,
    Project,
    ProjectMetric,
    Roadmap,
    RoadmapProject,
    StatusReport,
    Theme,
    utcnow,
)
from translations import language_of

Key = tuple[Any, ...]
Record = dict[str, Any]
State = dict[str, dict[Key, Record]]
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}  # a language chosen in the workbook


def number(value: Decimal | None) -> Decimal | None:
    """A stored decimal without the column's trailing zeros (82.0000 is 82)."""
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _email(person: Person | None) -> str:
    return (person.email or "").lower() if person else ""


@dataclass
class Refs:
    """Ids by natural key, and natural keys by id: what references are resolved with."""

    people: dict[int, Person] = field(default_factory=dict)
    person_by_email: dict[str, Person] = field(default_factory=dict)
    themes: dict[int, int] = field(default_factory=dict)  # id -> number
    theme_ids: dict[int, int] = field(default_factory=dict)  # number -> id
    directors: dict[int, str] = field(default_factory=dict)
    director_ids: dict[str, int] = field(default_factory=dict)
    roadmaps: dict[int, int] = field(default_factory=dict)  # id -> year
    roadmap_ids: dict[int, int] = field(default_factory=dict)
    projects: dict[int, str] = field(default_factory=dict)
    project_ids: dict[str, int] = field(default_factory=dict)
    indicators: dict[int, str] = field(default_factory=dict)
    indicator_ids: dict[str, int] = field(default_factory=dict)
    programme_id: int | None = None


async def load_refs(*, session: AsyncSession) -> Refs:
    refs = Refs()
    for person in (await session.exec(select(Person))).all():
        if person.id is None:
            continue
        refs.people[person.id] = person
        if person.email:
            refs.person_by_email[person.email.lower()] = person
    for theme_id, theme_number in (await session.exec(select(Theme.id, Theme.number))).all():
        if theme_id is None:
            continue
        refs.themes[theme_id] = theme_number
        refs.theme_ids[theme_number] = theme_id
    for director_id, key in (await session.exec(select(Director.id, Director.key))).all():
        if director_id is None:
            continue
        refs.directors[director_id] = key
        refs.director_ids[key] = director_id
    for roadmap_id, year in (await session.exec(select(Roadmap.id, Roadmap.year))).all():
        if roadmap_id is None:
            continue
        refs.roadmaps[roadmap_id] = year
        refs.roadmap_ids[year] = roadmap_id
    for project_id, code in (await session.exec(select(Project.id, Project.code))).all():
        if project_id is None:
            continue
        refs.projects[project_id] = code
        refs.project_ids[code] = project_id
    indicators = await session.exec(select(IndicatorSet.id, IndicatorSet.code))
    for indicator_id, code in indicators.all():
        if indicator_id is None:
            continue
        refs.indicators[indicator_id] = code
        refs.indicator_ids[code] = indicator_id
    refs.programme_id = (
        await session.exec(select(Programme.id).order_by(col(Programme.id)))
    ).first()
    return refs


def _names(row: Any, prefix: str = "name") -> Record:
    return {
        f"{prefix}_{lang}": getattr(row, f"{prefix}_{lang}") or "" for lang in ("fi", "sv", "en")
    }


def project_record(p: Project, refs: Refs, years: tuple[int, ...]) -> Record:
    return {
        "code": p.code,
        **_names(p),
        **_names(p, "description"),
        "theme": refs.themes.get(p.theme_id) if p.theme_id else None,
        "level": str(p.level),
        "need_source": str(p.need_source),
        "benefit": str(p.benefit),
        "director": refs.directors.get(p.director_id, "") if p.director_id else "",
        "owner": _email(refs.people.get(p.owner_id)) if p.owner_id else "",
        "deputy": _email(refs.people.get(p.deputy_id)) if p.deputy_id else "",
        "roadmaps": years,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "state": str(p.state),
        "progress": p.progress,
        "health": str(p.health) if p.health else None,
        "impact_score": p.impact_score,
        **_names(p, "impact"),
        "one_time_cost_cents": p.one_time_cost_cents,
        "recurring_cost_cents_per_year": p.recurring_cost_cents_per_year,
        "savings_cents_per_year": p.savings_cents_per_year,
        "funding": str(p.funding),
        "budget_area": p.budget_area or "",
        "planned_cents": p.planned_cents,
        "actual_cents": p.actual_cents,
        "forecast_cents": p.forecast_cents,
    }


async def read_state(*, session: AsyncSession, include_people: bool = True) -> tuple[State, Refs]:
    """Every importable sheet's records, by key, as the database holds them now."""
    refs = await load_refs(session=session)
    state: State = {}
    programme = await session.get(Programme, refs.programme_id) if refs.programme_id else None
    state["programme"] = (
        {
            (): {
                **_names(programme),
                "start_year": programme.start_year,
                "end_year": programme.end_year,
                "approved_on": programme.approved_on,
            }
        }
        if programme
        else {}
    )
    themes = (await session.exec(select(Theme).order_by(col(Theme.number)))).all()
    state["themes"] = {(t.number,): {"number": t.number, **_names(t)} for t in themes}
    capabilities = (await session.exec(select(Capability).order_by(col(Capability.id)))).all()
    state["capabilities"] = {(c.name_fi,): _names(c) for c in capabilities}
    indicators = (await session.exec(select(IndicatorSet).order_by(col(IndicatorSet.id)))).all()
    state["indicators"] = {
        (i.code,): {
            "code": i.code,
            **_names(i),
            "unit": i.unit,
            "target": number(i.target),
            **_names(i, "source"),
        }
        for i in indicators
    }
    values = (
        await session.exec(
            select(IndicatorValue).order_by(
                col(IndicatorValue.indicator_set_id), col(IndicatorValue.period)
            )
        )
    ).all()
    state["indicator_values"] = {
        (refs.indicators[v.indicator_set_id], v.period): {
            "indicator": refs.indicators[v.indicator_set_id],
            "period": v.period,
            "value": number(v.value),
            "note": v.note,
            "remove": False,
        }
        for v in values
    }
    roadmaps = (await session.exec(select(Roadmap).order_by(col(Roadmap.year)))).all()
    state["roadmaps"] = {
        (r.year,): {"year": r.year, "state": str(r.state), "approved_on": r.approved_on}
        for r in roadmaps
    }
    if include_people:
        state["people"] = {
            (_email(p),): {
                "email": _email(p),
                "name": p.name,
                "role": str(p.role),
                "language": language_of(p.locale) if p.locale else None,
                "timezone": p.timezone or "",
                "deputy": _email(refs.people.get(p.deputy_id)) if p.deputy_id else "",
                "aad_object_id": p.aad_object_id or "",
            }
            for p in sorted(refs.people.values(), key=lambda p: p.id or 0)
            if p.email
        }
    directors = (await session.exec(select(Director).order_by(col(Director.id)))).all()
    state["directors"] = {
        (d.key,): {
            "key": d.key,
            **_names(d, "title"),
            "holder": _email(refs.people.get(d.person_id)) if d.person_id else "",
        }
        for d in directors
    }
    lines = (
        await session.exec(select(BudgetLine).order_by(col(BudgetLine.year), col(BudgetLine.id)))
    ).all()
    state["budget"] = {
        (b.year, b.area): {
            "year": b.year,
            "area": b.area,
            **_names(b),
            "planned_cents": b.planned_cents,
            "actual_cents": b.actual_cents,
            "forecast_cents": b.forecast_cents,
            "remove": False,
        }
        for b in lines
    }
    years: dict[int, list[int]] = {}
    for link in (await session.exec(select(RoadmapProject))).all():
        years.setdefault(link.project_id, []).append(refs.roadmaps[link.roadmap_id])
    projects = (await session.exec(select(Project).order_by(col(Project.id)))).all()
    state["projects"] = {
        (p.code,): project_record(p, refs, tuple(sorted(years.get(p.id or 0, ()))))
        for p in projects
    }
    metrics = (
        await session.exec(
            select(ProjectMetric).order_by(
                col(ProjectMetric.project_id), col(ProjectMetric.position), col(ProjectMetric.id)
            )
        )
    ).all()
    state["metrics"] = {
        (refs.projects[m.project_id], m.position + 1): {
            "project": refs.projects[m.project_id],
            "number": m.position + 1,
            **_names(m),
            "unit": m.unit,
            "baseline": number(m.baseline),
            "target": number(m.target),
        }
        for m in metrics
    }
    config = await session.get(CycleConfig, 1) or CycleConfig(id=1)
    state["cycle"] = {(): cycle_record(config)}
    return state, refs


def cycle_record(config: CycleConfig) -> Record:
    return {
        "prompt_working_day": config.prompt_working_day,
        "send_time": config.send_time,
        "due_working_days": config.due_working_days,
        "reminder_offsets": tuple(config.reminder_offsets),
        "escalation_after": config.escalation_after,
        "close_after": config.close_after,
        "digest_time": config.digest_time,
        "paused": config.paused,
    }


@dataclass(frozen=True)
class HistoryRow:
    project: str
    period: str
    health: str
    progress: int
    spent_cents: int
    forecast_cents: int
    revisions: int
    late: bool
    submitted_at: datetime


async def history(*, session: AsyncSession, chunk: int = 5000) -> AsyncIterator[HistoryRow]:
    """Every period's latest report, by project code and period, streamed in chunks."""
    statement = (
        sa_select(
            *(
                col(c)
                for c in (
                    Project.code,
                    StatusReport.period,
                    StatusReport.health,
                    StatusReport.progress,
                    StatusReport.spent_cents,
                    StatusReport.forecast_cents,
                    StatusReport.revision,
                    StatusReport.late,
                    StatusReport.submitted_at,
                )
            )
        )
        .join(Project, col(Project.id) == col(StatusReport.project_id))
        .order_by(col(Project.code), col(StatusReport.period))
        .execution_options(yield_per=chunk)
    )
    result = await session.stream(statement)
    async for row in result:
        values: Any = tuple(row)
        code, period, health, progress, spent, forecast, revisions, late, at = values
        yield HistoryRow(
            code, period, str(health), progress, spent, forecast, revisions, bool(late), at
        )


async def count_reports(*, session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(StatusReport))).one())


# ------------------------------------------------------------------------------------
# Writing a plan's changes
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One row of the file that changes the database."""

    sheet: str
    key: Key
    action: str  # "add", "change" or "remove"
    row: int  # the row in the file (1 is the header)
    record: Record  # the file's record
    fields: dict[str, tuple[Any, Any]]  # field -> (old, new); all fields when added


def _set(target: Any, values: Record, names: tuple[str, ...]) -> None:
    for name in names:
        if name in values:
            setattr(target, name, values[name])


def _person_id(email: str, refs: Refs) -> int | None:
    if not email:
        return None
    return refs.person_by_email[email].id


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return str(value)


async def apply_changes(
    changes: list[Change], *, session: AsyncSession, actor_id: int | None, source: str
) -> None:
    """Write every change and one audit entry for each, in the caller's transaction."""
    by_sheet: dict[str, list[Change]] = {}
    for change in changes:
        by_sheet.setdefault(change.sheet, []).append(change)
    refs = await load_refs(session=session)
    for sheet, writer in _WRITERS.items():
        if sheet in by_sheet:
            await writer(by_sheet[sheet], refs, session)
            await session.flush()
    # one entry a change, written as rows rather than ORM objects: a large file has tens of
    # thousands (bench.workbook), and building a model object for each costs more than the
    # insert
    now = utcnow()
    entries = [
        {
            "at": now,
            "actor_id": actor_id,
            "action": f"workbook.{change.action}",
            "entity": change.sheet,
            "entity_id": "/".join(str(part) for part in change.key)[:60] or change.sheet,
            "details": {
                "source": source,
                "row": change.row,
                "fields": {
                    name: [_json(old), _json(new)] for name, (old, new) in change.fields.items()
                },
            },
        }
        for change in changes
    ]
    connection = await session.connection()
    for at in range(0, len(entries), _AUDIT_CHUNK):
        await connection.execute(sa_insert(AuditLog), entries[at : at + _AUDIT_CHUNK])


_AUDIT_CHUNK = 5000


def _new_values(change: Change) -> Record:
    return {name: new for name, (_old, new) in change.fields.items()}


async def _programme(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    values = _new_values(changes[0])
    programme = await session.get(Programme, refs.programme_id) if refs.programme_id else None
    if programme is None:
        programme = Programme(**changes[0].record)
    else:
        _set(programme, values, tuple(values))
    session.add(programme)
    await session.flush()
    refs.programme_id = programme.id


def _programme_id(refs: Refs) -> int:
    if refs.programme_id is None:  # the plan refuses a file like this before it gets here
        raise ValueError("no programme to add to")
    return refs.programme_id


def _upsert(
    changes: list[Change],
    existing: dict[Any, Any],
    new: Callable[[Change], Any],
    names: tuple[str, ...] | None,
    session: AsyncSession,
) -> None:
    """Each change's row by its key: the stored one with the change's new values set
    (``names`` of them; None: all), or a new one."""
    for change in changes:
        found = existing.get(change.key[0])
        if found is None:
            found = new(change)
        else:
            values = _new_values(change)
            _set(found, values, tuple(values) if names is None else names)
        session.add(found)


async def _ids(model: Any, key: str, session: AsyncSession) -> dict[Any, int]:
    """The stored rows' ids by their key, once a flush has given the new rows theirs."""
    await session.flush()
    rows = (await session.exec(select(model))).all()
    return {getattr(row, key): row.id for row in rows if row.id is not None}


def _in_programme(model: Any, refs: Refs) -> Callable[[Change], Any]:
    return lambda change: model(programme_id=_programme_id(refs), **change.record)


async def _themes(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {t.number: t for t in (await session.exec(select(Theme))).all()}
    _upsert(changes, existing, _in_programme(Theme, refs), None, session)
    refs.theme_ids.update(await _ids(Theme, "number", session))


async def _capabilities(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {c.name_fi: c for c in (await session.exec(select(Capability))).all()}
    _upsert(changes, existing, _in_programme(Capability, refs), None, session)


async def _indicators(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {i.code: i for i in (await session.exec(select(IndicatorSet))).all()}
    _upsert(changes, existing, _in_programme(IndicatorSet, refs), None, session)
    refs.indicator_ids.update(await _ids(IndicatorSet, "code", session))


async def _indicator_values(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {
        (refs.indicators.get(v.indicator_set_id), v.period): v
        for v in (await session.exec(select(IndicatorValue))).all()
    }
    for change in changes:
        found = existing.get(change.key)
        if change.action == "remove":
            if found is not None:
                await session.delete(found)
            continue
        values = _new_values(change)
        if found is None:
            found = IndicatorValue(
                indicator_set_id=refs.indicator_ids[change.record["indicator"]],
                period=change.record["period"],
                value=change.record["value"],
                note=change.record.get("note", ""),
            )
        else:
            _set(found, values, ("value", "note"))
        session.add(found)


async def _roadmaps(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {r.year: r for r in (await session.exec(select(Roadmap))).all()}
    _upsert(changes, existing, _in_programme(Roadmap, refs), ("state", "approved_on"), session)
    refs.roadmap_ids.update(await _ids(Roadmap, "year", session))


async def _people(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    people: list[tuple[Person, Change]] = []
    for change in changes:
        values = _new_values(change)
        person = refs.person_by_email.get(change.key[0])
        if person is None:
            person = Person(email=change.key[0], name=change.record["name"])
        _set(person, values, ("name", "role"))
        if "language" in values:
            person.locale = LOCALES[values["language"]] if values["language"] else None
        if "timezone" in values:
            person.timezone = values["timezone"] or None
        if "aad_object_id" in values:
            person.aad_object_id = values["aad_object_id"] or None
        session.add(person)
        people.append((person, change))
    await session.flush()
    for person, _ in people:
        refs.person_by_email[(person.email or "").lower()] = person
    for person, change in people:  # deputies may be people of this same file
        if "deputy" in change.fields:
            person.deputy_id = _person_id(change.fields["deputy"][1], refs)


async def _directors(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {d.key: d for d in (await session.exec(select(Director))).all()}
    for change in changes:
        values = _new_values(change)
        found = existing.get(change.key[0])
        if found is None:
            found = Director(key=change.key[0], title_fi="", title_sv="", title_en="")
        _set(found, values, ("title_fi", "title_sv", "title_en"))
        if "holder" in values:
            found.person_id = _person_id(values["holder"], refs)
        session.add(found)
    refs.director_ids.update(await _ids(Director, "key", session))


async def _budget(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {(b.year, b.area): b for b in (await session.exec(select(BudgetLine))).all()}
    for change in changes:
        found = existing.get(change.key)
        if change.action == "remove":
            if found is not None:
                await session.delete(found)
            continue
        values = _new_values(change)
        if found is None:
            found = BudgetLine(
                year=change.key[0],
                area=change.key[1],
                name_fi="",
                name_sv="",
                name_en="",
                planned_cents=0,
            )
        _set(found, values, ("name_fi", "name_sv", "name_en", "planned_cents", "forecast_cents"))
        if "actual_cents" in values:
            found.actual_cents = values["actual_cents"] or 0
        session.add(found)


_PROJECT_FIELDS = (
    "name_fi",
    "name_sv",
    "name_en",
    "description_fi",
    "description_sv",
    "description_en",
    "level",
    "need_source",
    "benefit",
    "start_date",
    "end_date",
    "state",
    "progress",
    "health",
    "impact_score",
    "impact_fi",
    "impact_sv",
    "impact_en",
    "one_time_cost_cents",
    "recurring_cost_cents_per_year",
    "savings_cents_per_year",
    "funding",
    "planned_cents",
    "actual_cents",
    "forecast_cents",
)


async def _projects(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    codes = [change.key[0] for change in changes]
    existing = {
        p.code: p
        for p in (await session.exec(select(Project).where(col(Project.code).in_(codes)))).all()
    }
    projects: list[tuple[Project, Change]] = []
    for change in changes:
        values = _new_values(change)
        project = existing.get(change.key[0])
        if project is None:
            project = Project(
                code=change.key[0], name_fi="", name_sv="", name_en="", **_defaults(change.record)
            )
        _set(project, values, _PROJECT_FIELDS)
        if "progress" in values:
            project.progress = values["progress"] or 0
        if "funding" in values and values["funding"] is None:
            project.funding = Project.model_fields["funding"].default
        if "theme" in values:
            project.theme_id = refs.theme_ids[values["theme"]] if values["theme"] else None
        if "director" in values:
            project.director_id = (
                refs.director_ids[values["director"]] if values["director"] else None
            )
        if "owner" in values:
            project.owner_id = _person_id(values["owner"], refs)
        if "deputy" in values:
            project.deputy_id = _person_id(values["deputy"], refs)
        if "budget_area" in values:
            project.budget_area = values["budget_area"] or None
        session.add(project)
        projects.append((project, change))
    await session.flush()
    links: list[RoadmapProject] = []
    for project, change in projects:
        if project.id is None:
            continue
        refs.project_ids[project.code] = project.id
        if "roadmaps" not in change.fields:
            continue
        old, new = change.fields["roadmaps"]
        gone = [refs.roadmap_ids[year] for year in set(old or ()) - set(new or ())]
        if gone:
            await session.exec(
                delete(RoadmapProject).where(
                    col(RoadmapProject.project_id) == project.id,
                    col(RoadmapProject.roadmap_id).in_(gone),
                )
            )
        links.extend(
            RoadmapProject(roadmap_id=refs.roadmap_ids[year], project_id=project.id)
            for year in sorted(set(new or ()) - set(old or ()))
        )
    session.add_all(links)


def _defaults(record: Record) -> Record:
    """The model's required fields a new project gets before its own values are set."""
    return {name: record[name] for name in ("level", "need_source", "benefit")}


async def _metrics(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    existing = {
        (refs.projects.get(m.project_id) or "", m.position + 1): m
        for m in (await session.exec(select(ProjectMetric))).all()
    }
    for change in changes:
        values = _new_values(change)
        found = existing.get(change.key)
        if found is None:
            found = ProjectMetric(
                project_id=refs.project_ids[change.key[0]],
                position=change.key[1] - 1,
                name_fi="",
                name_sv="",
                name_en="",
                unit="",
            )
        _set(found, values, ("name_fi", "name_sv", "name_en", "unit", "baseline", "target"))
        session.add(found)


async def _cycle(changes: list[Change], refs: Refs, session: AsyncSession) -> None:
    values = _new_values(changes[0])
    config = await session.get(CycleConfig, 1) or CycleConfig(id=1)
    _set(
        config,
        values,
        (
            "prompt_working_day",
            "send_time",
            "due_working_days",
            "escalation_after",
            "close_after",
            "digest_time",
            "paused",
        ),
    )
    if "reminder_offsets" in values:
        config.reminder_offsets = list(values["reminder_offsets"] or ())
    config.updated_at = utcnow()
    session.add(config)


_WRITERS = {
    "programme": _programme,
    "themes": _themes,
    "capabilities": _capabilities,
    "indicators": _indicators,
    "indicator_values": _indicator_values,
    "roadmaps": _roadmaps,
    "people": _people,
    "directors": _directors,
    "budget": _budget,
    "projects": _projects,
    "metrics": _metrics,
    "cycle": _cycle,
}
