"""The printed report: requests/s, p50, p99 and CPU per request, and the targets."""

from __future__ import annotations

import os
import platform

from bench.benchmark.databases import Database
from bench.benchmark.load import ChartTiming, Phase, Plan

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
