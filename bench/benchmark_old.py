"""Throughput and latency of Roadmap Bot against a stock botbuilder echo bot.

``python -m bench.benchmark`` (or ``make bench``) runs, one after the other and under the
same load, two bots that each reply to a local fake Bot Framework connector:

* echo: the stock botbuilder sample, an ``ActivityHandler`` that sends the text back,
  served with ``CloudAdapter.process`` and ``ConfigurationBotFrameworkAuthentication``
  (empty app id and password, ``MultiTenant``) exactly as shipped;
* ours: ``create_app(Settings(...))`` on a fresh, migrated database (``--database
  sqlite|postgres``) with the demo portfolio or a generated one (``--portfolio
  demo|generated``, see ``bench/portfolio.py``); ``help`` and ``status`` are sent as an
  owner (the demo owner: three started projects, so ``status`` answers one request with
  three cards), ``summary`` and ``budget 2025`` as a manager.

After our ``summary`` and ``budget 2025`` answers, the chart linked from the last card is
fetched twice, cold (first render) and warm (cached), and both times are printed.

Each bot, the connector and the load generator run in separate processes, so neither the
load nor the connector shares the bot's event loop. The round trip measured is the
``POST /api/messages``: both bots answer only after their replies reached the connector.
A run is invalid, and exits 1, if any request is not answered 200/201 or the connector
did not receive exactly the expected replies; otherwise it exits 0 whatever the numbers.

Internally the same module serves each process: ``--serve echo|ours|connector``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import uvloop
from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

ROOT = Path(__file__).resolve().parent.parent
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
BOTS = ("echo", "ours")
SCENARIOS = ("help", "status-1", "status", "summary", "budget 2025")
# What each scenario types: "status-1" is ``status`` from an owner of one project, the
# issue's "a database read and a card"; "status" is the demo owner's, one card per project.
TEXTS = {"status-1": "status"}
MANAGER_SCENARIOS = ("summary", "budget 2025")  # asked by a manager; their cards link a chart
# Targets from the issues: throughput ratio ours/echo at concurrency N (on the demo
# portfolio), p99 at concurrency 1 per activity, and the first render of a card's chart.
RATIO_TARGETS = {
    "help": 3.0,
    "status-1": 2.0,
    "status": 2.0,
    "summary": 2.0,
    "budget 2025": 2.0,
}
P99_TARGETS_MS = {
    "help": 50.0,
    "status-1": 50.0,
    "status": 50.0,
    "summary": 100.0,
    "budget 2025": 100.0,
}
COLD_CHART_TARGET_MS = 300.0
PG_HOST = os.environ.get("ROADMAP_BENCH_PG", "127.0.0.1:5432")
OK_STATUSES = (200, 201)
# Our app starts background work with its first event-loop turns (the cycle runner takes
# its lease and plans with APScheduler); the load starts once that has settled.
SETTLE_SECONDS = 2.0


# ---------------------------------------------------------------------------------------
# The served processes
# ---------------------------------------------------------------------------------------


def _echo_app() -> web.Application:
    """The stock echo bot, as botbuilder's sample writes it for CloudAdapter."""
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.core.integration import aiohttp_error_middleware
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(turn_context.activity.text))

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


def _our_app(database_url: str) -> web.Application:
    from app import create_app, freeze_startup_heap
    from settings import Settings

    app = create_app(Settings(DATABASE_URL=database_url, _env_file=None))
    app.on_startup.append(freeze_startup_heap)  # as app.main() serves it
    return app


@dataclass
class _Received:
    by_reply_to: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    other: int = 0  # anything but a reply: a new conversation, an update, a plain send
    last: Any = None  # the last reply, kept across resets (for the chart link on a card)


def _kind(activity: Any) -> str:
    if not isinstance(activity, dict):
        return "invalid"
    attachments = activity.get("attachments") or []
    if attachments:
        types = {a.get("contentType") for a in attachments if isinstance(a, dict)}
        return "card" if types == {ADAPTIVE} else "other attachment"
    return f"text:{activity.get('text')}"


