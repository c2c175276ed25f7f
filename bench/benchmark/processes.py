"""The bots and the connector as child processes: started, watched, measured, stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


_DRAINS: set[asyncio.Task[None]] = set()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


class InvalidRun(Exception):
    """Errors or missing replies: the numbers mean nothing."""


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(
        cls, role: str, workdir: Path, *, database_url: str, log_level: str, profile: Path | None
    ) -> Child:
        log = workdir / f"{role}.log"
        if role == "agents":
            return await cls._start_agent(log)
        command = [sys.executable]
        if profile is not None:
            command += ["-m", "cProfile", "-o", str(profile)]
        command += ["-m", "bench.benchmark", "--serve", role, "--log-level", log_level]
        command += ["--database-url", database_url]
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr
            )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        except TimeoutError:
            line = b""
        if not line.startswith(b"PORT "):
            process.kill()
            await process.wait()
            raise InvalidRun(f"{role} did not start:\n{tail(log)}")
        return cls(role, process, int(line.split()[1]), log)

    @classmethod
    async def _start_agent(cls, log: Path) -> Child:
        """The Agents SDK's quickstart, in its own venv: it serves on ``PORT`` (chosen
        here) and says so on stdout as ``run_app`` does."""
        from bench.benchmark.agents import AGENT, agent_environment, ensure_venv

        python = await asyncio.to_thread(ensure_venv)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                str(python),
                str(AGENT),
                cwd=ROOT,
                env=agent_environment(port),
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        assert process.stdout is not None
        line = b"-"
        try:
            async with asyncio.timeout(60):
                while line and b"Running on" not in line:
                    line = await process.stdout.readline()
        except TimeoutError:
            line = b""
        if b"Running on" not in line:
            process.kill()
            await process.wait()
            raise InvalidRun(f"agents did not start:\n{tail(log)}")
        # whatever else it prints is read and dropped, so that a full pipe never blocks it
        _DRAINS.add(asyncio.get_running_loop().create_task(_drain(process.stdout)))
        return cls("agents", process, port, log)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process (all its threads), Linux only."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise InvalidRun(
                f"{self.name} exited with {self.process.returncode}:\n{tail(self.log)}"
            )

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=30)
            except TimeoutError:
                self.process.kill()
        return await self.process.wait()

    def problems(self) -> list[str]:
        """Error lines and tracebacks the process logged: worth a warning, not invalid."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [
            line
            for line in lines
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]


def warnings_of(bot: Child, status: int) -> list[str]:
    found = []
    if status not in (0, -signal.SIGTERM):
        found.append(f"{bot.name} exited with status {status} when stopped")
    problems = bot.problems()
    if problems:
        shown = "\n    ".join(line[:200] for line in problems[:5])
        found.append(f"{bot.name} logged {len(problems)} errors/tracebacks, first:\n    {shown}")
    return found


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
