"""The chart cache: one render per content, bounded memory, a shared directory, no cached failures."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from charts.cache import ChartCache
from tests.support.polling import eventually

PNG = b"\x89PNG\r\n\x1a\n" + b"chart"


class Renderer:
    """A render callable that counts its calls and runs in whichever thread calls it; it
    takes ``delay`` seconds, or with a ``gate`` until the test opens it."""

    def __init__(
        self, png: bytes = PNG, delay: float = 0.0, gate: threading.Event | None = None
    ) -> None:
        self.png = png
        self.delay = delay
        self.gate = gate
        self.calls = 0
        self.threads: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            self.calls += 1
        self.threads.add(threading.get_ident())
        if self.gate is not None:
            self.gate.wait(timeout=30)
        time.sleep(self.delay)
        return self.png


def _files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


async def test_concurrent_requests_render_once_off_the_event_loop() -> None:
    cache = ChartCache()
    render = Renderer(delay=0.05)
    results = await asyncio.gather(
        *(cache.get_or_render(["health", "fi"], render) for _ in range(5))
    )
    assert results == [PNG] * 5
    assert render.calls == 1 and cache.renders == 1
    assert threading.get_ident() not in render.threads
    assert await cache.get_or_render(["health", "fi"], render) == PNG
    assert render.calls == 1


async def test_each_part_is_part_of_the_key() -> None:
    cache = ChartCache()
    render = Renderer()
    for parts in (["health", "fi"], ["health", "sv"], ["health", "fi", "money"], ["health,fi"]):
        await cache.get_or_render(parts, render)
    assert render.calls == 4
    assert ChartCache.key(["a", "b"]) != ChartCache.key(["a,b"]) != ChartCache.key(["ab"])


async def test_memory_is_bounded_least_recently_used_first() -> None:
    cache = ChartCache(max_entries=2)
    render = Renderer()
    await cache.get_or_render(["a"], render)
    await cache.get_or_render(["b"], render)
    await cache.get_or_render(["a"], render)  # a is now the most recent
    await cache.get_or_render(["c"], render)  # evicts b
    assert len(cache) == 2 and render.calls == 3
    await cache.get_or_render(["a"], render)
    assert render.calls == 3
    await cache.get_or_render(["b"], render)
    assert render.calls == 4


async def test_a_failed_render_reaches_every_waiter_and_is_not_cached() -> None:
    cache = ChartCache()
    calls = 0

    def broken() -> bytes:
        nonlocal calls
        calls += 1
        time.sleep(0.02)
        raise RuntimeError("no font")

    results = await asyncio.gather(
        cache.get_or_render(["x"], broken),
        cache.get_or_render(["x"], broken),
        return_exceptions=True,
    )
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert calls == 1
    assert await cache.get_or_render(["x"], Renderer()) == PNG
    assert len(cache) == 1


async def test_a_cancelled_waiter_does_not_cancel_the_render() -> None:
    cache = ChartCache()
    release = threading.Event()
    render = Renderer(gate=release)
    first = asyncio.create_task(cache.get_or_render(["x"], render))
    second = asyncio.create_task(cache.get_or_render(["x"], render))
    # both wait for the render once it has started: they were queued before it
    await eventually(lambda: render.calls == 1, within=10, what="the render never started")
    first.cancel()
    release.set()
    assert await second == PNG
    with pytest.raises(asyncio.CancelledError):
        await first
    assert render.calls == 1


async def test_the_directory_survives_a_restart(tmp_path: Path) -> None:
    render = Renderer()
    await ChartCache(directory=tmp_path).get_or_render(["health", "fi"], render)
    restarted = ChartCache(directory=tmp_path)
    assert await restarted.get_or_render(["health", "fi"], render) == PNG
    assert render.calls == 1 and restarted.renders == 0
    assert [p.suffix for p in _files(tmp_path)] == [".png"]


async def test_a_damaged_file_is_rendered_again(tmp_path: Path) -> None:
    render = Renderer()
    await ChartCache(directory=tmp_path).get_or_render(["x"], render)
    (stored,) = _files(tmp_path)
    stored.write_bytes(b"half a png")
    assert await ChartCache(directory=tmp_path).get_or_render(["x"], render) == PNG
    assert render.calls == 2
    assert stored.read_bytes() == PNG


async def test_an_unwritable_directory_still_serves(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    cache = ChartCache(directory=blocked)
    assert await cache.get_or_render(["x"], Renderer()) == PNG
