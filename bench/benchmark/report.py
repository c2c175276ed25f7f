"""The printed report: requests/s, p50, p99 and CPU per request of each peer and ours,
the ratios ours/echo, ours/agents and ours/floor, and the targets."""

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
# Issue 15's goal: throughput ours / the Agents SDK's echo agent at concurrency N.
AGENTS_GOALS = {"help": 2.0, "status-1": 1.0, "status": 1.0, "summary": 1.0, "budget 2025": 1.0}
# The peers, in the order printed (those that ran): stock botbuilder echo, the Agents SDK's
# quickstart echo agent, and the floor (a bare aiohttp handler with one outgoing POST).
PEERS = ("echo", "agents", "floor")


def _find(phases: list[Phase], bot: str, scenario: str, concurrency: int) -> Phase | None:
    for phase in phases:
        if (phase.bot, phase.scenario, phase.concurrency) == (bot, scenario, concurrency):
            return phase
    return None


def _ratio(ours: Phase | None, peer: Phase | None) -> str:
    return f"{ours.rps / peer.rps:.2f}x" if ours and peer else "-"


def _cells(phase: Phase | None) -> str:
    if phase is None:
        return f"{'-':>11} {'-':>7} {'-':>7} {'-':>7}"
    cpu = phase.cpu_ms_per_request
    return (
        f"{phase.rps:11.1f} {phase.percentile_ms(50):7.1f} {phase.percentile_ms(99):7.1f} {cpu:7.2f}"
        if cpu is not None
        else f"{phase.rps:11.1f} {phase.percentile_ms(50):7.1f} {phase.percentile_ms(99):7.1f}"
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
        f"Roadmap Bot vs its peers: {plan.requests} requests at concurrency "
        f"{plan.concurrency} (throughput), {plan.latency_requests} at concurrency 1 (latency),"
        f" {plan.warmup} warm-up"
    )
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {database.description};"
        " bot, connector and load generator are separate processes"
    )
    print(
        f"status: 1 request -> {status_cards} outgoing messages for ours (one card per project),"
        " 1 for the peers; status-1 (an owner of one project), help, summary, budget 2025:"
        " 1 -> 1 for all"
    )
    print("round trip = POST /api/messages until the bot answers, after its replies were sent")
    print(line)
    peers = [name for name in PEERS if any(phase.bot == name for phase in phases)]
    for concurrency in sorted({plan.concurrency, 1}, reverse=True):
        print(f"concurrency {concurrency}")
        print(
            f"{'scenario':<12}"
            + "".join(
                f"| {name + ' rps':>11} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>7} "
                for name in (*peers, "ours")
            )
            + "| "
            + " ".join(f"{'ours/' + name:>12}" for name in peers)
        )
        for scenario in plan.scenarios:
            ours = _find(phases, "ours", scenario, concurrency)
            cells = "".join(
                f"| {_cells(_find(phases, name, scenario, concurrency))} "
                for name in (*peers, "ours")
            )
            ratios = " ".join(
                f"{_ratio(ours, _find(phases, name, scenario, concurrency)):>12}" for name in peers
            )
            print(f"{scenario:<12}{cells}| {ratios}")
        status = _find(phases, "ours", "status", concurrency)
        if status is not None:
            print(
                f"  (ours status: {status.rps * status_cards:.1f} outgoing messages/s,"
                f" {status_cards} per request; cpu ms = bot process CPU per request)"
            )
        print()
    print(
        "issue 15's goal: ours >= the Agents SDK echo agent in throughput at"
        f" c={plan.concurrency} (help >= 2x), and p50 at c=1 no worse"
    )
    for scenario in plan.scenarios:
        ours = _find(phases, "ours", scenario, plan.concurrency)
        agents = _find(phases, "agents", scenario, plan.concurrency)
        if ours is None or agents is None:
            continue
        goal = AGENTS_GOALS[scenario]
        times = ours.rps / agents.rps
        goal_line = (
            f"  {scenario:<11} throughput ours/agents: {times:5.2f}x (goal >= {goal:.0f}x)"
            f"  {'MET' if times >= goal else 'NOT MET'}"
        )
        if agents.cpu_ms_per_request and ours.cpu_ms_per_request:
            goal_line += f"; by CPU {agents.cpu_ms_per_request / ours.cpu_ms_per_request:.2f}x"
        ours_1 = _find(phases, "ours", scenario, 1)
        agents_1 = _find(phases, "agents", scenario, 1)
        if ours_1 is not None and agents_1 is not None:
            p50, theirs = ours_1.percentile_ms(50), agents_1.percentile_ms(50)
            goal_line += (
                f"; p50 at c=1 {p50:.1f} vs {theirs:.1f} ms"
                f"  {'MET' if p50 <= theirs else 'NOT MET'}"
            )
        print(goal_line)
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
