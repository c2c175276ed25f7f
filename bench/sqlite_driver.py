"""``storage/sqlite_driver.py`` against stock aiosqlite, measured in one run (issue 11).

``python -m bench.sqlite_driver [--turns 400] [--rounds 6] [--concurrency 8]`` migrates a
SQLite file in a temporary directory, loads the demo portfolio and opens two engines on
it with ``storage.db.create_engine``: one as the app has it (the driver), one with
aiosqlite's own ``connect`` in its place (a write unit's ``BEGIN IMMEDIATE`` then goes in
a hand-off of its own, ``storage.db.write_transaction``'s other branch). Both warm up,
then take turns, round after round, each running ``--turns`` turns ``--concurrency`` at
a time, of the database work the bot's turns do:

* every turn: the replay claim (a write unit, ``activities.claim_all``) and the sender
  (``people.person_by_aad``);
* ``status``: the demo owner's status cards (``status.reportable_contexts``);
* ``summary``: a manager's rights and the portfolio summary (``portfolio.summary``);
* ``budget``: the budget lines of this year (``portfolio.budget``).

CPU is ``time.process_time()``: the process's, aiosqlite's threads included. It prints,
per scenario, the CPU ms and wall ms per turn of each engine (medians over the rounds)
and the ratio stock / driver. A measurement: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from unittest import mock

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from settings import Settings
from storage import activities, people, portfolio, sqlite_driver, status_reports
from storage.db import (
    SessionFactory,
    create_engine,
    session_factory,
    transaction,
    upgrade,
    write_transaction,
)
from storage.demo import DEMO_MANAGER_AAD, DEMO_OWNER_AAD, load_demo
from storage.rights import rights_for

Turn = Callable[[SessionFactory, str], Awaitable[object]]


async def _claim(sessions: SessionFactory, activity_id: str) -> None:
    async with write_transaction(sessions) as session:
        request = activities.ClaimRequest(activity_id, completed=True)
        assert await activities.claim_all([request], session=session) == [True]


def _scenarios(period: str, year: int, today: date) -> dict[str, Turn]:
    async def status_turn(sessions: SessionFactory, activity_id: str) -> object:
        await _claim(sessions, activity_id)
        async with sessions() as session:
            owner = await people.person_by_aad(DEMO_OWNER_AAD, session=session)
            assert owner is not None
            contexts = await status_reports.reportable_contexts(owner, period, session=session)
        assert len(contexts) == 3
        return contexts

    async def summary_turn(sessions: SessionFactory, activity_id: str) -> object:
        await _claim(sessions, activity_id)
        async with sessions() as session:
            manager = await people.person_by_aad(DEMO_MANAGER_AAD, session=session)
            assert manager is not None
            rights = await rights_for(manager, shared_conversation=False, session=session)
            return await portfolio.summary(period, year, rights, session=session)

    async def budget_turn(sessions: SessionFactory, activity_id: str) -> object:
        await _claim(sessions, activity_id)
        async with sessions() as session:
            manager = await people.person_by_aad(DEMO_MANAGER_AAD, session=session)
            assert manager is not None
            lines = await portfolio.budget(year, None, today=today, session=session)
        assert lines
        return lines

    return {"status": status_turn, "summary": summary_turn, "budget": budget_turn}


async def _run(
    sessions: SessionFactory, turn: Turn, prefix: str, turns: int, concurrency: int
) -> tuple[float, float]:
    """CPU and wall seconds for ``turns`` turns, ``concurrency`` at a time."""
    next_turn = iter(range(turns))

    async def worker() -> None:
        for n in next_turn:
            await turn(sessions, f"{prefix}|{n}")

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.process_time() - cpu, time.perf_counter() - wall


def _stock_engine(url: str) -> AsyncEngine:
    """``create_engine``'s SQLite engine with aiosqlite's own connections."""
    with mock.patch.object(sqlite_driver, "connect", aiosqlite.connect):
        return create_engine(url)


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="roadmap-driver-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'roadmap.db'}"
        settings = Settings(DATABASE_URL=url, _env_file=None)
        today = datetime.now(settings.zone).date()
        await upgrade(url)
        engines = {"driver": create_engine(url), "stock": _stock_engine(url)}
        try:
            async with transaction(session_factory(engines["driver"])) as session:
                await load_demo(session, today=today)
            for name, engine in engines.items():  # each engine has the connections it says
                async with engine.connect() as connection:
                    raw = (await connection.get_raw_connection()).driver_connection
                    assert isinstance(raw, sqlite_driver.Connection) == (name == "driver")
            factories = {name: session_factory(engine) for name, engine in engines.items()}
            period = f"{today.year:04d}-{today.month:02d}"
            scenarios = _scenarios(period, today.year, today)
            cpu: dict[tuple[str, str], list[float]] = {}
            wall: dict[tuple[str, str], list[float]] = {}
            for scenario, turn in scenarios.items():
                for name, sessions in factories.items():  # warm-up: pools, caches
                    await _run(sessions, turn, f"warm|{scenario}|{name}", 50, args.concurrency)
                for round_ in range(args.rounds):
                    order = list(factories) if round_ % 2 == 0 else list(factories)[::-1]
                    for name in order:
                        used, took = await _run(
                            factories[name],
                            turn,
                            f"{scenario}|{name}|{round_}",
                            args.turns,
                            args.concurrency,
                        )
                        cpu.setdefault((scenario, name), []).append(used / args.turns * 1000)
                        wall.setdefault((scenario, name), []).append(took / args.turns * 1000)
        finally:
            for engine in engines.values():
                await engine.dispose()

    print(
        f"SQLite (WAL), demo portfolio; {args.rounds} rounds of {args.turns} turns at "
        f"concurrency {args.concurrency}, the two engines alternating; medians per turn"
    )
    print(
        "scenario | driver cpu ms | stock cpu ms | stock/driver cpu | driver wall ms | "
        "stock wall ms | stock/driver wall"
    )
    for scenario in scenarios:
        c = {name: statistics.median(cpu[(scenario, name)]) for name in factories}
        w = {name: statistics.median(wall[(scenario, name)]) for name in factories}
        print(
            f"{scenario} | {c['driver']:.2f} | {c['stock']:.2f} | {c['stock'] / c['driver']:.2f}x"
            f" | {w['driver']:.2f} | {w['stock']:.2f} | {w['stock'] / w['driver']:.2f}x"
        )
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sqlite_driver", description=__doc__)
    parser.add_argument("--turns", type=int, default=400, help="turns per round (400)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per engine (6)")
    parser.add_argument("--concurrency", type=int, default=8, help="turns at once (8)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(_arguments())))
