"""scheduler.ratelimit: Teams' per-conversation and per-tenant limits, on a clock the test
moves (no sleeping)."""

from __future__ import annotations

import pytest

from scheduler.ratelimit import (
    CONVERSATION_WINDOWS,
    TENANT_WINDOWS,
    RateLimiter,
    SlidingWindows,
    Window,
)

EPSILON = 1e-6  # the limiter books just after the blocking send leaves the window


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def send_as_booked(limiter: RateLimiter, clock: Clock, tenant: str, conversation: str) -> float:
    """One sender: waits (moves the clock) as long as the limiter says, then sends."""
    clock.now += limiter.reserve(tenant, conversation)
    return clock.now


def busiest(moments: list[float], seconds: float) -> int:
    """The most sends any window of ``seconds`` (open at its start) holds."""
    ordered = sorted(moments)
    return max(
        sum(1 for other in ordered if moment - seconds < other <= moment) for moment in ordered
    )


def test_the_windows_are_teams_limits_with_slack() -> None:
    assert [(w.limit, w.seconds) for w in CONVERSATION_WINDOWS] == [
        (7, 1.25),
        (8, 2.25),
        (60, 30.5),
        (1800, 3601.0),
    ]
    assert [(w.limit, w.seconds) for w in TENANT_WINDOWS] == [(48, 1.0)]


def test_seven_at_once_then_the_eighth_waits_for_the_first_to_leave_the_second() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.reserve("t", "c") for _ in range(7)] == [0.0] * 7
    assert limiter.reserve("t", "c") == pytest.approx(1.25 + EPSILON)


def test_eight_in_two_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    moments = [send_as_booked(limiter, clock, "t", "c") for _ in range(9)]
    start = moments[0]
    assert moments[:7] == [start] * 7
    assert moments[7] == pytest.approx(start + 1.25)  # the 1 s window (with slack)
    assert moments[8] == pytest.approx(start + 2.25)  # the 2 s window: 8 sends in it already


def test_sixty_in_thirty_seconds_and_1800_an_hour() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    moments = [send_as_booked(limiter, clock, "t", "c") for _ in range(1801)]
    for window in CONVERSATION_WINDOWS:
        assert busiest(moments, window.seconds) == window.limit, window
    assert moments[60] >= moments[0] + 30.5  # the 61st waits for the first to be 30.5 s old
    assert moments[1800] == pytest.approx(moments[0] + 3601.0, abs=1e-3)


def test_conversations_are_limited_one_by_one_and_the_tenant_as_a_whole() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    # another conversation is not held up by a busy one
    assert [limiter.reserve("t", "busy") for _ in range(7)] == [0.0] * 7
    assert limiter.reserve("t", "quiet") == 0.0
    # 48 a second per tenant, whatever the conversations
    for n in range(40):
        assert limiter.reserve("t", f"member-{n}") == 0.0
    assert limiter.reserve("t", "one-more") == pytest.approx(1.0 + EPSILON)
    # another tenant has its own budget, and its own conversation of the same id
    assert limiter.reserve("other", "another") == 0.0


def test_a_conversation_id_is_limited_across_tenants() -> None:
    """The conversation windows are kept by conversation id alone."""
    limiter = RateLimiter(Clock())
    for _ in range(7):
        limiter.reserve("t1", "c")
    assert limiter.reserve("t2", "c") == pytest.approx(1.25 + EPSILON)


def test_concurrent_senders_never_overfill_a_window() -> None:
    """Bookings are made before anyone sends: each one counts the slots already booked."""
    clock = Clock()
    limiter = RateLimiter(clock)
    moments = [clock.now + limiter.reserve("t", "c") for _ in range(70)]
    assert moments == sorted(moments)
    for window in CONVERSATION_WINDOWS[:3]:
        assert busiest(moments, window.seconds) <= window.limit, window
    assert moments[-1] - moments[0] >= 30.5  # the 61st to 70th are past the 30 s window


def test_time_passing_frees_the_windows() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    for _ in range(8):
        send_as_booked(limiter, clock, "t", "c")
    clock.now += 3601.0  # an hour later nothing booked is seen by any window
    assert [limiter.reserve("t", "c") for _ in range(7)] == [0.0] * 7


def test_old_bookings_are_forgotten() -> None:
    windows = SlidingWindows((Window(2, 1.0), Window(3, 10.0)))
    for moment in (0.0, 0.5, 5.0):
        windows.book(moment, now=moment)
    assert windows.earliest(5.0) == pytest.approx(10.0 + EPSILON)  # 3 in 10 s
    windows.book(20.0, now=20.0)  # what no window sees any more is dropped
    assert windows.earliest(20.0) == 20.0
    assert len(windows._times) == 1


def test_a_booking_before_a_later_one_keeps_the_order_and_the_limits() -> None:
    """A sender that waited books in the future; one that needs no wait books before it."""
    windows = SlidingWindows((Window(2, 1.0),))
    windows.book(5.0, now=0.0)
    windows.book(1.0, now=0.0)
    assert list(windows._times) == [1.0, 5.0]
    third = windows.earliest(1.0)
    windows.book(third, now=0.0)
    assert third > 1.0
    assert busiest(list(windows._times), 1.0) <= 2


async def test_acquire_waits_as_long_as_reserve_says(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr("scheduler.ratelimit.asyncio.sleep", no_sleep)
    limiter = RateLimiter(Clock())
    for _ in range(8):
        await limiter.acquire("t", "c")
    assert waited == [pytest.approx(1.25 + EPSILON)]  # only the eighth waits
