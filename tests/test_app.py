"""``python app.py`` as it runs in production: it keeps serving, and stops on SIGTERM, while
the channel's signing keys are out of reach."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout

from tests.support import activities as a
from tests.support.openid import APP_ID, BlackHole, bearer, channel_claims, sign
from tests.support.polling import eventually
from tests.support.portfolio import OWNER

ROOT = Path(__file__).resolve().parents[1]
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
STOP_SECONDS = 10.0  # what SIGTERM is promised


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(log: Path, size: int = 3000) -> str:
    return log.read_text(errors="replace")[-size:]


async def _wait_healthy(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with ClientSession(timeout=ClientTimeout(total=1)) as http:

        async def healthy() -> bool:
            assert process.returncode is None, _tail(log)
            try:
                async with http.get(f"{url}/healthz") as response:
                    return response.status == 200
            except (ClientError, TimeoutError):
                return False

        await eventually(healthy, within=60, every=0.1, what="app.py did not start")


async def test_sigterm_stops_the_app_while_the_signing_keys_are_black_holed(
    tmp_path: Path, black_hole: BlackHole
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
    }
    environment.update(
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="s3cr3t-value-never-logged",
        MicrosoftAppType="SingleTenant",
        MicrosoftAppTenantId=a.TENANT,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'roadmap.db'}",
        HOST="127.0.0.1",
        PORT=str(port),
        CYCLE_ENABLED="false",
        LOG_LEVEL="INFO",
        # the real metadata URL, through a proxy that accepts and never answers
        HTTPS_PROXY=black_hole.url,
        HTTP_PROXY=black_hole.url,
    )
    log = tmp_path / "app.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "app.py",
            cwd=ROOT,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
    try:
        await _wait_healthy(url, process, log)
        token = bearer(sign(channel_claims(SERVICE_URL)))

        async def post(http: ClientSession) -> int:
            activity = a.message(OWNER, SERVICE_URL, "help")
            async with http.post(f"{url}/api/messages", json=activity, headers=token) as response:
                return response.status

        async with (
            ClientSession(timeout=ClientTimeout(total=5)) as users,
            ClientSession(timeout=ClientTimeout(total=1)) as monitor,
        ):
            posts = [asyncio.create_task(post(users)) for _ in range(20)]
            await eventually(
                lambda: black_hole.connections > 0,
                within=30,
                every=0.01,
                what="no request went for the keys",
            )
            async with monitor.get(f"{url}/healthz") as response:
                assert response.status == 200  # served while the requests wait for keys
            process.send_signal(signal.SIGTERM)  # with all of them still waiting
            async with asyncio.timeout(STOP_SECONDS):
                await process.wait()
            assert await asyncio.gather(*posts) == [503] * 20  # answered before it stopped
        assert process.returncode == 0
        assert "Traceback" not in _tail(log, 1_000_000)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
