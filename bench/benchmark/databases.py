"""The benchmarked database: a SQLite file or a new PostgreSQL database, loaded with a
portfolio, and who sends on it.

PostgreSQL databases are created and dropped with ``tests.support.databases``, on
``ROADMAP_BENCH_PG`` (default ``127.0.0.1:5432``).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.benchmark.load import Senders
from bench.benchmark.processes import InvalidRun

PG_HOST = os.environ.get("ROADMAP_BENCH_PG", "127.0.0.1:5432")


@dataclass
class Database:
    """The benchmarked database: its URL, what it holds, and how to drop it (PostgreSQL)."""

    url: str
    description: str
    status_cards: int = 0
    senders: Senders = field(default_factory=lambda: Senders("", ""))
    pg_name: str | None = None


async def create_database(kind: str, workdir: Path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{workdir / 'bench.db'}", "SQLite (WAL)")
    # imported here: the served bots run this package too, and the echo bot's process
    # should hold none of our app's modules
    from tests.support.databases import create_pg_database

    name = f"roadmap_bench_{uuid.uuid4().hex[:12]}"
    url = await create_pg_database(name, host=PG_HOST)
    return Database(url, "PostgreSQL", pg_name=name)


async def drop_database(database: Database) -> None:
    if database.pg_name is None:
        return
    from tests.support.databases import drop_pg_databases

    await drop_pg_databases([database.pg_name], host=PG_HOST)


async def prepare_database(database: Database, portfolio: str, projects: int, months: int) -> None:
    """Migrate and load the portfolio; find the senders and how many cards ``status`` sends."""
    from sqlalchemy import text

    from bench.portfolio import GENERATED_MANAGER_AAD, generate_portfolio
    from settings import Settings
    from storage.db import create_engine, session_factory, transaction, upgrade
    from storage.demo import DEMO_MANAGER_AAD, DEMO_OWNER_AAD, load_demo
    from storage.people import person_by_aad
    from storage.status_reports import reportable_projects

    settings = Settings(DATABASE_URL=database.url, _env_file=None)
    await upgrade(database.url)
    engine = create_engine(database.url)
    today = datetime.now(settings.zone).date()
    try:
        started = time.perf_counter()
        async with transaction(session_factory(engine)) as session:
            if portfolio == "demo":
                if not await load_demo(session, today=today):
                    raise InvalidRun("the fresh database already had a programme")
                senders = Senders(DEMO_OWNER_AAD, DEMO_MANAGER_AAD)
                database.description += " with the demo portfolio"
            else:
                await generate_portfolio(
                    session, projects=projects, months=months, seed=1, today=today
                )
                # an owner with started projects sends help and status
                owner_aad = (
                    await (await session.connection()).execute(
                        text(
                            "SELECT p.aad_object_id FROM person p JOIN project pr"
                            " ON pr.owner_id = p.id WHERE pr.state = 'started'"
                            " AND p.role = 'owner' ORDER BY pr.id LIMIT 1"
                        )
                    )
                ).scalar_one()
                senders = Senders(owner_aad, GENERATED_MANAGER_AAD)
                database.description += (
                    f" with a generated portfolio ({projects} projects x {months} months)"
                )
        if database.pg_name is not None:
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
        print(f"{portfolio} portfolio loaded in {time.perf_counter() - started:.1f} s")
        if portfolio == "demo":
            async with transaction(session_factory(engine)) as session:
                await _add_single_owner(senders.owner_aad, session=session)
        async with session_factory(engine)() as session:
            owner = await person_by_aad(senders.owner_aad, session=session)
            if owner is None:
                raise InvalidRun("the owner who sends is missing")
            database.status_cards = len(await reportable_projects(owner, session=session))
            # status-1: the first owner (by id) who may report on exactly one project
            candidates = (
                await (await session.connection()).execute(
                    text(
                        "SELECT p.aad_object_id FROM person p JOIN project pr"
                        " ON pr.owner_id = p.id WHERE pr.state = 'started'"
                        " AND p.aad_object_id IS NOT NULL"
                        " GROUP BY p.id, p.aad_object_id HAVING count(*) = 1 ORDER BY p.id"
                    )
                )
            ).scalars()
            for aad in candidates:
                single = await person_by_aad(aad, session=session)
                if (
                    single is not None
                    and len(await reportable_projects(single, session=session)) == 1
                ):
                    senders = replace(senders, single_owner_aad=aad)
                    break
            else:
                raise InvalidRun("no owner reports on exactly one project")
            database.senders = senders
    finally:
        await engine.dispose()


# status-1's sender on the demo portfolio (see _add_single_owner)
SINGLE_OWNER_AAD = "00000000-0000-0000-0000-0000000001f1"


async def _add_single_owner(owner_aad: str, *, session: Any) -> None:
    """The demo as data has no owner who may report on exactly one project (each owns
    several, or is a deputy too): give ``status-1`` one. A new owner takes over the first
    started project (by code) that the ``status`` sender neither owns nor is deputy for,
    so ``status`` still sends the same cards."""
    from sqlmodel import col, or_, select

    from storage.models import Lifecycle, Person, Project, Role

    sender = (await session.exec(select(Person).where(Person.aad_object_id == owner_aad))).one()
    project = (
        await session.exec(
            select(Project)
            .where(
                col(Project.state) == Lifecycle.started,
                col(Project.owner_id) != sender.id,
                or_(col(Project.deputy_id).is_(None), col(Project.deputy_id) != sender.id),
            )
            .order_by(col(Project.code))
            .limit(1)
        )
    ).one()
    single = Person(aad_object_id=SINGLE_OWNER_AAD, name="Bench Single", role=Role.owner)
    session.add(single)
    await session.flush()
    project.owner_id = single.id
    session.add(project)
