"""Roadmap Bot in the Agents Playground: the stack the e2e journeys share, and their helpers.

One stack is one bot (``python app.py`` on a fresh SQLite database with the demo
portfolio), one Playground (the repo's ``.m365agentsplayground.yml``: Aino Virtanen, an
admin who owns DR24-08, DR25-02 and DR25-04 and whose stored language is Finnish), an
:class:`ActivityProxy` between them that forwards every activity unchanged unless a test
sets a rewrite, and one headless Chromium.  ``conftest.py`` builds one stack per test
module (:func:`run_stack`), so each module starts from the demo data; this module also
holds the constants and page/database helpers the journeys have in common.

Screenshots go to ``artifacts/e2e/``; each stack's logs, the Playground's events
recording and a Playwright trace go to ``artifacts/e2e/<name>/``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from scheduler.timetable import CLOSE, CycleSettings, cycle_steps
from tests.e2e.playground.browser import CHROMIUM_PATH, BrowserSession, launch_browser
from tests.e2e.playground.pages import bot_messages, cards, screenshot
from tests.e2e.playground.processes import ManagedProcess, free_port, start_process
from tests.e2e.playground.proxy import ActivityProxy
from tests.e2e.playground.server import (
    CONFIG_FILE_NAME,
    REPO_ROOT,
    Playground,
    find_playground_bin,
    start_playground,
)

ARTEFACTS = REPO_ROOT / "artifacts" / "e2e"
PLAYGROUND_CONFIG = REPO_ROOT / CONFIG_FILE_NAME
TIMEZONE = "Europe/Helsinki"
OWNER_NAME = "Aino Virtanen"
OWNER_AAD = "00000000-0000-0000-0000-0000000000a1"
PERSONAL_CHAT_ID = "a:roadmap-personal-chat"  # personalChat.id in the yml
OWNED_PROJECTS = ("DR24-08", "DR25-02", "DR25-04")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: The UI asks this CDN for Segoe UI fonts and an animation worklet; the harness aborts it.
KNOWN_BLOCKED_HOSTS = frozenset({"res-1.cdn.office.net"})

# Finnish texts (translations/fi.po): Aino's stored language wins over the en-US the
# Playground sends.  A card's title is only its fallbackText, so cards are found by
# what they show.
WELCOME = "Hei Aino!"
OPEN_STATUS_CARD = "Avaa tilakorttini"
STATUS_HEADING = "Kuukauden tila ·"  # first line of the form and of the confirmation
PROGRESS = "Edistyminen (%)"
ACHIEVEMENTS = "Saavutukset tässä kuussa"
SAVE = "Tallenna tila"
SAVED_BY = f"✅ Tallentanut {OWNER_NAME}"

# Settings the bot reads, pinned so that the developer's shell or a stray .env cannot
# switch on authentication or a tenant allow-list (environment variables beat .env).
BOT_SETTINGS = {
    "MicrosoftAppId": "",
    "MicrosoftAppPassword": "",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": "",
    "ALLOWED_TENANTS": "",
    "ADMINS": "",
    "PUBLIC_BASE_URL": "",  # run_stack sets the bot's own origin (chart image links)
    "CHART_SIGNING_KEY": "",  # a random key per bot process
    "TIMEZONE": TIMEZONE,
    "HOST": "127.0.0.1",
    "LOG_LEVEL": "INFO",
}
START_TIMEOUT_S = 30.0
VIEWPORT = (1400, 1200)  # tall enough for most of a status card in one screenshot
STEP_TIMEOUT_MS = 15_000


# --------------------------------------------------------------------------
# The stack: bot + proxy + Playground + browser
# --------------------------------------------------------------------------


def missing_prerequisite() -> str | None:
    """Why the stack cannot start on this machine, or None."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        return f"Chromium not found at {CHROMIUM_PATH} (install Debian's chromium package)"
    try:
        find_playground_bin()
    except FileNotFoundError as exc:
        return str(exc)
    if shutil.which("node") is None:
        return "node is not on PATH (the Agents Playground needs Node.js)"
    return None


@dataclass
class Stack:
    bot: ManagedProcess
    database: Path
    proxy: ActivityProxy
    playground: Playground
    browser: BrowserSession
    log_dir: Path
    bot_url: str  # http://127.0.0.1:<port>: the bot's origin, also where its chart links point


def load_demo(database_url: str, log_path: Path) -> None:
    """``python -m cli demo``: migrate the fresh database and load the demo portfolio."""
    env = {**os.environ, **BOT_SETTINGS, "DATABASE_URL": database_url}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        result = subprocess.run(
            [sys.executable, "-m", "cli", "demo"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=False,
        )
    if result.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"roadmap demo exited with {result.returncode}:\n{tail}")


def wait_ready(port: int, bot: ManagedProcess, timeout: float = START_TIMEOUT_S) -> None:
    """Poll ``GET /readyz`` until it answers 200 (the database is reachable)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            tail = bot.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the bot exited with {bot.process.returncode}:\n{tail}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2.0)
        try:
            conn.request("GET", "/readyz")
            resp = conn.getresponse()
            last = f"HTTP {resp.status} {resp.read()[:200]!r}"
            if resp.status == 200:
                return
        except OSError as exc:
            last = repr(exc)
        finally:
            conn.close()
        time.sleep(0.1)
    raise TimeoutError(f"/readyz not 200 after {timeout}s (last: {last})")


def clean_artefacts() -> None:
    """Empty ``artifacts/e2e/`` (files and the per-stack log folders)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for path in ARTEFACTS.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


@contextlib.contextmanager
def run_stack(log_dir: Path) -> Iterator[Stack]:
    """Start bot, proxy, Playground and browser; logs and the trace go to ``log_dir``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as resources:
        tmp = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="roadmap-e2e-")))
        database = tmp / "roadmap.db"
        database_url = f"sqlite+aiosqlite:///{database}"
        load_demo(database_url, log_dir / "demo.log")

        port = free_port()
        bot_url = f"http://127.0.0.1:{port}"
        # Chart images are <img> links to the bot itself ({PUBLIC_BASE_URL}/charts/...):
        # its loopback origin is one the browser can reach and the harness lets through.
        env = {"DATABASE_URL": database_url, "PORT": str(port), "PUBLIC_BASE_URL": bot_url}
        bot = resources.enter_context(
            start_process(
                [sys.executable, "app.py"],
                log_path=log_dir / "bot.log",
                cwd=REPO_ROOT,
                env={**BOT_SETTINGS, **env},
                wait_port=port,
                timeout=START_TIMEOUT_S,
            )
        )
        wait_ready(port, bot)
        proxy = resources.enter_context(ActivityProxy(f"{bot_url}/api/messages"))

        workdir = tmp / "playground"
        workdir.mkdir()
        shutil.copyfile(PLAYGROUND_CONFIG, workdir / CONFIG_FILE_NAME)
        playground = resources.enter_context(
            start_playground(proxy.url, workdir, log_dir=log_dir, timezone=TIMEZONE)
        )
        browser = resources.enter_context(
            launch_browser(viewport=VIEWPORT, trace_path=log_dir / "trace.zip")
        )
        yield Stack(bot, database, proxy, playground, browser, log_dir, bot_url)


# --------------------------------------------------------------------------
# Page helpers
# --------------------------------------------------------------------------


def status_forms(scope: Page | Locator) -> Locator:
    """Editable status cards: the monthly heading and a "Tallenna tila" button."""
    save = scope.get_by_role("button", name=SAVE, exact=True)
    return cards(scope).filter(has_text=STATUS_HEADING).filter(has=save)


def status_card(page: Page, code: str, forms: Locator | None = None) -> tuple[Locator, Locator]:
    """The message bubble and the status form of project ``code``.

    ``forms`` narrows the search (default: every status form on the page); exactly one
    must match.  The bubble is pinned by position, so it keeps pointing at the same
    message after an Action.Execute has replaced the form with another card.
    """
    form = (status_forms(page) if forms is None else forms).filter(has_text=code)
    expect(form).to_have_count(1)
    messages = bot_messages(page)
    for index in range(messages.count()):
        bubble = messages.nth(index)
        if bubble.filter(has=form).count():
            return bubble, cards(bubble).first
    raise AssertionError(f"no bot message holds the status card of {code}")


def shot(page: Page, name: str, top: Locator | None = None) -> None:
    """Screenshot into the artefact dir, with ``top`` (a card) scrolled to the top."""
    if top is not None:
        top.evaluate("element => element.scrollIntoView({block: 'start'})")
    screenshot(page, ARTEFACTS, name)


# --------------------------------------------------------------------------
# Database and recording helpers
# --------------------------------------------------------------------------


def current_period() -> str:
    """This month's reporting period (``YYYY-MM``) in the city's time zone."""
    return datetime.now(ZoneInfo(TIMEZONE)).strftime("%Y-%m")


def query(database: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Read-only query on the bot's SQLite database (the bot keeps running)."""
    with contextlib.closing(sqlite3.connect(database, timeout=5.0)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params).fetchall()]


