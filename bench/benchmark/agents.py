"""The Agents SDK echo agent's own virtual environment, made on first use.

``bench/agents_echo.py`` runs with ``bench/.venv-agents/bin/python``: the Microsoft 365
Agents SDK pins its own aiohttp, pydantic and msal, which must never meet botbuilder's
pins in the bot's venv. The venv is made (``python3.11 -m venv``) and filled from
``bench/agents-requirements.txt`` (exact pins) when it is missing or the requirements
changed since it was filled; a stamp file in the venv holds the requirements' hash.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.benchmark.processes import ROOT, InvalidRun

VENV = ROOT / "bench" / ".venv-agents"
REQUIREMENTS = ROOT / "bench" / "agents-requirements.txt"
AGENT = ROOT / "bench" / "agents_echo.py"
PYTHON = VENV / "bin" / "python"
_STAMP = VENV / "requirements.sha256"
# The quickstart's anonymous mode: a SERVICE_CONNECTION entry without a client id.
AGENT_ENV = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def _digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_venv() -> Path:
    """The venv's python, after making or refreshing the venv if it is not up to date."""
    digest = _digest()
    if PYTHON.exists() and _STAMP.exists() and _STAMP.read_text().strip() == digest:
        return PYTHON
    print(f"making the Agents SDK's venv in {VENV.relative_to(ROOT)} (once)", flush=True)
    if VENV.exists():
        shutil.rmtree(VENV)
    # the same interpreter as the bot's venv (3.11), but a venv of its own
    base = getattr(sys, "_base_executable", sys.executable)
    steps = (
        [base, "-m", "venv", str(VENV)],
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)],
    )
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InvalidRun(f"could not make {VENV}: {' '.join(command)}\n{done.stderr[-2000:]}")
    _STAMP.write_text(digest + "\n")
    return PYTHON


def agent_environment(port: int) -> dict[str, str]:
    """The agent's environment: ours without our settings, its port, anonymous mode."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("Microsoft")}
    env.update(AGENT_ENV, PORT=str(port), PYTHONUNBUFFERED="1")
    return env
