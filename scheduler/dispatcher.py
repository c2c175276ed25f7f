"""The dispatcher: sends the outbox at Teams' pace, retrying what may be retried.

- 429: wait ``Retry-After`` when given, else back off exponentially with jitter.
- 412, 408, 5xx and timeouts: back off exponentially with jitter, up to a cap.
- 403: the person blocked or removed the bot: mark them unreachable, tell the admins.
- any other 4xx: a permanent failure, recorded.
Every attempt and its outcome is a row in ``outboxattempt``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.ratelimit import RateLimiter
from storage import outbox
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


Pace = Callable[[], Awaitable[None]]


class Sender(Protocol):
    async def send(self, message: OutboxMessage, pace: Pace) -> str | None:
        """Build the message, await ``pace()`` right before posting it, post it; return its id."""


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


@dataclass
class Dispatcher:
    sessions: SessionFactory
    sender: Sender
    worker: str
    limiter: RateLimiter = field(default_factory=RateLimiter)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    batch: int = 100
    concurrency: int = 16
    on_unreachable: UnreachableHook | None = None
    rng: random.Random = field(default_factory=random.Random)

    async def run_once(self) -> int:
        """Claim one batch of due messages and deliver them; return how many were claimed."""
        async with write_transaction(self.sessions) as session:
            messages = await outbox.claim(self.worker, limit=self.batch, session=session)
        if not messages:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def deliver(message: OutboxMessage) -> None:
            async with gate:
                await self._deliver(message)

        await asyncio.gather(*(deliver(message) for message in messages))
        return len(messages)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set, claiming more while earlier messages are still sending.

        There is no barrier between batches: a slow send does not hold back the next
        batch, so the rate limiter, not the batch size, sets the pace.
        """
        gate = asyncio.Semaphore(self.concurrency)
        sending: set[asyncio.Task[None]] = set()

        async def deliver(message: OutboxMessage) -> None:
            async with gate:
                await self._deliver(message)

        while not stop.is_set():
            claimed: list[OutboxMessage] = []
            room = self.batch - len(sending)
            if room >= self.batch // 2:
                try:
                    async with write_transaction(self.sessions) as session:
                        claimed = await outbox.claim(self.worker, limit=room, session=session)
                except Exception:  # keep dispatching after a database hiccup; it is logged
                    log.exception("could not claim outbox messages")
            for message in claimed:
                task = asyncio.create_task(deliver(message))
                sending.add(task)
                task.add_done_callback(sending.discard)
            if claimed and len(sending) < self.batch // 2:
                continue
            waiters: set[asyncio.Future[Any]] = set(sending)
            stopping = asyncio.ensure_future(stop.wait())
            waiters.add(stopping)
            await asyncio.wait(waiters, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        if sending:
            await asyncio.gather(*sending, return_exceptions=True)

    async def _deliver(self, message: OutboxMessage) -> None:
        if message.id is None:
            raise ValueError("an outbox row has an id")
        started = time.monotonic()

        async def pace() -> None:
            key = (
                f"conversation:{message.conversation_id}"
                if message.conversation_id
                else f"person:{message.person_id}"
            )
            await self.limiter.acquire(message.tenant_id or "", key)

        try:
            activity_id = await self.sender.send(message, pace)
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
            status=status,
            outcome=outcome,
            session=session,
            duration_ms=int((time.monotonic() - started) * 1000),
            **details,  # type: ignore[arg-type]
        )
        if not kept:
            log.warning("outbox message %s was taken over by another dispatcher", message.id)