def saved_report(database: Path, code: str) -> dict[str, Any] | None:
    """Project ``code``'s status report for this month's period (open since the demo load)."""
    rows = query(
        database,
        "SELECT r.revision, r.progress, r.spent_cents, r.achievements, r.next_steps, r.risks"
        " FROM statusreport r JOIN project p ON p.id = r.project_id"
        " WHERE p.code = ? AND r.period = ?",
        code,
        current_period(),
    )
    return rows[0] if rows else None


def invokes(stack: Stack, count: int | None = None, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The invokes the Playground sent; with ``count``, once it has recorded that many.

    An exchange is recorded when it completes, which may be a moment after the UI
    showed the result.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [a for a in stack.playground.activities_to_bot() if a.get("type") == "invoke"]
        if count is None:
            return found
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) == count, [a.get("value") for a in found]
            return found
        time.sleep(0.05)


def assert_loopback_only(stack: Stack) -> None:
    """Bot, Playground and browser only talked to this machine."""
    for activity in stack.playground.activities_to_bot():
        host = urllib.parse.urlsplit(activity.get("serviceUrl", "")).hostname
        assert host in LOOPBACK, f"activity with a non-local serviceUrl: {activity}"
    for event in stack.playground.recorded_events():
        # Calls to the bot carry its full URL; the bot's connector calls only a path.
        host = urllib.parse.urlsplit(event["request"].get("url", "")).hostname
        assert host is None or host in LOOPBACK, f"non-local exchange: {event['request']['url']}"
    unexpected = [
        url
        for url in stack.browser.blocked_requests
        if urllib.parse.urlsplit(url).hostname not in KNOWN_BLOCKED_HOSTS
    ]
    assert not unexpected, f"the page tried to reach other hosts: {unexpected}"


