"""Failover of the fan-out: three app replicas on one PostgreSQL, the leader killed or frozen.

``python -m bench.failover [--owners 652] [--kills 5] [--stop-seconds 70]`` creates a
PostgreSQL database (``roadmap_failover_<hex>`` on ``ROADMAP_BENCH_PG``, default
``127.0.0.1:5432``, user ``postgres``), migrates it and adds ``--owners`` owners with a
personal chat and a started project each (``bench.portfolio.add_owners``). A fake
connector runs in its own process (``tests.support.teams_limits``): it enforces Teams'
limits, answers each accepted send 100 ms late, refuses 3 % of the sends with 429, and
writes every request to disk as it takes it. Three ``python app.py`` processes serve on
that database with the cycle on: one of them holds the lease and sends.

Each trial queues one prompt per owner (the status card, built when sent) and then:

* ``baseline``: nothing happens; the fan-out's time without a fault;
* ``kill``: once a random 15-50 % of the cards have been delivered, ``kill -9`` of the
  leader; it is started again after the trial;
* ``stop``: the same moment, ``SIGSTOP`` of the leader for ``--stop-seconds``; another
  replica takes over and finishes; then ``SIGCONT``. A card delivered again after that
  counts as the woken leader's ("woken": an upper bound; a post of the woken leader is
  of a row the new leader has taken over and sends too).

Per trial it prints expected, delivered, duplicates, lost, the rows in flight at the
fault, the takeover (from the fault to the first card sent under the next lease epoch),
and the fan-out's time against the baseline's. Exits 0 when every kill repeated at most
``Dispatcher.concurrency`` cards and lost none, the woken leader sent nothing, and each
takeover took less than the lease's TTL, a renewal and 5 s to take up the cycle (the
outbox's 60 s claim timeout plays no part).

``--lease-ttl SECONDS`` runs the replicas with a shorter lease (``python -m
bench.failover --serve``: ``app.main()`` with ``scheduler.runner.TTL`` and ``RENEW``
changed), so that a test can run the same experiment in a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import ClientError, ClientSession, ClientTimeout
from sqlalchemy import func
from sqlmodel import col, select

from bench.portfolio import Owner, add_owners
from scheduler import runner, timetable
from scheduler.calendar import period_of
from scheduler.dispatcher import Dispatcher
from storage import outbox
from storage.db import SessionFactory, create_engine, session_factory, upgrade
from storage.models import Lease, OutboxAttempt, OutboxMessage, OutboxStatus, utcnow
from storage.outbox import NewMessage
from tests.support.databases import create_pg_database, drop_pg_databases
from tests.support.teams_limits import ROOT, ConnectorProcess, Delivery, read_records, tally

PG_HOST = os.environ.get("ROADMAP_BENCH_PG", "127.0.0.1:5432")
TENANT = "tenant-porvoo"
ZONE_NAME = "Europe/Helsinki"
CONCURRENCY: int = Dispatcher.concurrency  # the dataclass field's default
ANSWER_DELAY = 0.1
THROTTLE_SHARE = 0.03
TAKE_UP_SECONDS = 5.0  # start APScheduler on its job store, plan, start the dispatcher


@dataclass
class Replica:
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Trial:
    name: str
    fault: str  # "none", "kill" or "stop"
    expected: int = 0
    delivered: int = 0
    duplicates: int = 0
    lost: int = 0
    in_flight: int = 0  # rows claimed when the fault struck
    takeover_s: float | None = None
    fanout_s: float = 0.0
    woken_posts: int | None = None  # cards the connector took after SIGCONT


class Cluster:
    """The replicas: ``python app.py`` each, or the short-lease serve mode."""

    def __init__(
        self, database_url: str, workdir: Path, replicas: int, lease_ttl: float | None
    ) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.lease_ttl = lease_ttl
        self.replicas: list[Replica] = []
        self._count = replicas

    def _command(self) -> list[str]:
        if self.lease_ttl is None:
            return [sys.executable, str(ROOT / "app.py")]
        return [
            sys.executable,
            "-m",
            "bench.failover",
            "--serve",
            "--lease-ttl",
            f"{self.lease_ttl:g}",
        ]

    def _spawn(self, index: int, port: int) -> Replica:
        log = self.workdir / f"replica-{index}.log"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "CYCLE_ENABLED": "true",
            "TIMEZONE": ZONE_NAME,
            "LOG_LEVEL": "INFO",
        }
        with log.open("ab") as out:
            process = subprocess.Popen(
                self._command(), cwd=self.workdir, env=env, stdout=out, stderr=out
            )
        return Replica(port, log, process)

    async def start(self) -> None:
        for index in range(self._count):
            self.replicas.append(self._spawn(index, _free_port()))
        await asyncio.gather(*(self._ready(r) for r in self.replicas))

    async def restart(self, replica: Replica) -> None:
        index = self.replicas.index(replica)
        replica.process.wait()
        fresh = self._spawn(index, replica.port)
        self.replicas[index] = fresh
        await self._ready(fresh)

    async def _ready(self, replica: Replica, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        async with ClientSession(timeout=ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                if replica.process.poll() is not None:
                    raise RuntimeError(f"replica on {replica.port} exited: see {replica.log}")
                try:
                    async with http.get(f"http://127.0.0.1:{replica.port}/readyz") as answer:
                        if answer.status == 200:
                            return
                except (ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"replica on {replica.port} did not start: see {replica.log}")

    async def leader(self, sessions: SessionFactory, within: float = 60.0) -> tuple[Replica, int]:
        """The replica holding an unexpired lease, and its epoch."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with sessions() as session:
                row = await session.get(Lease, runner.LEASE)
            if row is not None and row.expires_at > utcnow():
                pid = int(row.holder.split(":")[1])
                found = [r for r in self.replicas if r.pid == pid]
                if found:
                    return found[0], row.epoch
            await asyncio.sleep(0.1)
        raise RuntimeError("no replica leads the cycle")

    def stop(self) -> None:
        for replica in self.replicas:
            if replica.process.poll() is None:
                replica.process.send_signal(signal.SIGCONT)
                replica.process.terminate()
        for replica in self.replicas:
            try:
                replica.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _queue(sessions: SessionFactory, owners: list[Owner], trial: int) -> set[str]:
    """One prompt per owner, due now; the connector's keys they will be delivered under."""
    period = period_of(utcnow(), _zone())
    now = utcnow()
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            [
                NewMessage(
                    key=f"{timetable.PROMPT}:{period}:{o.person_id}:{o.project_id}:trial-{trial}",
                    kind=timetable.PROMPT,
                    period=period,
                    person_id=o.person_id,
                    project_id=o.project_id,
                    conversation_id=o.conversation_id,
                    tenant_id=TENANT,
                    not_before=now,
                    payload={"as_deputy": False, "owner_id": o.person_id},
                )
                for o in owners
            ],
            session=session,
        )
    return {f"{o.teams_conversation}|{o.project_id}|{period}" for o in owners}


