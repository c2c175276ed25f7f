"""Rendered charts by content: each one drawn once, in a worker thread.

The key is the SHA-256 of the parts the caller gives (the handler uses the kind, the
link's params, the rights, the language and a fingerprint of the data drawn), so a
changed figure in the database is a new key, never a stale image. PNGs are kept in a
bounded in-memory LRU and, optionally, in a directory that survives restarts and is
shared by replicas (safe to delete at any time). Rendering runs in ``asyncio.to_thread``,
at most ``max_concurrent_renders`` at a time; concurrent requests for the same key wait
for the one render.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


class ChartCache:
    def __init__(
        self,
        *,
        max_entries: int = 256,
        directory: Path | None = None,
        max_concurrent_renders: int = 2,
    ) -> None:
        if max_entries < 1 or max_concurrent_renders < 1:
            raise ValueError("max_entries and max_concurrent_renders must be at least 1")
        self.max_entries = max_entries
        self.directory = directory
        self.renders = 0  # how many PNGs were drawn (not read from memory or disk)
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, asyncio.Task[bytes]] = {}
        self._slots = asyncio.Semaphore(max_concurrent_renders)

    @staticmethod
    def key(key_parts: Sequence[str]) -> str:
        """The hex SHA-256 of the parts, in order, unambiguously encoded."""
        encoded = json.dumps(list(key_parts), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()

    def __len__(self) -> int:
        return len(self._memory)

    async def get_or_render(self, key_parts: Sequence[str], render: Callable[[], bytes]) -> bytes:
        """The PNG for these parts: from memory, from disk, or rendered (once) in a thread.

        If rendering fails, every waiter gets the exception and nothing is cached.
        """
        key = self.key(key_parts)
        png = self._memory.get(key)
        if png is not None:
            self._memory.move_to_end(key)
            return png
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._produce(key, render), name=f"chart {key[:12]}")
            self._pending[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        # A waiter that goes away (client disconnect) does not cancel the others' render.
        return await asyncio.shield(task)

    async def aclose(self) -> None:
        """Wait for renders in progress (for the app's cleanup)."""
        await asyncio.gather(*self._pending.values(), return_exceptions=True)

    def _settled(self, key: str, task: asyncio.Task[bytes]) -> None:
        self._pending.pop(key, None)
        if not task.cancelled():
            task.exception()  # raised to the waiters; marks it retrieved for asyncio

    async def _produce(self, key: str, render: Callable[[], bytes]) -> bytes:
        png = await asyncio.to_thread(self._read, key) if self.directory else None
        if png is None:
            async with self._slots:
                started = time.perf_counter()
                png = await asyncio.to_thread(render)
                log.debug(
                    "chart %s rendered in %.0f ms", key[:12], 1000 * (time.perf_counter() - started)
                )
            self.renders += 1
            if self.directory:
                await asyncio.to_thread(self._write, key, png)
        self._memory[key] = png
        while len(self._memory) > self.max_entries:
            self._memory.popitem(last=False)
        return png

    def _path(self, key: str) -> Path:
        if self.directory is None:
            raise RuntimeError("this cache has no directory")
        return self.directory / key[:2] / f"{key}.png"

    def _read(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            png = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            log.warning("cannot read cached chart %s", path, exc_info=True)
            return None
        return png if png.startswith(PNG_SIGNATURE) else None

    def _write(self, key: str, png: bytes) -> None:
        path = self._path(key)
        temporary: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                file.write(png)
            os.replace(temporary, path)  # atomic: readers see the whole PNG or none
            temporary = None
        except OSError:
            log.warning("cannot write cached chart %s", path, exc_info=True)
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
