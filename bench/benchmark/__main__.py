"""``python -m bench.benchmark``: the command line, and one run of every bot (see the
package's docstring)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from bench.benchmark.databases import (
    PG_HOST,
    Database,
    create_database,
    drop_database,
    prepare_database,
)
from bench.benchmark.load import SCENARIOS, ChartTiming, Phase, Plan, bench_bot
from bench.benchmark.processes import Child, InvalidRun, tail, warnings_of
from bench.benchmark.report import report
from bench.benchmark.servers import serve_main

# The peers, then ours: botbuilder's stock echo bot, the Agents SDK's quickstart echo
# agent (its own venv), and the floor (a bare aiohttp handler with one outgoing POST).
BOTS = ("echo", "agents", "floor", "ours")
# Our app starts background work with its first event-loop turns (the cycle runner takes
# its lease and plans with APScheduler); the load starts once that has settled.
SETTLE_SECONDS = 2.0


async def run(
    plan: Plan,
    *,
    log_level: str,
    profile: Path | None,
    portfolio: str = "demo",
    database_kind: str = "sqlite",
    projects: int = 10_000,
    months: int = 36,
) -> int:
    started = time.perf_counter()
    run_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="roadmap-bench-") as tmp:
        workdir = Path(tmp)
        phases: list[Phase] = []
        charts: list[ChartTiming] = []
        warnings: list[str] = []
        connector: Child | None = None
        database: Database | None = None
        try:
            database = await create_database(database_kind, workdir)
            await prepare_database(database, portfolio, projects, months)
            database_url, status_cards = database.url, database.status_cards
            print(f"{database.description}; the owner reports on {status_cards} projects")
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            print(f"load average at the start (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
            connector = await Child.start(
                "connector", workdir, database_url="", log_level=log_level, profile=None
            )
            for name in BOTS:
                bot = await Child.start(
                    name,
                    workdir,
                    database_url=database_url if name == "ours" else "",
                    log_level=log_level,
                    profile=profile if name == "ours" else None,
                )
                await asyncio.sleep(SETTLE_SECONDS)
                try:
                    phases += await bench_bot(
                        bot,
                        connector,
                        plan,
                        run_id=run_id,
                        status_cards=status_cards,
                        senders=database.senders,
                        charts=charts,
                    )
                except InvalidRun:
                    print(f"--- {bot.name} log (tail) ---\n{tail(bot.log)}", file=sys.stderr)
                    raise
                finally:
                    status = await bot.stop()
                    warnings += warnings_of(bot, status)
        except InvalidRun as error:
            print(f"\nINVALID RUN: {error}", file=sys.stderr)
            return 1
        finally:
            if connector is not None:
                await connector.stop()
            if database is not None:
                try:
                    await drop_database(database)
                except Exception as error:  # the numbers are still worth printing
                    print(f"WARNING: could not drop {database.pg_name}: {error}", file=sys.stderr)
    assert database is not None
    report(phases, plan, database, charts, demo=portfolio == "demo")
    for warning in warnings:
        print(f"WARNING: {warning}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"total time {time.perf_counter() - started:.1f} s")
    if profile is not None:
        print(f"cProfile of ours (numbers above are slowed by it): {profile}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.benchmark",
        description="Roadmap Bot's throughput and latency against botbuilder's and the Agents"
        " SDK's echo bots and a bare aiohttp floor.",
    )
    parser.add_argument("--requests", type=int, help="throughput requests per scenario (1000)")
    parser.add_argument("--concurrency", type=int, help="requests in flight for throughput (8)")
    parser.add_argument("--latency-requests", type=int, help="requests at concurrency 1 (300)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per scenario (100)")
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="our and the echo bot's log level, INFO as app.py (INFO)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="run our bot under cProfile and write the stats to this file",
    )
    parser.add_argument(
        "--portfolio",
        choices=("demo", "generated"),
        default="demo",
        help="the demo portfolio, or a generated one (bench/portfolio.py) (demo)",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help=f"a fresh SQLite file, or a fresh PostgreSQL database on {PG_HOST} (sqlite)",
    )
    parser.add_argument("--projects", type=int, default=10_000, help="generated projects (10000)")
    parser.add_argument("--months", type=int, default=36, help="generated months of reports (36)")
    parser.add_argument(
        "--serve", choices=("echo", "floor", "ours", "connector"), help=argparse.SUPPRESS
    )
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_main(args.serve, args.database_url, args.log_level)
        return 0
    defaults = (20, 100, 8, 50) if args.quick else (100, 1000, 8, 300)
    plan = Plan(
        warmup=args.warmup if args.warmup is not None else defaults[0],
        requests=args.requests if args.requests is not None else defaults[1],
        concurrency=args.concurrency if args.concurrency is not None else defaults[2],
        latency_requests=(
            args.latency_requests if args.latency_requests is not None else defaults[3]
        ),
        scenarios=tuple(s for s in SCENARIOS if s in args.scenario) if args.scenario else SCENARIOS,
    )
    if plan.requests < 1 or plan.concurrency < 1 or plan.latency_requests < 0 or plan.warmup < 0:
        parser.error("--requests and --concurrency must be positive, the others not negative")
    profile = args.profile.resolve() if args.profile else None
    return asyncio.run(
        run(
            plan,
            log_level=args.log_level,
            profile=profile,
            portfolio=args.portfolio,
            database_kind=args.database,
            projects=args.projects,
            months=args.months,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
