"""The dispatcher: sends the outbox at Teams' pace, retrying what may be retried.

- 429: wait ``Retry-After`` when given, else back off exponentially with jitter.
- 412, 408, 5xx and timeouts: back off exponentially with jitter, up to a cap.
- 403: the person blocked or removed the bot: mark them unreachable, tell the admins.
- any other 4xx: a permanent failure, recorded.
Every attempt and its outcome is a row in ``outboxattempt``.

Teams' connector takes no idempotency key, so a post cannot be taken back or made
conditional. What the dispatcher can do is decide as late as possible: right before each
post (in ``pace``, just before the rate limiter's slot) it checks that it still holds the
cycle lease in the epoch it claimed under, and that the cycle is not paused; then, with
nothing awaited in between, ``pace.confirm()`` makes sure the lease it saw has not run
out on the monotonic clock, which goes on while a process is stopped. A fenced dispatcher stops at
once and writes nothing more; a paused one gives its claims back. It
claims no more rows than it has sends in flight (``concurrency``), so at a crash at most
that many posts, one per message, can have reached Teams unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.ratelimit import RateLimiter
from storage import cycle_store, lease, outbox
from storage.db import SessionFactory, write_transaction
from storage.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)
RETRYABLE = frozenset({408, 412, 429, 500, 502, 503, 504})


class SendFailure(Exception):
    """The channel refused or did not answer. ``status`` is None for a timeout or network error."""

    def __init__(
        self, status: int | None, retry_after: float | None = None, detail: str = ""
    ) -> None:
        super().__init__(f"{status or 'no answer'}: {detail}"[:300])
        self.status = status
        self.retry_after = retry_after


class SkipMessage(Exception):
    """The message is no longer needed (for example: the owner has answered)."""


class Fenced(Exception):
    """This dispatcher no longer holds the lease it claimed under: it must not post."""


class Paused(Exception):
    """An admin paused the cycle: nothing is posted until it is resumed."""


class Pace(Protocol):
    """A message's turn to be posted: the rate limiter's slot and the dispatcher's checks."""

    async def __call__(self) -> None:
        """Check the lease and the pause (raises ``Fenced``, ``Paused``), then wait for the slot."""

    def confirm(self) -> None:
        """Raise ``Fenced`` if the lease may have run out since the check (the process was
        frozen, say). No I/O and no await: call it immediately before the post."""


class Sender(Protocol):
    async def send(self, message: OutboxMessage, pace: Pace) -> str | None:
        """Build the message, await ``pace()`` right before posting it, and call
        ``pace.confirm()`` at the very last moment; post it; return its id."""


