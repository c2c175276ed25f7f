"""The monthly prompt fan-out against Teams' rate limits.

``python -m bench.fanout [--owners 2000]`` builds a fresh, migrated SQLite database with
``--owners`` people, each with a personal chat and a started project, and queues the
cycle's prompt for each (real status cards, built by the real ``BotSender`` when sent).
A connector in its own process (``tests.support.teams_limits``) enforces Teams' limits
(50/s per tenant, 7/1 s, 8/2 s, 60/30 s, 1800/h per conversation) and answers 429 when a
send exceeds one. This process runs the dispatcher as the app does (``Dispatcher.run``
with the app's adapter, retry policy and defaults, unless told otherwise) and measures the
wall time from the first claim to an empty outbox.

Targets: at most 1.15x the minimum (owners / 50 s), none lost, none duplicated, at most
2 % of the attempts answered 429. Exits 0 when every target is met, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import uvloop
from sqlalchemy import func
from sqlmodel import col, select

from bot.proactive import on_unreachable
from scheduler.dispatcher import Dispatcher, RetryPolicy
from scheduler.runner import worker_id
from storage import outbox
from storage.db import create_engine, session_factory, upgrade
from storage.models import OutboxAttempt, OutboxMessage
from tests.support.dispatch_worker import make_sender, seed_prompts, settings_for
from tests.support.teams_limits import TENANT_WINDOWS, ConnectorProcess, tally

TARGET_RATIO = 1.15
TARGET_429_SHARE = 0.02


async def _loop_lag(stop: asyncio.Event, samples: list[float], every: float = 0.05) -> None:
    """How late the event loop wakes up: a busy loop delays every send."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(every)
        samples.append(time.perf_counter() - started - every)


async def run(args: argparse.Namespace) -> int:
    directory = Path(tempfile.mkdtemp(prefix="fanout-"))
    url = f"sqlite+aiosqlite:///{directory / 'fanout.db'}"
    await upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    tenant_rate = TENANT_WINDOWS[0][0] / TENANT_WINDOWS[0][1]
    minimum = args.owners / tenant_rate
    with ConnectorProcess(directory / "connector.jsonl") as connector:
        seeding = time.perf_counter()
        async with sessions() as session, session.begin():
            seeded = await seed_prompts(session, connector.url, people=args.owners)
        seeding = time.perf_counter() - seeding
        sender = make_sender(settings_for(url), sessions, app_wiring=args.wiring == "app")
        dispatcher = Dispatcher(
            sessions,
            sender,
            worker=worker_id(),
            policy=RetryPolicy(base_seconds=args.retry_base),
            batch=args.batch,
            concurrency=args.concurrency,
            on_unreachable=on_unreachable,
        )
        stop = asyncio.Event()
        lag: list[float] = []
        profiler = cProfile.Profile() if args.profile else None
        cpu = time.process_time()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        task = asyncio.create_task(dispatcher.run(stop, idle_seconds=1.0))
        monitor = asyncio.create_task(_loop_lag(stop, lag))
        try:
            while True:
                await asyncio.sleep(0.05)
                async with sessions() as session:
                    if not await outbox.pending_count(session=session):
                        break
                if time.perf_counter() - started > args.give_up:
                    print(f"gave up after {args.give_up:.0f} s", file=sys.stderr)
                    break
                if task.done():
                    break
        finally:
            elapsed = time.perf_counter() - started
            stop.set()
            await task
            await monitor
            await sender.adapter.close()
            if profiler is not None:
                profiler.disable()
        cpu = time.process_time() - cpu
        deliveries, attempts = connector.records()
    async with sessions() as session:
        statuses = await outbox.counts(session=session)
        attempt_rows = (await session.exec(select(func.count()).select_from(OutboxAttempt))).one()
        outcomes = Counter((await session.exec(select(OutboxAttempt.outcome))).all())
        unsent_ids = (
            await session.exec(select(OutboxMessage.id).where(col(OutboxMessage.status) != "sent"))
        ).all()
    await engine.dispose()
    if args.keep:
        print(f"database and connector records kept in {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)

    counted = tally(deliveries, attempts, seeded.expected)
    ratio = elapsed / minimum
    reasons = Counter(a.reason for a in attempts if a.status == 429)
    lag.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    checks = {
        f"elapsed <= {TARGET_RATIO:.2f}x minimum": ratio <= TARGET_RATIO,
        "0 lost": counted.lost == 0,
        "0 duplicated": counted.duplicated == 0,
        f"429 share <= {TARGET_429_SHARE:.0%}": counted.share_429 <= TARGET_429_SHARE,
    }
    lines = [
        f"fan-out of {args.owners} prompts (real status cards), wiring={args.wiring}, "
        f"batch={args.batch}, concurrency={args.concurrency}",
        f"  seeding         {seeding:.1f} s (not counted)",
        f"  elapsed         {elapsed:.2f} s; minimum {minimum:.1f} s at {tenant_rate:g}/s; "
        f"ratio {ratio:.3f}",
        f"  delivered       {counted.delivered} of {len(seeded.expected)} "
        f"(accepted activities {counted.deliveries}, unexpected {counted.unexpected})",
        f"  lost            {counted.lost}",
        f"  duplicated      {counted.duplicated}",
        f"  attempts        {counted.attempts} at the connector, {attempt_rows} in outboxattempt",
        f"  429             {counted.throttled} ({counted.share_429:.2%}) {dict(reasons)}",
        f"  statuses        connector {counted.statuses}; outbox {statuses}",
        f"  outcomes        {dict(outcomes)}; not sent: {list(unsent_ids)[:10]}",
        f"  cpu             {cpu:.1f} s in this process ({cpu / elapsed:.0%} of one core), "
        f"{1000 * cpu / max(counted.attempts, 1):.1f} ms per attempt; max RSS {rss_mb:.0f} MB",
        f"  loop lag        p50 {1000 * _pct(lag, 0.5):.0f} ms, p99 {1000 * _pct(lag, 0.99):.0f} ms, "
        f"max {1000 * (lag[-1] if lag else 0):.0f} ms",
    ]
    lines += [f"  {'PASS' if ok else 'FAIL'}  {name}" for name, ok in checks.items()]
    verdict = all(checks.values())
    lines.append(f"{'PASS' if verdict else 'FAIL'}")
    print("\n".join(lines))
    if profiler is not None:
        profiler.dump_stats(str(args.profile))
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(30)
    return 0 if verdict else 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--owners", type=int, default=2000, help="prompts to send (2000)")
    parser.add_argument("--batch", type=int, default=100, help="Dispatcher.batch (app: 100)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="Dispatcher.concurrency (app: 16)"
    )
    parser.add_argument(
        "--retry-base", type=float, default=1.0, help="RetryPolicy.base_seconds (app: 1.0)"
    )
    parser.add_argument(
        "--wiring",
        choices=("app", "bare"),
        default="app",
        help="app: the adapter app.create_app builds (middleware, on_turn_error); "
        "bare: bot.adapter.create_adapter alone",
    )
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds (300)")
    parser.add_argument("--profile", type=Path, help="cProfile this process into this file")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--keep", action="store_true", help="keep the database and the records")
    args = parser.parse_args(argv)
    if args.owners < 1:
        parser.error("--owners must be positive")
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # as app.main() runs
        return runner.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
