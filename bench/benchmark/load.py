"""The load: Teams-shaped activities posted at a concurrency, and the replies checked.

Each scenario runs a warm-up, a throughput phase and a latency phase against one bot;
after each phase the connector's count of replies per activity id must be exactly what
the bot should have sent, or the run is invalid.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector

from bench.benchmark.processes import Child, InvalidRun

SCENARIOS = ("help", "status-1", "status", "summary", "budget 2025")
# What each scenario types: "status-1" is ``status`` from an owner of one project, the
# issue's "a database read and a card"; "status" is the demo owner's, one card per project.
TEXTS = {"status-1": "status"}
MANAGER_SCENARIOS = ("summary", "budget 2025")  # asked by a manager; their cards link a chart
OK_STATUSES = (200, 201, 202)  # the Agents SDK answers a message 202, after its reply


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


async def bench_bot(
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
            if bot.name in ("echo", "floor"):
                expected, kind = 1, f"text:{TEXTS.get(scenario, scenario)}"
            elif bot.name == "agents":  # the quickstart's echo
                expected, kind = 1, f"text:you said: {TEXTS.get(scenario, scenario)}"
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