UnreachableHook = Callable[[OutboxMessage, AsyncSession], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 1.0
    cap_seconds: float = 300.0
    max_attempts: int = 10

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds before the next attempt: Retry-After, or exponential backoff with equal jitter."""
        if retry_after is not None and retry_after >= 0:
            return min(float(retry_after), self.cap_seconds)
        ceiling: float = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


LEASE_MARGIN = 0.5  # seconds: a post is not started this close to the lease's expiry


class _Pace:
    def __init__(self, dispatcher: Dispatcher, message: OutboxMessage) -> None:
        self._dispatcher = dispatcher
        self._message = message

    async def __call__(self) -> None:
        message = self._message
        key = (
            f"conversation:{message.conversation_id}"
            if message.conversation_id
            else f"person:{message.person_id}"
        )
        # still ours, not paused; then the rate limiter's slot, and nothing in between the
        # slot and the post (a query's jitter there would bunch the posts up at Teams)
        await self._dispatcher.check()
        await self._dispatcher.limiter.acquire(message.tenant_id or "", key)

    def confirm(self) -> None:
        self._dispatcher.confirm()


@dataclass
class Dispatcher:
    """Claims due outbox rows and sends them.

    ``hold``: the cycle lease this dispatcher sends under (the runner sets it when it
    becomes the leader); None for a dispatcher run on its own, as tests and benchmarks do.
    """

    sessions: SessionFactory
    sender: Sender
    worker: str
    limiter: RateLimiter = field(default_factory=RateLimiter)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    batch: int = 100
    concurrency: int = 16
    on_unreachable: UnreachableHook | None = None
    rng: random.Random = field(default_factory=random.Random)
    hold: lease.Hold | None = None
    _fenced: asyncio.Event = field(default_factory=asyncio.Event)
    clock: Callable[[], float] = time.monotonic  # goes on while the process is stopped
    _valid_until: float = 0.0  # on ``clock``, when the lease last seen expires

    @property
    def epoch(self) -> int:
        return self.hold.epoch if self.hold is not None else 0

    @property
    def fenced(self) -> bool:
        """True once a check found the lease gone: this dispatcher sends nothing more."""
        return self._fenced.is_set()

    async def check(self) -> None:
        """Raise ``Fenced`` if the lease has moved on, ``Paused`` if the cycle is paused."""
        if self.fenced:
            raise Fenced(self.worker)
        async with self.sessions() as session:
            if self.hold is not None:
                expires = await lease.expiry(self.hold, session=session)
                if expires is None:
                    self._fence("lost the cycle lease")
                left = (expires - utcnow()).total_seconds()
                self._valid_until = max(self._valid_until, self.clock() + left)
            if await cycle_store.is_paused(session=session):
                raise Paused()

    def confirm(self) -> None:
        """The last word before a post, without I/O: the lease cannot have run out.

        ``clock`` (``time.monotonic``) goes on while the process is stopped, so a leader
        that froze between its check and its post, and woke after the lease expired,
        stops here.
        """
        if self.fenced:
            raise Fenced(self.worker)
        if self.hold is not None and self.clock() >= self._valid_until - LEASE_MARGIN:
            self._fence("outlived the cycle lease it last saw")

    def _fence(self, why: str) -> NoReturn:
        if not self.fenced:
            self._fenced.set()
            log.warning("%s %s (epoch %d): it stops sending", self.worker, why, self.epoch)
        raise Fenced(self.worker)

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        """Claim up to ``limit`` rows, unless fenced or paused."""
        try:
            await self.check()
        except (Fenced, Paused):
            return []
        async with write_transaction(self.sessions) as session:
            return await outbox.claim(self.worker, limit=limit, epoch=self.epoch, session=session)

    async def run_once(self) -> int:
        """Claim one batch of due messages and deliver them; return how many were claimed."""
        messages = await self._claim(min(self.batch, self.concurrency))
        if not messages:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def deliver(message: OutboxMessage) -> None:
            async with gate:
                await self._deliver(message)

        await asyncio.gather(*(deliver(message) for message in messages))
        return len(messages)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set or the lease is lost, claiming as sends finish.

        No more rows are claimed than there are sends in flight: ``concurrency`` in all,
        topped up once a quarter of them have finished. There is no barrier between
        claims: a slow send does not hold back the next one, so the rate limiter, not the
        claim size, sets the pace.
        """
        self._fenced.clear()
        self._valid_until = 0.0
        sending: set[asyncio.Task[None]] = set()
        top_up = max(1, self.concurrency // 4)

        while not stop.is_set() and not self.fenced:
            claimed: list[OutboxMessage] = []
            room = min(self.batch, self.concurrency - len(sending))
            if room >= top_up:
                try:
                    claimed = await self._claim(room)
                except Exception:  # keep dispatching after a database hiccup; it is logged
                    log.exception("could not claim outbox messages")
            for message in claimed:
                task = asyncio.create_task(self._deliver(message))
                sending.add(task)
                task.add_done_callback(sending.discard)
            if claimed and self.concurrency - len(sending) >= top_up:
                continue
            waiters: set[asyncio.Future[Any]] = set(sending)
            stopping = asyncio.ensure_future(stop.wait())
            fencing = asyncio.ensure_future(self._fenced.wait())
            waiters |= {stopping, fencing}
            await asyncio.wait(waiters, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            fencing.cancel()
        if sending:
            await asyncio.gather(*sending, return_exceptions=True)

    async def _deliver(self, message: OutboxMessage) -> None:
        if message.id is None:
            raise ValueError("an outbox row has an id")
        started = time.monotonic()

        try:
            activity_id = await self.sender.send(message, _Pace(self, message))
        except Fenced:
            return  # the row is the new leader's now: write nothing
        except Paused:
            async with write_transaction(self.sessions) as session:
                await outbox.release(
                    message.id, worker=self.worker, epoch=self.epoch, session=session
                )
        except SkipMessage as skip:
            await self._finish(message, OutboxStatus.skipped, "skipped", started, error=str(skip))
        except SendFailure as failure:
            await self._failed(message, failure, started)
        except Exception as error:  # anything unexpected is an attempt too, retried up to the cap
            log.exception("outbox message %s: unexpected error while sending", message.id)
            await self._failed(message, SendFailure(None, None, type(error).__name__), started)
        else:
            await self._finish(
                message,
                OutboxStatus.sent,
                "sent",
                started,
                sent_activity_id=activity_id,
                status_code=200,
            )

    async def _failed(self, message: OutboxMessage, failure: SendFailure, started: float) -> None:
        attempt = message.attempts + 1
        if failure.status == 403:
            async with write_transaction(self.sessions) as session:
                await self._record(
                    session,
                    message,
                    OutboxStatus.unreachable,
                    "unreachable",
                    started,
                    status_code=403,
                    error=str(failure),
                )
                if self.on_unreachable is not None:
                    await self.on_unreachable(message, session)
            return
        retryable = failure.status is None or failure.status in RETRYABLE
        if not retryable or attempt >= self.policy.max_attempts:
            await self._finish(
                message,
                OutboxStatus.failed,
                "failed",
                started,
                status_code=failure.status,
                error=str(failure),
            )
            log.warning("gave up on outbox message %s after %d attempts", message.id, attempt)
            return
        # Only this message waits (Retry-After, or backoff); the tenant's other messages go on.
        delay = self.policy.delay(attempt, failure.retry_after, self.rng)
        await self._finish(
            message,
            OutboxStatus.pending,
            "throttled" if failure.status == 429 else "retry",
            started,
            status_code=failure.status,
            error=str(failure),
            retry_at=utcnow() + timedelta(seconds=delay),
            retry_after_s=failure.retry_after,
        )

    async def _finish(
        self,
        message: OutboxMessage,
        status: OutboxStatus,
        outcome: str,
        started: float,
        **details: object,
    ) -> None:
        async with write_transaction(self.sessions) as session:
            await self._record(session, message, status, outcome, started, **details)

    async def _record(
        self,
        session: AsyncSession,
        message: OutboxMessage,
        status: OutboxStatus,
        outcome: str,
        started: float,
        **details: object,
    ) -> None:
        assert message.id is not None  # noqa: S101 (checked in _deliver)
        kept = await outbox.finish(
            message.id,
            worker=self.worker,
            epoch=self.epoch,
            status=status,
            outcome=outcome,
            session=session,
            duration_ms=int((time.monotonic() - started) * 1000),
            **details,  # type: ignore[arg-type]
        )
        if not kept:
            log.warning(
                "outbox message %s was taken over by another dispatcher: outcome %s not applied",
                message.id,
                outcome,
            )