def _connector_app() -> web.Application:
    """A fake connector that counts the replies per incoming activity id and their kinds."""
    received = _Received()
    ids = iter(range(1, sys.maxsize))

    async def reply(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        received.by_reply_to[request.match_info["aid"]] += 1
        received.kinds[_kind(activity)] += 1
        received.last = activity
        return web.json_response({"id": f"sent-{next(ids)}"})

    async def other(request: web.Request) -> web.Response:
        await request.read()
        received.other += 1
        return web.json_response({"id": f"sent-{next(ids)}"})

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "by_reply_to": dict(received.by_reply_to),
                "kinds": dict(received.kinds),
                "other": received.other,
            }
        )

    async def last(_request: web.Request) -> web.Response:
        return web.json_response(received.last)

    async def reset(_request: web.Request) -> web.Response:
        received.by_reply_to.clear()
        received.kinds.clear()
        received.other = 0
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", reply)
    app.router.add_post("/v3/conversations/{cid}/activities", other)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", other)
    app.router.add_post("/v3/conversations", other)
    app.router.add_get("/_bench/stats", stats)
    app.router.add_get("/_bench/last", last)
    app.router.add_post("/_bench/reset", reset)
    return app


async def _serve(role: str, database_url: str) -> None:
    if role == "echo":
        app, access_log = _echo_app(), True
    elif role == "ours":
        app, access_log = _our_app(database_url), True
    else:
        app, access_log = _connector_app(), False
    # Both bots are served alike, with aiohttp's defaults (access log included) as
    # ``web.run_app`` in app.py does; the port is chosen by the OS and printed.
    runner = web.AppRunner(app) if access_log else web.AppRunner(app, access_log=None)
    await serve_until_signalled(runner)


async def serve_until_signalled(runner: web.AppRunner) -> None:
    """Serve on a port the OS chooses, print it (``PORT n``), and stop on SIGTERM/SIGINT."""
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def serve_main(role: str, database_url: str, log_level: str) -> None:
    logging.basicConfig(
        level=log_level.upper() if role != "connector" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # ours runs on uvloop as app.main() serves it; echo on asyncio's loop, as the sample does
    loop_factory = uvloop.new_event_loop if role == "ours" else None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_serve(role, database_url))


# ---------------------------------------------------------------------------------------
# The load generator and orchestration
# ---------------------------------------------------------------------------------------


class InvalidRun(Exception):
    """Errors or missing replies: the numbers mean nothing."""


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(
        cls, role: str, workdir: Path, *, database_url: str, log_level: str, profile: Path | None
    ) -> Child:
        log = workdir / f"{role}.log"
        command = [sys.executable]
        if profile is not None:
            command += ["-m", "cProfile", "-o", str(profile)]
        command += ["-m", "bench.benchmark", "--serve", role, "--log-level", log_level]
        command += ["--database-url", database_url]
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr
            )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        except TimeoutError:
            line = b""
        if not line.startswith(b"PORT "):
            process.kill()
            await process.wait()
            raise InvalidRun(f"{role} did not start:\n{_tail(log)}")
        return cls(role, process, int(line.split()[1]), log)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process (all its threads), Linux only."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise InvalidRun(
                f"{self.name} exited with {self.process.returncode}:\n{_tail(self.log)}"
            )

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode

    def problems(self) -> list[str]:
        """Error lines and tracebacks the process logged: worth a warning, not invalid."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [
            line
            for line in lines
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]


def _warnings(bot: Child, status: int) -> list[str]:
    found = []
    if status not in (0, -signal.SIGTERM):
        found.append(f"{bot.name} exited with status {status} when stopped")
    problems = bot.problems()
    if problems:
        shown = "\n    ".join(line[:200] for line in problems[:5])
        found.append(f"{bot.name} logged {len(problems)} errors/tracebacks, first:\n    {shown}")
    return found


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Phase:
    bot: str
    scenario: str
    concurrency: int
    requests: int
    seconds: float
    latencies: list[float]
    messages_per_request: int
    cpu_seconds: float | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the round trips, in milliseconds."""
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def cpu_ms_per_request(self) -> float | None:
        return None if self.cpu_seconds is None else self.cpu_seconds * 1000 / self.requests


@dataclass(frozen=True)
class Senders:
    """Who sends: an owner for ``help`` and ``status``, an owner of one project for
    ``status-1``, a manager for the others."""

    owner_aad: str
    manager_aad: str
    single_owner_aad: str = ""

    def user(self, scenario: str) -> Any:
        from tests.support.activities import User

        if scenario in MANAGER_SCENARIOS:
            return User("29:bench-manager", self.manager_aad, "Bench Manager", locale="fi-FI")
        if scenario == "status-1":
            return User("29:bench-single", self.single_owner_aad, "Bench Single", locale="fi-FI")
        return User("29:bench-owner", self.owner_aad, "Bench Owner", locale="fi-FI")


