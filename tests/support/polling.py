"""Waiting for something to happen: poll a condition up to a deadline, never sleep a fixed
time and hope. On a busy machine a fixed sleep is too short; on an idle one it wastes
time. (APScheduler's and bolt-python's suites wait the same way.)
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def eventually(
    predicate: Callable[[], bool | Awaitable[bool]],
    *,
    within: float,
    every: float = 0.02,
    what: str | Callable[[], str] = "the condition",
) -> None:
    """Return as soon as ``predicate()`` (or the awaitable it returns) is true; fail the
    test with ``what`` (a text, or a function that describes the state then) once
    ``within`` seconds have passed without it. The predicate is checked every ``every``
    seconds, and once more at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        passed = loop.time() >= deadline
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if passed:
            message = what() if callable(what) else what
            raise AssertionError(f"not within {within:g} s: {message}")
        await asyncio.sleep(min(every, max(0.0, deadline - loop.time())))
