"""CPU and memory per message, for the longest messages a sender can make.

``python -m bench.long_messages [--reps 5]`` serves the app in a child process, as
``app.main()`` does (uvloop, the start-up heap frozen), on a fresh SQLite database with
the demo portfolio, and posts Teams-shaped messages to it from a manager in a personal
chat. The replies go to a fake connector in this process. Each message travels the
whole path a message takes: the adapter, the middleware, the router, the question
parser, "did you mean" and the answer with its name lookups.

The messages (``tests.support.work``): a normal question, one with a typo, the worst
message the typo pass still takes (30 unknown words of 32 letters), the longest word
Teams delivers (28 KB), and 250 KB bodies, which local mode accepts: one word of ``a``,
distinct words, typos of the vocabulary, and a question followed by distinct words.

Every message gets a child of its own, so one message's peak memory does not hide
another's. The child is warmed up with a few short questions and a message it does not
understand; then its peak RSS (``ru_maxrss``) is the baseline. The message is sent
``--reps`` times, and the child's CPU time (``time.process_time``) is read before and
after each (the read costs about 0.1 ms, included). Targets: under 50 ms of CPU for
each message, and the peak RSS within 20 MB of the baseline. Exits 1 when a target is
missed or a message did not get exactly one card, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import uvloop
from aiohttp import ClientSession, ClientTimeout, web

from bench.benchmark import serve_until_signalled
from tests.support import work

ROOT = Path(__file__).resolve().parent.parent
TARGET_CPU_MS = 50.0
TARGET_RSS_MB = 20.0
WARMUP = ("budjetti 2025 tosi", "roadmpa 2025", "asdf qwerty", "näytä Kartalla")


def messages() -> dict[str, str]:
    return {
        "normal question": "budjetti 2025 tosi",
        "a question with a typo": "roadmpa 2025",
        "30 unknown words of 32 letters": work.worst_typos(),
        **work.long_messages(),
    }


# ---------------------------------------------------------------------------------------
# The child: the app as app.main() serves it, and its own CPU time and peak RSS
# ---------------------------------------------------------------------------------------


async def _usage(_request: web.Request) -> web.Response:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return web.json_response({"cpu": time.process_time(), "peak_kb": peak_kb})


async def _serve(database_url: str) -> None:
    from app import create_app, freeze_startup_heap
    from settings import Settings

    app = create_app(Settings(DATABASE_URL=database_url, CYCLE_ENABLED=False, _env_file=None))
    app.on_startup.append(freeze_startup_heap)
    app.router.add_get("/_bench/usage", _usage)
    await serve_until_signalled(web.AppRunner(app))


def serve_main(database_url: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(_serve(database_url))


# ---------------------------------------------------------------------------------------
# The parent: a database, a connector, one child per message
# ---------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    chars: int
    answer: str
    cpu_ms: list[float]
    peak_growth_mb: float
    problems: list[str]

    @property
    def passed(self) -> bool:
        return (
            not self.problems
            and max(self.cpu_ms) < TARGET_CPU_MS
            and self.peak_growth_mb <= TARGET_RSS_MB
        )


async def _database(directory: Path) -> str:
    from settings import Settings
    from storage.db import create_engine, session_factory, transaction, upgrade
    from storage.demo import load_demo

    url = f"sqlite+aiosqlite:///{directory / 'long-messages.db'}"
    await upgrade(url)
    engine = create_engine(url)
    today = datetime.now(Settings(DATABASE_URL=url, _env_file=None).zone).date()
    async with transaction(session_factory(engine)) as session:
        await load_demo(session, today=today)
    await engine.dispose()
    return url


async def _child(database_url: str, log: Path) -> tuple[asyncio.subprocess.Process, str]:
    command = [sys.executable, "-m", "bench.long_messages", "--serve", database_url]
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr
        )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    if not line.startswith(b"PORT "):
        process.kill()
        await process.wait()
        raise RuntimeError(f"the bot did not start; see {log}")
    return process, f"http://127.0.0.1:{int(line.split()[1])}"


def _first_text(card: dict[str, Any]) -> str:
    for item in card.get("body") or []:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            return str(item["text"])
    return ""


async def _measure(
    name: str, text: str, *, database_url: str, reps: int, directory: Path
) -> Result:
    from storage.demo import DEMO_MANAGER_AAD
    from tests.support.activities import User, message
    from tests.support.connector import FakeConnector

    manager = User("29:bench-manager", DEMO_MANAGER_AAD, "Bench Manager", locale="en-GB")
    connector = FakeConnector()
    await connector.start()
    process, url = await _child(database_url, directory / "bot.log")
    problems: list[str] = []
    cpu_ms: list[float] = []
    answer = ""
    try:
        async with ClientSession(timeout=ClientTimeout(total=600)) as http:

            async def usage() -> dict[str, float]:
                async with http.get(f"{url}/_bench/usage") as response:
                    found: dict[str, float] = await response.json()
                    return found

            async def send(body: str) -> dict[str, Any] | None:
                before = len(connector.cards())
                activity = message(manager, connector.url, body)
                activity["id"] = f"bench-{uuid4().hex}"
                async with http.post(f"{url}/api/messages", json=activity) as response:
                    await response.read()
                    status = response.status
                cards = connector.cards()
                if status != 201 or len(cards) != before + 1:
                    problems.append(f"answered {status} with {len(cards) - before} cards")
                    return None
                return cards[-1]

            for warm in WARMUP * 3:
                await send(warm)
            baseline = await usage()
            for _ in range(reps):
                started = await usage()
                card = await send(text)
                ended = await usage()
                cpu_ms.append((ended["cpu"] - started["cpu"]) * 1000)
                answer = _first_text(card) if card is not None else "(no card)"
            peak_growth_mb = (ended["peak_kb"] - baseline["peak_kb"]) / 1024
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await connector.close()
    return Result(name, len(text), answer, cpu_ms, peak_growth_mb, problems)


async def run(args: argparse.Namespace) -> int:
    directory = Path(tempfile.mkdtemp(prefix="long-messages-"))
    database_url = await _database(directory)
    chosen = messages()
    if args.message:
        chosen = {name: text for name, text in chosen.items() if name in args.message}
    print(f"{args.reps} of each message, each in a fresh bot process; CPU in ms per message")
    print(f"{'message':32} {'chars':>7}  {'cpu first':>9} {'median':>7} {'max':>7}  rss+MB  answer")
    results = []
    for name, text in chosen.items():
        result = await _measure(
            name, text, database_url=database_url, reps=args.reps, directory=directory
        )
        results.append(result)
        cpu = result.cpu_ms
        verdict = "PASS" if result.passed else "FAIL"
        print(
            f"{name:32} {result.chars:>7}  {cpu[0]:9.1f} {statistics.median(cpu):7.1f}"
            f" {max(cpu):7.1f}  {result.peak_growth_mb:6.1f}  {verdict}  {result.answer[:60]!r}"
            + (f"  {'; '.join(result.problems)}" if result.problems else ""),
            flush=True,
        )
    print(
        f"targets: < {TARGET_CPU_MS:.0f} ms of CPU for every message,"
        f" peak RSS within {TARGET_RSS_MB:.0f} MB of the warmed-up baseline"
    )
    return 0 if all(r.passed for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="times each message is sent")
    parser.add_argument(
        "--message", action="append", help="only this message (repeatable), by its name"
    )
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_main(args.serve)
        return 0
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