LEASE_TIMEOUT_S = 15.0


def wait_for_leader(stack: Stack) -> None:
    """The bot holds the cycle lease, so its dispatcher is running."""
    deadline = time.monotonic() + LEASE_TIMEOUT_S
    while not query(stack.database, "SELECT holder FROM lease WHERE name = 'cycle'"):
        if time.monotonic() > deadline:
            raise AssertionError("the bot never took the cycle lease (see bot.log)")
        time.sleep(0.1)


def reopen_the_period(stack: Stack) -> None:
    """This journey is about an open period. Past the month's close day the bot, once it
    leads the cycle, catches the missed close up at start-up; wait for that, then reopen
    the period (the close step, recorded as run, does not run again)."""
    period = current_period()
    close = next(s for s in cycle_steps(period, CycleSettings()) if s.kind == CLOSE)
    if close.moment(ZoneInfo(TIMEZONE)) > datetime.now(UTC):
        return
    deadline = time.monotonic() + LEASE_TIMEOUT_S
    closed = "SELECT 1 FROM cyclerun WHERE period = ? AND kind = ?"
    while not query(stack.database, closed, period, CLOSE):
        if time.monotonic() > deadline:
            raise AssertionError("the missed close was never caught up (see bot.log)")
        time.sleep(0.1)
    with contextlib.closing(sqlite3.connect(stack.database, timeout=5.0)) as connection:
        connection.execute(
            "UPDATE reportingperiod SET closed_at = NULL WHERE period = ?", (period,)
        )
        connection.commit()
