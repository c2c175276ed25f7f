"""A Bot Framework connector that enforces Microsoft Teams' proactive-message limits.

``LimitedConnector`` is a real aiohttp server, like ``tests.support.connector``, that
answers ``POST /v3/conversations/{cid}/activities[/{aid}]`` as Teams would:

* per conversation: 7 messages in any 1 s, 8 in 2 s, 60 in 30 s, 1800 in an hour;
* per tenant: 50 in any 1 s. The bot's URL carries no tenant, and every test uses one
  tenant, so this is one global window.

Windows slide over the moments the server *accepted* an activity (a refused request does
not count). A request over a limit gets 429, with ``Retry-After`` (whole seconds until the
window frees) unless ``retry_after_on_limit`` is off.

Faults are scripted: ``faults`` is a queue, each entry answering the next matching send
(429 with or without ``Retry-After``, 503, 412, 502, a stall longer than the client's
timeout, optionally after the activity was accepted: a lost answer); ``refuse`` maps
conversation ids to a status answered every time (403: the user blocked the bot).

For a failover experiment it can also answer every accepted send ``answer_delay``
seconds late (the window in which a dying sender has posted but not recorded), and
refuse a random ``throttle_share`` of the sends with 429 and ``Retry-After: 1``.

Every attempt and every accepted delivery is recorded, in memory and, with ``record``,
as JSON lines flushed one by one (``{"type": "delivery"|"attempt", ...}``), so a test can
count delivered, duplicated and lost messages and the share of 429s even when the bot
ran in another process. A delivery's ``key`` is the conversation and the card's
``Action.Execute`` data (``project_id``/``period``), else a hash of the card.

In its own process: ``python -m tests.support.teams_limits --port 0 --record FILE``
prints ``listening <url>`` once it serves; ``POST /_control/faults`` with
``{"faults": [...], "refuse": {cid: status}}`` scripts faults, ``GET /_control/stats``
counts. ``ConnectorProcess`` runs it from a test or a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import hashlib
import itertools
import json
import math
import os
import random
import select
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from aiohttp import web

from tests.support.card_json import nodes

CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
TENANT_WINDOWS: tuple[tuple[int, float], ...] = ((50, 1.0),)
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Fault:
    """One scripted answer to a send.

    ``status`` is answered after ``delay`` seconds; a delay longer than the client's
    timeout is a timeout. ``delivered`` accepts the activity first (the answer is lost,
    the message is not). ``conversation`` limits the fault to one conversation. ``body``
    answers that text as ``text/html`` instead of a JSON error (a proxy's page).
    """

    status: int = 503
    retry_after: str | None = None
    delay: float = 0.0
    delivered: bool = False
    conversation: str | None = None
    body: str | None = None

    @classmethod
    def throttle(cls, retry_after: float | None = None, **kwargs: Any) -> Fault:
        header = None if retry_after is None else f"{retry_after:g}"
        return cls(429, header, **kwargs)

    @classmethod
    def timeout(cls, seconds: float, *, delivered: bool = False, **kwargs: Any) -> Fault:
        return cls(504, None, seconds, delivered, **kwargs)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        return cls(**data)


@dataclass(frozen=True)
class Delivery:
    at: float
    conversation: str
    activity_id: str
    key: str
    project_id: int | None
    period: str | None


@dataclass(frozen=True)
class Attempt:
    at: float
    conversation: str
    status: int
    key: str
    reason: str  # "ok", "fault", "refused", "limit:conversation 7/1s", "limit:tenant 50/1s"
    delivered: bool = False  # the activity was accepted (a 200, or a fault after delivery)


class SlidingLimit:
    """Accepted moments of one key, checked against several (limit, seconds) windows."""

    def __init__(self, windows: tuple[tuple[int, float], ...]) -> None:
        self._windows = windows
        self._horizon = max(seconds for _, seconds in windows)
        self._times: list[float] = []

    def exceeded(self, now: float) -> tuple[str, float] | None:
        """The first window one more send at ``now`` would exceed, and seconds until it frees."""
        for limit, seconds in self._windows:
            first = bisect.bisect_right(self._times, now - seconds)
            if len(self._times) - first >= limit:
                oldest = self._times[len(self._times) - limit]
                return f"{limit}/{seconds:g}s", max(0.0, oldest + seconds - now)
        return None

    def add(self, now: float) -> None:
        self._times.append(now)
        if len(self._times) > 4096:
            del self._times[: bisect.bisect_right(self._times, now - self._horizon)]


def dedupe_key(conversation: str, activity: Any) -> tuple[str, int | None, str | None]:
    """What identifies a message to a person: the conversation and the card's action data."""
    cards = [
        attachment.get("content")
        for attachment in (activity.get("attachments") or [] if isinstance(activity, dict) else [])
        if isinstance(attachment, dict) and attachment.get("contentType") == ADAPTIVE
    ]
    for data in (node["data"] for node in nodes(cards) if isinstance(node.get("data"), dict)):
        if "project_id" in data and "period" in data:
            project_id = data["project_id"]
            period = data["period"]
            return f"{conversation}|{project_id}|{period}", project_id, period
    digest = hashlib.sha1(
        json.dumps(cards or activity, sort_keys=True, default=str).encode(), usedforsecurity=False
    ).hexdigest()[:16]
    return f"{conversation}|card-{digest}", None, None


@dataclass
class LimitedConnector:
    """The connector; ``start()`` serves it on this event loop (``url`` ends with a slash)."""

    retry_after_on_limit: bool = True
    conversation_windows: tuple[tuple[int, float], ...] = CONVERSATION_WINDOWS
    tenant_windows: tuple[tuple[int, float], ...] = TENANT_WINDOWS
    record: Path | None = None
    clock: Callable[[], float] = time.monotonic
    faults: list[Fault] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    answer_delay: float = 0.0
    throttle_share: float = 0.0
    rng: random.Random = field(default_factory=random.Random)
    deliveries: list[Delivery] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    _conversations: dict[str, SlidingLimit] = field(default_factory=dict)
    _tenant: SlidingLimit | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file: IO[str] | None = None
    _runner: web.AppRunner | None = None
    _port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/"

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/_control/faults", self._control_faults)
        app.router.add_get("/_control/stats", self._control_stats)
        return app

    async def start(self, port: int = 0) -> None:
        if self.record is not None:
            self._file = self.record.open("a", encoding="utf-8")
        self._tenant = SlidingLimit(self.tenant_windows)
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._file is not None:
            self._file.close()
            self._file = None

    # The API -------------------------------------------------------------------------
    async def _send(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        try:
            activity = await request.json()
        except ValueError:
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        key, project_id, period = dedupe_key(conversation, activity)

        refused = self.refuse.get(conversation)
        if refused is not None:
            self._attempt(conversation, refused, key, "refused")
            return _error(refused)

        fault = self._next_fault(conversation)
        if fault is not None:
            if fault.delivered:
                self._deliver(conversation, key, project_id, period, self.clock())
            self._attempt(conversation, fault.status, key, "fault", delivered=fault.delivered)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            if fault.body is not None:
                return web.Response(
                    status=fault.status, text=fault.body, content_type="text/html", headers=headers
                )
            return _error(fault.status, headers)

        if self.throttle_share and self.rng.random() < self.throttle_share:
            self._attempt(conversation, 429, key, "random")
            return _error(429, {"Retry-After": "1"})
        now = self.clock()
        windows = self._conversations.setdefault(
            conversation, SlidingLimit(self.conversation_windows)
        )
        assert self._tenant is not None
        for scope, limit in (("conversation", windows), ("tenant", self._tenant)):
            exceeded = limit.exceeded(now)
            if exceeded is not None:
                window, wait = exceeded
                self._attempt(conversation, 429, key, f"limit:{scope} {window}")
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                return _error(429, headers if self.retry_after_on_limit else {})
        windows.add(now)
        self._tenant.add(now)
        activity_id = self._deliver(conversation, key, project_id, period, now)
        self._attempt(conversation, 200, key, "ok", delivered=True)
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        return web.json_response({"id": activity_id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        return web.json_response({"id": f"a:new-{next(self._ids)}", "activityId": "x"})

    def _next_fault(self, conversation: str) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.conversation in (None, conversation):
                return self.faults.pop(index)
        return None

    def _deliver(
        self,
        conversation: str,
        key: str,
        project_id: int | None,
        period: str | None,
        now: float,
    ) -> str:
        activity_id = f"act-{next(self._ids)}"
        delivery = Delivery(now, conversation, activity_id, key, project_id, period)
        self.deliveries.append(delivery)
        self._write({"type": "delivery", **asdict(delivery)})
        return activity_id

    def _attempt(
        self, conversation: str, status: int, key: str, reason: str, *, delivered: bool = False
    ) -> None:
        attempt = Attempt(self.clock(), conversation, status, key, reason, delivered)
        self.attempts.append(attempt)
        self._write({"type": "attempt", **asdict(attempt)})

    def _write(self, record: dict[str, Any]) -> None:
        if self._file is not None:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()

    # Control, for a connector in its own process --------------------------------------
    async def _control_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.faults.extend(Fault.from_json(item) for item in body.get("faults", []))
        self.refuse.update({str(k): int(v) for k, v in body.get("refuse", {}).items()})
        return web.json_response({"faults": len(self.faults), "refuse": len(self.refuse)})

    async def _control_stats(self, _request: web.Request) -> web.Response:
        return web.json_response(asdict(tally(self.deliveries, self.attempts)))


def _error(status: int, headers: dict[str, str] | None = None) -> web.Response:
    code = {429: "Throttled", 403: "Forbidden", 404: "ConversationNotFound"}.get(status, "Error")
    return web.json_response(
        {"error": {"code": code, "message": f"simulated {status}"}}, status=status, headers=headers
    )


# Counting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    attempts: int
    delivered: int  # distinct keys delivered (of the expected ones, when given)
    deliveries: int  # accepted activities, duplicates included
    duplicated: int  # extra deliveries of a key already delivered
    lost: int  # expected keys never delivered (0 when nothing was expected)
    unexpected: int  # delivered keys nobody expected
    throttled: int  # attempts answered 429
    statuses: dict[str, int]

    @property
    def share_429(self) -> float:
        return self.throttled / self.attempts if self.attempts else 0.0


def tally(
    deliveries: Iterable[Delivery],
    attempts: Iterable[Attempt],
    expected: Iterable[str] | None = None,
) -> Tally:
    counts = Counter(d.key for d in deliveries)
    statuses = Counter(str(a.status) for a in attempts)
    wanted = set(expected) if expected is not None else set(counts)
    return Tally(
        attempts=sum(statuses.values()),
        delivered=len(set(counts) & wanted),
        deliveries=sum(counts.values()),
        duplicated=sum(n - 1 for n in counts.values()),
        lost=len(wanted - set(counts)),
        unexpected=len(set(counts) - wanted),
        throttled=statuses.get("429", 0),
        statuses=dict(statuses),
    )


def read_records(path: Path) -> tuple[list[Delivery], list[Attempt]]:
    """The deliveries and attempts a connector process wrote (a torn last line is skipped)."""
    deliveries: list[Delivery] = []
    attempts: list[Attempt] = []
    if not path.exists():
        return deliveries, attempts
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        kind = record.pop("type", None)
        if kind == "delivery":
            deliveries.append(Delivery(**record))
        elif kind == "attempt":
            attempts.append(Attempt(**record))
    return deliveries, attempts


# Its own process -----------------------------------------------------------------------------
class ConnectorProcess:
    """``python -m tests.support.teams_limits`` in a child process, recording to ``record``."""

    def __init__(
        self,
        record: Path,
        *,
        retry_after_on_limit: bool = True,
        answer_delay: float = 0.0,
        throttle_share: float = 0.0,
    ) -> None:
        self.record = record
        self._retry_after = retry_after_on_limit
        self._extra = [
            "--answer-delay",
            f"{answer_delay:g}",
            "--throttle-share",
            f"{throttle_share:g}",
        ]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self, timeout: float = 20.0) -> ConnectorProcess:
        command = [sys.executable, "-m", "tests.support.teams_limits", "--port", "0"]
        command += ["--record", str(self.record)]
        if not self._retry_after:
            command.append("--no-retry-after")
        command += self._extra
        self._process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([stdout], [], [], left)
            line = stdout.readline() if ready else ""
            if line.startswith("listening "):
                self.url = line.split(" ", 1)[1].strip()
                return self
            if not line and self._process.poll() is not None:
                break
        self.stop()
        raise RuntimeError("the limited connector did not start")

    def records(self) -> tuple[list[Delivery], list[Attempt]]:
        return read_records(self.record)

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> ConnectorProcess:
        return self.start() if self._process is None else self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


async def _serve(
    port: int,
    record: Path | None,
    retry_after_on_limit: bool,
    answer_delay: float = 0.0,
    throttle_share: float = 0.0,
) -> None:
    connector = LimitedConnector(
        retry_after_on_limit=retry_after_on_limit,
        record=record,
        answer_delay=answer_delay,
        throttle_share=throttle_share,
    )
    await connector.start(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    sys.stdout.write(f"listening {connector.url}\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await connector.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--record", type=Path, help="append attempts and deliveries as JSON lines")
    parser.add_argument(
        "--no-retry-after", action="store_true", help="answer a limit's 429 without Retry-After"
    )
    parser.add_argument(
        "--answer-delay", type=float, default=0.0, help="answer accepted sends this late, seconds"
    )
    parser.add_argument(
        "--throttle-share", type=float, default=0.0, help="refuse this share of sends with 429"
    )
    args = parser.parse_args(argv)
    asyncio.run(
        _serve(
            args.port,
            args.record,
            not args.no_retry_after,
            args.answer_delay,
            args.throttle_share,
        )
    )


if __name__ == "__main__":
    main()
