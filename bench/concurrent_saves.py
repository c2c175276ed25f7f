"""Concurrent saves: every submit kept, every reply true (issue 9, part 4's acceptance).

``python -m bench.concurrent_saves [--database sqlite|postgres] [--submits 200]
[--projects 22]`` migrates a fresh database (a SQLite file in a temporary directory, or
a new PostgreSQL database on ``ROADMAP_TEST_PG``, default ``127.0.0.1:5432``, dropped at
the end), loads the scenario tests' portfolio and ``--projects`` started projects with an
owner each, and serves the real app (``app.create_app``) over HTTP on this process's loop,
with the tests' fake connector. Two scenarios, each on a database of its own:

* ``N projects``: ``--submits`` Action.Execute submits at once, round robin over the
  projects, each from the project's owner;
* ``one report``: ``--submits`` submits at once to one project's report, all from its
  owner.

For each it prints the submits, the replies that said "saved" and "nothing was saved",
how many replies match the database (a "saved" reply names the revision its activity
saved; a "not saved" one has none), the revisions and audit entries these submits wrote,
how often a write unit ran again after a clash, and the wall and CPU time. Exits 0 when
every submit is kept as a revision with one audit entry and every reply matches, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from app import create_app
from settings import Settings
from storage.db import SessionFactory, create_engine, session_factory
from tests.support.concurrent_saves import Tally, seed, spread, submit_all
from tests.support.connector import FakeConnector
from tests.support.databases import PgTemplates, SqliteTemplates, pg_available
from tests.support.portfolio import create_portfolio


class _Retries(logging.Handler):
    """Counts ``storage.db``'s "write unit clashed" lines: each is one unit run again."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("write unit clashed"):
            self.count += 1


@asynccontextmanager
async def _bot(url: str) -> AsyncIterator[tuple[Any, SessionFactory, str, list[Any]]]:
    """The app on a real port over ``url``; yields post, sessions, connector url, targets."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    connector = FakeConnector()
    await connector.start()
    settings = Settings(DATABASE_URL=url, CYCLE_ENABLED=False, _env_file=None)
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with ClientSession() as http:

            async def post(activity: dict[str, Any]) -> tuple[int, Any]:
                async with http.post(f"{base}/api/messages", json=activity) as response:
                    body = (
                        await response.json()
                        if response.content_type == "application/json"
                        else None
                    )
                    return response.status, body

            yield post, sessions, connector.url, []
    finally:
        await server.close()
        await connector.close()
        await engine.dispose()


async def _scenario(
    url: str, projects: int, submits: int, retries: _Retries
) -> tuple[Tally, float, float, int]:
    async with _bot(url) as (post, sessions, connector_url, _):
        async with sessions() as session, session.begin():
            await create_portfolio(session)
            targets = await seed(session, projects)
        before = retries.count
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        tally = await submit_all(post, sessions, connector_url, spread(targets, submits))
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return tally, wall, cpu_s, retries.count - before


async def run(args: argparse.Namespace) -> int:
    retries = _Retries()
    logging.getLogger("storage.db").addHandler(retries)
    logging.getLogger("storage.db").setLevel(logging.INFO)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    pg = PgTemplates()
    directory = Path(tempfile.mkdtemp(prefix="concurrent-saves-"))
    sqlite = SqliteTemplates(directory)
    if args.database == "postgres" and (reason := await pg_available()):
        print(reason, file=sys.stderr)
        return 1
    rows = []
    try:
        for name, projects in ((f"{args.projects} projects", args.projects), ("one report", 1)):
            if args.database == "sqlite":
                url = await sqlite.fresh(directory / f"{projects}.db")
            else:
                url = await pg.fresh()
            rows.append((name, *await _scenario(url, projects, args.submits, retries)))
    finally:
        if pg.created:
            await pg.drop_all()
    print(f"database: {args.database}, {args.submits} concurrent submits a scenario")
    header = (
        "scenario",
        "submits",
        "saved",
        "refused",
        "unclear",
        "replies matching",
        "revisions",
        "audit entries",
        "units rerun",
        "wall s",
        "cpu s",
    )
    print(" | ".join(header))
    ok = True
    for name, tally, wall, cpu_s, rerun in rows:
        ok = ok and tally.all_kept
        print(
            " | ".join(
                str(value)
                for value in (
                    name,
                    tally.submits,
                    tally.saved,
                    tally.refused,
                    tally.unclear,
                    tally.matching,
                    tally.revisions,
                    tally.audit_entries,
                    rerun,
                    f"{wall:.1f}",
                    f"{cpu_s:.1f}",
                )
            )
        )
    print("PASS: every submit kept, every reply true" if ok else "FAIL")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--projects", type=int, default=22)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