def _zone() -> ZoneInfo:
    return ZoneInfo(ZONE_NAME)


async def _unsent(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return await outbox.pending_count(session=session)


async def _in_flight(sessions: SessionFactory) -> int:
    async with sessions() as session:
        found = await session.exec(
            select(func.count()).where(col(OutboxMessage.status) == OutboxStatus.in_flight)
        )
        return int(found.one())


async def _first_send_after(sessions: SessionFactory, epoch: int) -> datetime | None:
    async with sessions() as session:
        found = await session.exec(
            select(func.min(OutboxAttempt.at)).where(
                col(OutboxAttempt.epoch) > epoch, col(OutboxAttempt.outcome) == "sent"
            )
        )
        return found.one()


def _repeated_after(deliveries: list[Delivery], woke: int) -> int:
    """Cards delivered again from index ``woke`` on (SIGCONT): an upper bound on the woken
    leader's posts. A post it makes is of a row the new leader took over at once and
    sends too; a first delivery after waking is the new leader's (a row the frozen
    process had locked in an open transaction)."""
    seen = {d.key for d in deliveries[:woke]}
    repeated = 0
    for delivery in deliveries[woke:]:
        repeated += delivery.key in seen
        seen.add(delivery.key)
    return repeated


async def _drain(sessions: SessionFactory, *, until: float) -> bool:
    """Wait until the outbox holds nothing unsent, or ``until`` (monotonic); True if empty."""
    while await _unsent(sessions):
        if time.monotonic() > until:
            return False
        await asyncio.sleep(0.05)
    return True


async def _settled(record: Path) -> int:
    """How many deliveries the connector has written, once it stops growing."""
    count = len(read_records(record)[0])
    for _ in range(20):
        await asyncio.sleep(0.25)
        now = len(read_records(record)[0])
        if now == count:
            break
        count = now
    return count


async def run_trial(
    number: int,
    fault: str,
    *,
    cluster: Cluster,
    sessions: SessionFactory,
    owners: list[Owner],
    record: Path,
    rng: random.Random,
    stop_seconds: float,
    renew: float,
    give_up: float,
) -> Trial:
    trial = Trial(f"{fault} {number}" if fault != "none" else "baseline", fault)
    leader, epoch = await cluster.leader(sessions)
    before = await _settled(record)
    expected = await _queue(sessions, owners, number)
    trial.expected = len(expected)
    started = time.monotonic()
    struck_at: datetime | None = None
    struck = 0.0
    threshold = before + int(len(owners) * rng.uniform(0.15, 0.5))
    while fault != "none" and struck_at is None:
        if len(read_records(record)[0]) >= threshold:
            trial.in_flight = await _in_flight(sessions)
            struck_at, struck = utcnow(), time.monotonic()
            leader.process.send_signal(signal.SIGKILL if fault == "kill" else signal.SIGSTOP)
        elif time.monotonic() - started > give_up:
            raise RuntimeError(f"{trial.name}: the fan-out did not start")
        else:
            await asyncio.sleep(0.01)
    if fault == "stop":
        # the others take over and finish while it is frozen; then it wakes
        await _drain(sessions, until=struck + stop_seconds)
        trial.fanout_s = time.monotonic() - started
        await asyncio.sleep(max(0.0, struck + stop_seconds - time.monotonic()))
        woke = await _settled(record)
        leader.process.send_signal(signal.SIGCONT)
        # two lease rounds: every send it had under way has posted or been fenced by then
        await asyncio.sleep(2 * renew + 5.0)
        await _drain(sessions, until=started + give_up)
        trial.woken_posts = _repeated_after(read_records(record)[0][before:], woke - before)
    if not await _drain(sessions, until=started + give_up):
        raise RuntimeError(f"{trial.name}: cards unsent after {give_up:.0f} s")
    if fault != "stop":
        trial.fanout_s = time.monotonic() - started
    if struck_at is not None:
        first = await _first_send_after(sessions, epoch)
        trial.takeover_s = (first - struck_at).total_seconds() if first else None
    if fault == "kill":
        await cluster.restart(leader)
    await _settled(record)
    deliveries, _ = read_records(record)
    counted = tally(deliveries[before:], [], expected)
    trial.delivered, trial.duplicates, trial.lost = (
        counted.delivered,
        counted.duplicated,
        counted.lost,
    )
    return trial


@dataclass(frozen=True)
class Options:
    owners: int = 652
    kills: int = 5
    stops: int = 1
    stop_seconds: float = 70.0
    replicas: int = 3
    lease_ttl: float | None = None
    seed: int | None = None
    give_up: float = 300.0
    keep: bool = False


async def experiment(options: Options) -> list[Trial]:
    """Run the trials; the baseline first, then the kills, then the stops."""
    workdir = Path(tempfile.mkdtemp(prefix="failover-"))
    name = f"roadmap_failover_{uuid.uuid4().hex[:12]}"
    url = await create_pg_database(name, host=PG_HOST)
    await upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    record = workdir / "connector.jsonl"
    rng = random.Random(options.seed)
    trials: list[Trial] = []
    connector = ConnectorProcess(
        record, answer_delay=ANSWER_DELAY, throttle_share=THROTTLE_SHARE
    ).start()
    cluster = Cluster(url, workdir, options.replicas, options.lease_ttl)
    try:
        async with sessions() as session, session.begin():
            owners = await add_owners(
                session, owners=options.owners, service_url=connector.url, tenant=TENANT
            )
        await cluster.start()
        plan = ["none"] + ["kill"] * options.kills + ["stop"] * options.stops
        for number, fault in enumerate(plan):
            trial = await run_trial(
                number,
                fault,
                cluster=cluster,
                sessions=sessions,
                owners=owners,
                record=record,
                rng=rng,
                stop_seconds=options.stop_seconds,
                renew=renew_seconds(options),
                give_up=options.give_up,
            )
            trials.append(trial)
            print(_row(trial, trials[0].fanout_s), flush=True)
    finally:
        cluster.stop()
        connector.stop()
        await engine.dispose()
        await drop_pg_databases([name], host=PG_HOST)
        if options.keep:
            print(f"logs and connector records kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return trials


def lease_seconds(options: Options) -> float:
    return options.lease_ttl if options.lease_ttl is not None else runner.TTL.total_seconds()


def renew_seconds(options: Options) -> float:
    return _short_renew(options.lease_ttl) if options.lease_ttl is not None else runner.RENEW


def _short_renew(ttl: float) -> float:
    return max(0.2, ttl / 10)


def takeover_limit(options: Options) -> float:
    """The lease's TTL, a renewal, and time to take up the cycle; no claim timeout."""
    return lease_seconds(options) + renew_seconds(options) + TAKE_UP_SECONDS


def checks(trials: list[Trial], options: Options) -> dict[str, bool]:
    limit = takeover_limit(options)
    faulted = [t for t in trials if t.fault != "none"]
    return {
        "0 lost in every trial": all(t.lost == 0 for t in trials),
        "0 duplicates without a fault": all(t.duplicates == 0 for t in trials if t.fault == "none"),
        f"duplicates <= concurrency ({CONCURRENCY}) per fault": all(
            t.duplicates <= CONCURRENCY for t in faulted
        ),
        "0 cards from the woken leader": all(
            t.woken_posts == 0 for t in trials if t.fault == "stop"
        ),
        f"takeover < lease TTL + a renewal + {TAKE_UP_SECONDS:g} s to take up ({limit:g} s)": all(
            t.takeover_s is not None and t.takeover_s < limit for t in faulted
        ),
    }


HEADER = (
    f"{'trial':<10} {'expected':>8} {'delivered':>9} {'dups':>5} {'lost':>5} "
    f"{'in flight':>9} {'takeover':>9} {'fan-out':>8} {'vs none':>8} {'woken':>6}"
)


def _row(trial: Trial, baseline: float) -> str:
    takeover = f"{trial.takeover_s:.1f} s" if trial.takeover_s is not None else "-"
    woken = str(trial.woken_posts) if trial.woken_posts is not None else "-"
    ratio = trial.fanout_s / baseline if baseline else 0.0
    return (
        f"{trial.name:<10} {trial.expected:>8} {trial.delivered:>9} {trial.duplicates:>5} "
        f"{trial.lost:>5} {trial.in_flight:>9} {takeover:>9} {trial.fanout_s:>6.1f} s "
        f"{ratio:>7.2f}x {woken:>6}"
    )


def _serve(lease_ttl: float) -> None:
    """One replica with a shorter lease (and PostgreSQL's idle-in-transaction limit to
    match): ``app.main()`` otherwise unchanged."""
    import app
    from storage import db

    runner.TTL = timedelta(seconds=lease_ttl)
    runner.RENEW = _short_renew(lease_ttl)
    db.IDLE_IN_TRANSACTION = timedelta(seconds=max(2.0, 0.75 * lease_ttl))
    app.main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover", description=__doc__)
    parser.add_argument("--owners", type=int, default=652, help="prompts per trial (652)")
    parser.add_argument("--kills", type=int, default=5, help="kill -9 trials (5)")
    parser.add_argument("--stops", type=int, default=1, help="SIGSTOP trials (1)")
    parser.add_argument("--stop-seconds", type=float, default=70.0, help="SIGSTOP for (70 s)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--lease-ttl", type=float, help="a shorter lease, seconds (app: 20)")
    parser.add_argument("--seed", type=int, help="the fault moments' seed")
    parser.add_argument("--give-up", type=float, default=300.0, help="per trial, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the logs and records")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.lease_ttl)
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    options = Options(
        owners=args.owners,
        kills=args.kills,
        stops=args.stops,
        stop_seconds=args.stop_seconds,
        replicas=args.replicas,
        lease_ttl=args.lease_ttl,
        seed=seed,
        give_up=args.give_up,
        keep=args.keep,
    )
    print(
        f"failover of {options.owners} prompts: {options.replicas} replicas on PostgreSQL, "
        f"lease {lease_seconds(options):g} s (renewed every {renew_seconds(options):g} s), "
        f"dispatcher concurrency {CONCURRENCY}, connector answers {ANSWER_DELAY * 1000:.0f} ms "
        f"late and 429s {THROTTLE_SHARE:.0%}; seed {seed}"
    )
    print(HEADER, flush=True)
    trials = asyncio.run(experiment(options))
    verdicts = checks(trials, options)
    for check, ok in verdicts.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {check}")
    verdict = all(verdicts.values())
    print("PASS" if verdict else "FAIL")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
