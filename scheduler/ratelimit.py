"""Teams' proactive-message limits as sliding windows.

Per bot and conversation: 7 messages a second, 8 in two seconds, 60 in thirty seconds
and 1800 an hour. Per app and tenant: 50 requests a second. ``reserve`` books a slot
in every window that applies and says how long to wait before using it, so
concurrent senders never exceed a window.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    seconds: float


# A quarter second of slack on the short windows: our send time and Teams' arrival time differ.
CONVERSATION_WINDOWS = (
    Window(7, 1.25),
    Window(8, 2.25),
    Window(60, 30.5),
    Window(1800, 3601.0),
)
# Teams allows 50/s per tenant; keep a small margin for clock skew between us and Teams.
TENANT_WINDOWS = (Window(48, 1.0),)


class SlidingWindows:
    """The booked send times of one key (a tenant or a conversation)."""

    def __init__(self, windows: tuple[Window, ...]) -> None:
        self._windows = windows
        self._times: deque[float] = deque()
        self._horizon = max(window.seconds for window in windows)

    def earliest(self, at: float) -> float:
        """The earliest moment at or after ``at`` when one more send fits every window."""
        candidate = at
        while True:
            moved = False
            for window in self._windows:
                in_window = [t for t in self._times if t > candidate - window.seconds]
                if len(in_window) >= window.limit:
                    # wait until the oldest send that still blocks leaves the window
                    blocking = in_window[len(in_window) - window.limit]
                    candidate = blocking + window.seconds + 1e-6
                    moved = True
            if not moved:
                return candidate

    def book(self, moment: float, now: float) -> None:
        self._times.append(moment)
        # keep the deque sorted (bookings can be in the future) and drop what no window sees
        if len(self._times) > 1 and self._times[-2] > moment:
            self._times = deque(sorted(self._times))
        while self._times and self._times[0] < now - self._horizon:
            self._times.popleft()


class RateLimiter:
    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._tenants: dict[str, SlidingWindows] = {}
        self._conversations: dict[str, SlidingWindows] = {}
        self._lock = asyncio.Lock()

    def reserve(self, tenant: str, conversation: str) -> float:
        """Book the next slot for this tenant and conversation; return the seconds to wait."""
        tenant_windows = self._tenants.setdefault(tenant, SlidingWindows(TENANT_WINDOWS))
        conversation_windows = self._conversations.setdefault(
            conversation, SlidingWindows(CONVERSATION_WINDOWS)
        )
        now = self._clock()
        moment = now
        while True:
            later = max(tenant_windows.earliest(moment), conversation_windows.earliest(moment))
            if later == moment:
                break
            moment = later
        tenant_windows.book(moment, now)
        conversation_windows.book(moment, now)
        return max(0.0, moment - now)

    async def acquire(self, tenant: str, conversation: str) -> None:
        async with self._lock:
            delay = self.reserve(tenant, conversation)
        if delay > 0:
            await asyncio.sleep(delay)