def _activities(
    scenario: str, count: int, *, service_url: str, run_id: str, tag: str, senders: Senders
) -> list[tuple[str, bytes]]:
    """Teams-shaped messages in a personal chat, each with its own id."""
    from tests.support.activities import message

    user = senders.user(scenario)
    bodies = []
    for index in range(count):
        activity = message(user, service_url, TEXTS.get(scenario, scenario))
        activity["id"] = f"bench-{run_id}-{tag}-{index}"
        bodies.append((activity["id"], json.dumps(activity).encode()))
    return bodies


async def _load(
    url: str, bodies: Sequence[tuple[str, bytes]], concurrency: int
) -> tuple[float, list[float], Counter[int]]:
    """POST every body with ``concurrency`` requests in flight; wall time and round trips."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    pending = iter(bodies)
    headers = {"Content-Type": "application/json"}
    timeout = ClientTimeout(total=120)

    async with ClientSession(connector=TCPConnector(limit=concurrency), timeout=timeout) as http:

        async def worker() -> None:
            for _activity_id, body in pending:
                started = time.perf_counter()
                try:
                    async with http.post(url, data=body, headers=headers) as response:
                        await response.read()
                        status = response.status
                except (OSError, TimeoutError):
                    status = 0
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, statuses


async def _verify(
    http: ClientSession,
    connector: Child,
    bodies: Sequence[tuple[str, bytes]],
    statuses: Counter[int],
    *,
    expected_per_request: int,
    expected_kind: str,
    label: str,
) -> None:
    bad = {status: n for status, n in statuses.items() if status not in OK_STATUSES}
    problems = [f"{n} requests answered {status or 'no response'}" for status, n in bad.items()]
    # The bot answers after its replies were sent, so they have all arrived by now.
    async with http.get(f"{connector.url}/_bench/stats") as response:
        stats = await response.json()
    async with http.post(f"{connector.url}/_bench/reset") as response:
        await response.read()
    by_reply_to: dict[str, int] = stats["by_reply_to"]
    wrong = [
        (activity_id, by_reply_to.get(activity_id, 0))
        for activity_id, _body in bodies
        if by_reply_to.get(activity_id, 0) != expected_per_request
    ]
    if wrong:
        sample = ", ".join(f"{i}: {n}" for i, n in wrong[:3])
        problems.append(
            f"{len(wrong)} requests did not get exactly {expected_per_request} replies ({sample})"
        )
    unexpected = set(by_reply_to) - {activity_id for activity_id, _body in bodies}
    if unexpected:
        problems.append(f"{len(unexpected)} replies to activities this phase did not send")
    kinds: dict[str, int] = stats["kinds"]
    if set(kinds) - {expected_kind}:
        problems.append(f"replies of unexpected kinds: {kinds} (expected only {expected_kind})")
    if stats["other"]:
        problems.append(f"{stats['other']} connector calls that were not replies")
    if problems:
        raise InvalidRun(f"{label}: " + "; ".join(problems))


@dataclass(frozen=True)
class Plan:
    warmup: int
    requests: int
    concurrency: int
    latency_requests: int
    scenarios: tuple[str, ...] = SCENARIOS


@dataclass
class ChartTiming:
    scenario: str
    kind: str
    cold_ms: float
    warm_ms: float


async def _chart_timing(
    http: ClientSession, bot: Child, connector: Child, scenario: str
) -> ChartTiming:
    """Fetch the chart linked from the last card, cold then warm; InvalidRun if it fails."""
    async with http.get(f"{connector.url}/_bench/last") as response:
        activity = await response.json()
    urls = [
        item["url"]
        for attachment in (activity or {}).get("attachments") or []
        for item in (attachment.get("content") or {}).get("body") or []
        if isinstance(item, dict) and item.get("type") == "Image" and "/charts/" in item["url"]
    ]
    if not urls:
        raise InvalidRun(f"ours {scenario}: the card has no chart image")
    path = urls[0].split("/charts/", 1)[1]
    times = []
    for _ in range(2):
        started = time.perf_counter()
        async with http.get(f"{bot.url}/charts/{path}") as response:
            body = await response.read()
            if response.status != 200 or not body.startswith(b"\x89PNG"):
                raise InvalidRun(f"ours {scenario}: chart answered {response.status}")
        times.append((time.perf_counter() - started) * 1000)
    return ChartTiming(scenario, path.split(".png", 1)[0], times[0], times[1])


async def _bench_bot(
    bot: Child,
    connector: Child,
    plan: Plan,
    *,
    run_id: str,
    status_cards: int,
    senders: Senders,
    charts: list[ChartTiming],
) -> list[Phase]:
    phases: list[Phase] = []
    url = f"{bot.url}/api/messages"
    async with ClientSession() as http:
        for scenario in plan.scenarios:
            if bot.name == "echo":
                expected, kind = 1, f"text:{TEXTS.get(scenario, scenario)}"
            else:
                expected, kind = (status_cards if scenario == "status" else 1), "card"
            steps = (
                ("warm-up", plan.warmup, plan.concurrency),
                ("throughput", plan.requests, plan.concurrency),
                ("latency", plan.latency_requests, 1),
            )
            for step, count, concurrency in steps:
                if count <= 0:
                    continue
                tag = f"{bot.name}-{scenario.replace(' ', '-')}-{step}"
                bodies = _activities(
                    scenario,
                    count,
                    service_url=connector.url + "/",
                    run_id=run_id,
                    tag=tag,
                    senders=senders,
                )
                cpu_before = bot.cpu_seconds()
                elapsed, latencies, statuses = await _load(url, bodies, concurrency)
                cpu_after = bot.cpu_seconds()
                bot.check_alive()
                await _verify(
                    http,
                    connector,
                    bodies,
                    statuses,
                    expected_per_request=expected,
                    expected_kind=kind,
                    label=f"{bot.name} {scenario} {step}",
                )
                cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
                phase = Phase(
                    bot.name, scenario, concurrency, count, elapsed, latencies, expected, cpu
                )
                print(
                    f"  {bot.name:<4} {scenario:<11} {step:<10} {count:>5} req @ c={concurrency:<2}"
                    f" {phase.rps:8.1f} req/s  p50 {phase.percentile_ms(50):6.1f} ms"
                    f"  p99 {phase.percentile_ms(99):6.1f} ms",
                    flush=True,
                )
                if step != "warm-up":
                    phases.append(phase)
            if bot.name == "ours" and scenario in MANAGER_SCENARIOS:
                timing = await _chart_timing(http, bot, connector, scenario)
                charts.append(timing)
                print(
                    f"  ours {scenario:<11} chart {timing.kind}: cold {timing.cold_ms:.1f} ms,"
                    f" warm {timing.warm_ms:.1f} ms",
                    flush=True,
                )
    return phases


@dataclass
class Database:
    """The benchmarked database: its URL, what it holds, and how to drop it (PostgreSQL)."""

    url: str
    description: str
    status_cards: int = 0
    senders: Senders = field(default_factory=lambda: Senders("", ""))
    pg_name: str | None = None


async def _create_database(kind: str, workdir: Path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite+aiosqlite:///{workdir / 'bench.db'}", "SQLite (WAL)")
    import asyncpg

    name = f"roadmap_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(f"postgresql://postgres@{PG_HOST}/test", timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return Database(f"postgresql+asyncpg://postgres@{PG_HOST}/{name}", "PostgreSQL", pg_name=name)


async def _drop_database(database: Database) -> None:
    if database.pg_name is None:
        return
    import asyncpg

    admin = await asyncpg.connect(f"postgresql://postgres@{PG_HOST}/test", timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database.pg_name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _prepare_database(database: Database, portfolio: str, projects: int, months: int) -> None:
    """Migrate and load the portfolio; find the senders and how many cards ``status`` sends."""
    from sqlalchemy import text

    from bench.portfolio import GENERATED_MANAGER_AAD, generate_portfolio
    from settings import Settings
    from storage.db import create_engine, session_factory, transaction, upgrade
    from storage.demo import DEMO_MANAGER_AAD, DEMO_OWNER_AAD, load_demo
    from storage.people import person_by_aad
    from storage.status import reportable_projects

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


def _find(phases: list[Phase], bot: str, scenario: str, concurrency: int) -> Phase | None:
    for phase in phases:
        if (phase.bot, phase.scenario, phase.concurrency) == (bot, scenario, concurrency):
            return phase
    return None


def _cells(phase: Phase | None) -> str:
    if phase is None:
        return f"{'-':>8} {'-':>7} {'-':>7} {'-':>7}"
    cpu = phase.cpu_ms_per_request
    return (
        f"{phase.rps:8.1f} {phase.percentile_ms(50):7.1f} {phase.percentile_ms(99):7.1f} {cpu:7.2f}"
        if cpu is not None
        else f"{phase.rps:8.1f} {phase.percentile_ms(50):7.1f} {phase.percentile_ms(99):7.1f}"
        f" {'-':>7}"
    )


def report(
    phases: list[Phase],
    plan: Plan,
    database: Database,
    charts: list[ChartTiming],
    *,
    demo: bool,
) -> None:
    status_cards = database.status_cards
    line = "-" * 96
    print()
    print(line)
    print(
        f"Roadmap Bot vs stock echo bot: {plan.requests} requests at concurrency "
        f"{plan.concurrency} (throughput), {plan.latency_requests} at concurrency 1 (latency),"
        f" {plan.warmup} warm-up"
    )
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {database.description};"
        " bot, connector and load generator are separate processes"
    )
    print(
        f"status: 1 request -> {status_cards} outgoing messages for ours (one card per project),"
        " 1 for echo; status-1 (an owner of one project), help, summary, budget 2025:"
        " 1 -> 1 for both"
    )
    print("round trip = POST /api/messages until the bot answers, after its replies were sent")
    print(line)
    for concurrency in sorted({plan.concurrency, 1}, reverse=True):
        print(f"concurrency {concurrency}")
        print(
            f"{'scenario':<12}| {'echo rps':>8} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>7} "
            f"| {'ours rps':>8} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>7} | {'ours/echo':>9}"
        )
        for scenario in plan.scenarios:
            echo = _find(phases, "echo", scenario, concurrency)
            ours = _find(phases, "ours", scenario, concurrency)
            ratio = f"{ours.rps / echo.rps:8.2f}x" if echo and ours else f"{'-':>9}"
            print(f"{scenario:<12}| {_cells(echo)} | {_cells(ours)} | {ratio}")
        status = _find(phases, "ours", "status", concurrency)
        if status is not None:
            print(
                f"  (ours status: {status.rps * status_cards:.1f} outgoing messages/s,"
                f" {status_cards} per request; cpu ms = bot process CPU per request)"
            )
        print()
    print('targets ("by CPU": echo\'s CPU ms / ours, the ratio least moved by other load)')
    for scenario, target in RATIO_TARGETS.items():
        echo = _find(phases, "echo", scenario, plan.concurrency)
        ours = _find(phases, "ours", scenario, plan.concurrency)
        if echo is None or ours is None:
            continue
        times = ours.rps / echo.rps
        verdict = ("PASS" if times >= target else "FAIL") if demo else "(demo target; info)"
        by_cpu = ""
        if echo.cpu_ms_per_request and ours.cpu_ms_per_request:
            by_cpu = (
                f"; by CPU per request {echo.cpu_ms_per_request / ours.cpu_ms_per_request:.2f}x"
            )
        print(
            f"  {scenario:<11} throughput ours/echo at c={plan.concurrency}: {times:5.2f}x"
            f"  (target >= {target:.0f}x)  {verdict}{by_cpu}"
        )
    for scenario in plan.scenarios:
        ours = _find(phases, "ours", scenario, 1)
        if ours is None:
            continue
        p99 = ours.percentile_ms(99)
        target = P99_TARGETS_MS[scenario]
        verdict = "PASS" if p99 <= target else "FAIL"
        print(
            f"  {scenario:<11} ours p99 at c=1: {p99:6.1f} ms"
            f"  (target <= {target:.0f} ms)  {verdict}"
        )
    for timing in charts:
        verdict = "PASS" if timing.cold_ms <= COLD_CHART_TARGET_MS else "FAIL"
        print(
            f"  {timing.scenario:<11} chart {timing.kind}: cold {timing.cold_ms:6.1f} ms,"
            f" warm {timing.warm_ms:6.1f} ms  (target cold <= {COLD_CHART_TARGET_MS:.0f} ms)"
            f"  {verdict}"
        )
    print(line)


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
            database = await _create_database(database_kind, workdir)
            await _prepare_database(database, portfolio, projects, months)
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
                    phases += await _bench_bot(
                        bot,
                        connector,
                        plan,
                        run_id=run_id,
                        status_cards=status_cards,
                        senders=database.senders,
                        charts=charts,
                    )
                except InvalidRun:
                    print(f"--- {bot.name} log (tail) ---\n{_tail(bot.log)}", file=sys.stderr)
                    raise
                finally:
                    status = await bot.stop()
                    warnings += _warnings(bot, status)
        except InvalidRun as error:
            print(f"\nINVALID RUN: {error}", file=sys.stderr)
            return 1
        finally:
            if connector is not None:
                await connector.stop()
            if database is not None:
                try:
                    await _drop_database(database)
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
        description="Roadmap Bot's throughput and latency against a stock botbuilder echo bot.",
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
        "--log-level", default="INFO", help="both bots' log level, INFO as app.py (INFO)"
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
    parser.add_argument("--serve", choices=("echo", "ours", "connector"), help=argparse.SUPPRESS)
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
