"""How ``python app.py`` behaves while the channel's signing keys are black-holed.

Starts the bot with credentials, its ``HTTPS_PROXY`` pointing at a local server that
accepts connections and never answers, sends ``--tokens`` well-formed tokens at once, probes
``/healthz`` every 50 ms meanwhile, and then sends SIGTERM. Prints how long the token
requests took to get their answer, the slowest ``/healthz``, how many connections reached
the black hole (key fetches started), and how long the process took to exit.

    .venv/bin/python -m bench.auth_stall [--tokens 100]

Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout

from tests.support import activities as a
from tests.support.openid import APP_ID, BlackHole, bearer, channel_claims, sign
from tests.support.portfolio import OWNER

ROOT = Path(__file__).resolve().parents[1]
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def run(tokens: int) -> None:
    hole = BlackHole()
    await hole.start()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with tempfile.TemporaryDirectory() as tmp:
        env.update(
            MicrosoftAppId=APP_ID,
            MicrosoftAppPassword="bench-secret-value",
            MicrosoftAppTenantId=a.TENANT,
            DATABASE_URL=f"sqlite+aiosqlite:///{Path(tmp) / 'roadmap.db'}",
            PORT=str(port),
            CYCLE_ENABLED="false",
            LOG_LEVEL="WARNING",
            HTTPS_PROXY=hole.url,
            HTTP_PROXY=hole.url,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "app.py", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL
        )
        try:
            async with ClientSession(timeout=ClientTimeout(total=1)) as probe:
                while True:
                    try:
                        async with probe.get(f"{url}/healthz") as response:
                            if response.status == 200:
                                break
                    except (ClientError, TimeoutError):
                        await asyncio.sleep(0.1)
            token = bearer(sign(channel_claims(SERVICE_URL)))
            answers: list[tuple[int, float]] = []
            health: list[float] = []
            done = asyncio.Event()

            async def post(http: ClientSession) -> None:
                started = time.perf_counter()
                activity = a.message(OWNER, SERVICE_URL, "help")
                async with http.post(
                    f"{url}/api/messages", json=activity, headers=token
                ) as response:
                    answers.append((response.status, time.perf_counter() - started))

            async def watch(http: ClientSession) -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    async with http.get(f"{url}/healthz") as response:
                        assert response.status == 200
                    health.append(time.perf_counter() - started)
                    await asyncio.sleep(0.05)

            async with (
                ClientSession(timeout=ClientTimeout(total=600)) as users,
                ClientSession(timeout=ClientTimeout(total=600)) as monitor,
            ):
                watcher = asyncio.create_task(watch(monitor))
                await asyncio.gather(*(post(users) for _ in range(tokens)))
                done.set()
                await watcher
            process.send_signal(signal.SIGTERM)
            started = time.perf_counter()
            await asyncio.wait_for(process.wait(), timeout=120)
            stopped = time.perf_counter() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await hole.close()
    statuses = sorted({status for status, _ in answers})
    seconds = [elapsed for _, elapsed in answers]
    print(f"{tokens} token requests: statuses {statuses}")
    print(f"  answered in p50 {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s")
    print(f"/healthz during them: {len(health)} probes, max {max(health) * 1000:.1f} ms")
    print(f"connections to the black hole (key fetches): {hole.connections}")
    print(f"SIGTERM to exit: {stopped:.2f} s (exit code {process.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.tokens))


if __name__ == "__main__":
    main()
