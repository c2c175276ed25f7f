"""The owner's journey in the Microsoft 365 Agents Playground, in a real headless Chromium.

One bot (``python app.py`` on a fresh SQLite database with the demo portfolio), one
Playground (the repo's ``.m365agentsplayground.yml``: Aino Virtanen, an admin who owns
DR24-08, DR25-02 and DR25-04 and whose stored language is Finnish) and one browser are
shared by the tests of this module.  Screenshots, logs, the Playground's events recording
and a Playwright trace are kept in ``artifacts/e2e/``.

The Playground talks to the bot through an :class:`ActivityProxy` that forwards every
activity unchanged, except in the one test that restores a typed value the Playground's
card renderer changed (see ``test_out_of_range_progress_is_refused_and_typed_text_kept``).

Without Chromium, Node or the Playground package the tests are skipped, unless
``ROADMAP_REQUIRE_E2E=1``, in which case they fail.
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
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.playground import (
    CHROMIUM_PATH,
    CONFIG_FILE_NAME,
    REPO_ROOT,
    ActivityProxy,
    BrowserSession,
    ManagedProcess,
    Playground,
    bot_messages,
    card_input,
    cards,
    click_card_button,
    fill_input,
    find_playground_bin,
    free_port,
    launch_browser,
    open_personal_chat,
    open_playground,
    screenshot,
    send_message,
    start_playground,
    start_process,
    wait_for_bot_message,
    wait_for_card,
    wait_for_invoke_banner,
)

pytestmark = pytest.mark.e2e

ARTEFACTS = REPO_ROOT / "artifacts" / "e2e"
PLAYGROUND_CONFIG = REPO_ROOT / CONFIG_FILE_NAME
TIMEZONE = "Europe/Helsinki"
OWNER_NAME = "Aino Virtanen"
OWNER_AAD = "00000000-0000-0000-0000-0000000000a1"
OWNED_PROJECTS = ("DR24-08", "DR25-02", "DR25-04")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: The UI asks this CDN for Segoe UI fonts and an animation worklet; the harness aborts it.
KNOWN_BLOCKED_HOSTS = frozenset({"res-1.cdn.office.net"})

# Finnish texts (translations/fi.po): Aino's stored language wins over the en-US the
# Playground sends.  A card's title is only its fallbackText, so cards are found by
# what they show.
WELCOME = "Hei Aino!"
OPEN_STATUS_CARD = "Avaa tilakorttini"
HELP_TITLE = "Tiekarttabotin ohje"
STATUS_HEADING = "Kuukauden tila ·"  # first line of the form and of the confirmation
PROGRESS = "Edistyminen (%)"
SPENT = "Käytetty tähän mennessä (€)"
ACHIEVEMENTS = "Saavutukset tässä kuussa"
NEXT_STEPS = "Seuraavat askeleet"
RISKS = "Riskit ja tarvittava apu"
SAVE = "Tallenna tila"
SAVED_BY = f"✅ Tallentanut {OWNER_NAME}"
EDIT = "Muokkaa"
CHANGING_SAVED = "Muutat jakson"  # "You are changing the report already saved for …"
PROGRESS_ERROR = "Edistymisen on oltava 0–100 %."
NEGATIVE_ERROR = "Summa ei voi olla negatiivinen."
NOTHING_SAVED = "Mitään ei tallennettu. Tarkista merkityt kentät."

# Settings the bot reads, pinned so that the developer's shell or a stray .env cannot
# switch on authentication or a tenant allow-list (environment variables beat .env).
BOT_SETTINGS = {
    "MicrosoftAppId": "",
    "MicrosoftAppPassword": "",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": "",
    "ALLOWED_TENANTS": "",
    "ADMINS": "",
    "PUBLIC_BASE_URL": "",
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


def _missing_prerequisite() -> str | None:
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


def _load_demo(database_url: str, log_path: Path) -> None:
    """``python -m storage.demo``: migrate the fresh database and load the demo portfolio."""
    env = {**os.environ, **BOT_SETTINGS, "DATABASE_URL": database_url}
    with log_path.open("wb") as log:
        result = subprocess.run(
            [sys.executable, "-m", "storage.demo"],
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
        raise RuntimeError(f"storage.demo exited with {result.returncode}:\n{tail}")


def _wait_ready(port: int, bot: ManagedProcess, timeout: float = START_TIMEOUT_S) -> None:
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


def _clean_artefacts() -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for path in ARTEFACTS.iterdir():
        if path.is_file():
            path.unlink()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    reason = _missing_prerequisite()
    if reason:
        if os.environ.get("ROADMAP_REQUIRE_E2E") == "1":
            pytest.fail(f"ROADMAP_REQUIRE_E2E=1 but the e2e stack cannot start: {reason}")
        pytest.skip(f"e2e stack unavailable: {reason}")
    _clean_artefacts()
    with contextlib.ExitStack() as resources:
        tmp = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="roadmap-e2e-")))
        database = tmp / "roadmap.db"
        database_url = f"sqlite+aiosqlite:///{database}"
        _load_demo(database_url, ARTEFACTS / "demo.log")

        port = free_port()
        bot = resources.enter_context(
            start_process(
                [sys.executable, "app.py"],
                log_path=ARTEFACTS / "bot.log",
                cwd=REPO_ROOT,
                env={**BOT_SETTINGS, "DATABASE_URL": database_url, "PORT": str(port)},
                wait_port=port,
                timeout=START_TIMEOUT_S,
            )
        )
        _wait_ready(port, bot)
        proxy = resources.enter_context(ActivityProxy(f"http://127.0.0.1:{port}/api/messages"))

        workdir = tmp / "playground"
        workdir.mkdir()
        shutil.copyfile(PLAYGROUND_CONFIG, workdir / CONFIG_FILE_NAME)
        playground = resources.enter_context(
            start_playground(proxy.url, workdir, log_dir=ARTEFACTS, timezone=TIMEZONE)
        )
        browser = resources.enter_context(
            launch_browser(viewport=VIEWPORT, trace_path=ARTEFACTS / "trace.zip")
        )
        yield Stack(bot, database, proxy, playground, browser)


@pytest.fixture
def page(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh Playground page (empty chat history) with the personal chat open.

    The welcome card only comes with the first page load of the module (the bot greets
    a conversation once).  A failing test leaves ``FAILED-<test>.png`` behind.
    """
    failed_before = request.session.testsfailed
    page = open_playground(stack.browser, stack.playground)
    page.set_default_timeout(STEP_TIMEOUT_MS)
    open_personal_chat(page)
    yield page
    stack.proxy.rewrite = None
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            screenshot(page, ARTEFACTS, f"FAILED-{request.node.name}", full_page=True)
    page.close()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _status_forms(scope: Page | Locator) -> Locator:
    """Editable status cards: the monthly heading and a "Tallenna tila" button."""
    save = scope.get_by_role("button", name=SAVE, exact=True)
    return cards(scope).filter(has_text=STATUS_HEADING).filter(has=save)


def _ask_for_status_cards(page: Page) -> None:
    """Type "tila" and wait for one status form per project Aino owns."""
    send_message(page, "tila")
    forms = _status_forms(page)
    for code in OWNED_PROJECTS:
        expect(forms.filter(has_text=code)).to_have_count(1)
    expect(forms).to_have_count(len(OWNED_PROJECTS))


def _status_card(page: Page, code: str) -> tuple[Locator, Locator]:
    """The message bubble and the status form of project ``code``.

    The bubble is pinned by position, so it keeps pointing at the same message after an
    Action.Execute has replaced the form with another card.
    """
    form = _status_forms(page).filter(has_text=code)
    expect(form).to_have_count(1)
    messages = bot_messages(page)
    for index in range(messages.count()):
        bubble = messages.nth(index)
        if bubble.filter(has=form).count():
            return bubble, cards(bubble).first
    raise AssertionError(f"no bot message holds the status card of {code}")


def _shot(page: Page, name: str, top: Locator | None = None) -> None:
    """Screenshot into the artefact dir, with ``top`` (a card) scrolled to the top."""
    if top is not None:
        top.evaluate("element => element.scrollIntoView({block: 'start'})")
    screenshot(page, ARTEFACTS, name)


def _saved_report(database: Path, code: str) -> dict[str, Any] | None:
    """Project ``code``'s status report for this month's period (open since the demo load)."""
    period = datetime.now(ZoneInfo(TIMEZONE)).strftime("%Y-%m")
    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT r.revision, r.progress, r.spent_cents, r.achievements, r.next_steps, r.risks"
            " FROM statusreport r JOIN project p ON p.id = r.project_id"
            " WHERE p.code = ? AND r.period = ?",
            (code, period),
        ).fetchone()
    return None if row is None else dict(row)


def _invokes(stack: Stack, count: int | None = None, timeout: float = 5.0) -> list[dict[str, Any]]:
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


def _assert_loopback_only(stack: Stack) -> None:
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


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_owner_reports_status_in_the_playground(stack: Stack, page: Page) -> None:
    code = OWNED_PROJECTS[0]
    assert _saved_report(stack.database, code) is None, "this month's period starts empty"

    # Installing the app (the page load) greets Aino in Finnish.
    welcome = wait_for_bot_message(page, WELCOME)
    expect(welcome.get_by_role("button", name=OPEN_STATUS_CARD, exact=True)).to_be_visible()
    _shot(page, "01-welcome")

    send_message(page, "ohje")
    wait_for_card(page, HELP_TITLE)
    _shot(page, "02-help")

    _ask_for_status_cards(page)
    bubble, card = _status_card(page, code)
    _shot(page, "03-status-card", card)

    achievements = "Pilotti käynnistyi kahdessa koulussa."
    fill_input(card, PROGRESS, "63")
    fill_input(card, ACHIEVEMENTS, achievements)
    expect(card_input(card, PROGRESS)).to_have_value("63")
    _shot(page, "04-filled", card)

    count = bot_messages(page).count()
    invokes_before = len(_invokes(stack))
    click_card_button(card, SAVE)
    # The confirmation replaces the form in the same bubble; no message is added.
    confirmation = wait_for_card(bubble, SAVED_BY)
    wait_for_invoke_banner(bubble)
    expect(confirmation).to_contain_text(code)
    expect(confirmation).to_contain_text("63 %")
    expect(confirmation).to_contain_text(achievements)
    expect(confirmation.get_by_role("button", name=EDIT, exact=True)).to_be_visible()
    expect(bubble.get_by_role("button", name=SAVE, exact=True)).to_have_count(0)
    expect(_status_forms(page)).to_have_count(len(OWNED_PROJECTS) - 1)
    expect(bot_messages(page)).to_have_count(count)
    _shot(page, "05-confirmation", confirmation)

    saved = _saved_report(stack.database, code)
    assert saved is not None
    assert (saved["revision"], saved["progress"], saved["achievements"]) == (1, 63, achievements)

    # "Muokkaa" brings the form back, in place, with the saved answers.
    click_card_button(confirmation, EDIT)
    form = wait_for_card(bubble, CHANGING_SAVED)
    expect(form.get_by_role("button", name=SAVE, exact=True)).to_be_visible()
    expect(card_input(form, PROGRESS)).to_have_value("63")
    expect(card_input(form, ACHIEVEMENTS)).to_have_value(achievements)
    expect(bot_messages(page)).to_have_count(count)
    _shot(page, "06-edit", form)

    submit, edit = _invokes(stack, invokes_before + 2)[-2:]
    assert submit["name"] == edit["name"] == "adaptiveCard/action"
    assert submit["from"]["aadObjectId"] == OWNER_AAD
    assert submit["value"]["action"]["verb"] == "status.submit"
    assert submit["value"]["action"]["data"]["progress"] == "63"
    assert edit["value"]["action"]["verb"] == "status.edit"
    assert not stack.browser.console_errors, stack.browser.console_errors
    _assert_loopback_only(stack)


def test_negative_spend_is_refused_and_typed_text_kept(stack: Stack, page: Page) -> None:
    code = OWNED_PROJECTS[2]
    _ask_for_status_cards(page)
    bubble, card = _status_card(page, code)
    risks = "Toimittajan resurssit ovat tiukalla."
    fill_input(card, SPENT, "-100")
    fill_input(card, RISKS, risks)
    count = bot_messages(page).count()
    click_card_button(card, SAVE)

    refused = wait_for_card(bubble, NEGATIVE_ERROR)
    expect(refused).to_contain_text(NOTHING_SAVED)
    expect(card_input(refused, SPENT)).to_have_value("-100")
    expect(card_input(refused, RISKS)).to_have_value(risks)
    expect(refused.get_by_role("button", name=SAVE, exact=True)).to_be_visible()
    expect(bot_messages(page)).to_have_count(count)
    _shot(page, "07-negative-spend-error", refused)
    assert _saved_report(stack.database, code) is None, "nothing saved"
    _assert_loopback_only(stack)


def test_out_of_range_progress_is_refused_and_typed_text_kept(stack: Stack, page: Page) -> None:
    """Progress 140 gets the bot's error, the typed text back, and saves nothing.

    The Playground (0.2.28) renders Input.Number as a Fluent SpinButton that clamps a
    typed 140 to the card's ``max`` (100) when it loses focus, so on its own it would
    send "100", and the bot would save 100 %.  A client that does not clamp (or a
    hand-made invoke) sends what was typed, and that is what the bot must refuse: the
    proxy puts the typed value back into the invoke on its way to the bot.
    """
    code = OWNED_PROJECTS[1]
    _ask_for_status_cards(page)
    bubble, card = _status_card(page, code)
    next_steps = "Hankinta kilpailutetaan joulukuussa."
    fill_input(card, NEXT_STEPS, next_steps)
    fill_input(card, PROGRESS, "140")
    typed_progress = card_input(card, PROGRESS).input_value()
    assert typed_progress == "140"
    _shot(page, "08-progress-140", card)

    def as_typed(activity: dict[str, Any]) -> dict[str, Any]:
        data = (activity.get("value") or {}).get("action", {}).get("data", {})
        if data.get("verb") == "status.submit":
            data["progress"] = typed_progress
        return activity

    stack.proxy.rewrite = as_typed
    count = bot_messages(page).count()
    invokes_before = len(_invokes(stack))
    click_card_button(card, SAVE)

    refused = wait_for_card(bubble, PROGRESS_ERROR)
    expect(refused).to_contain_text(NOTHING_SAVED)
    expect(card_input(refused, NEXT_STEPS)).to_have_value(next_steps)
    expect(card_input(refused, PROGRESS)).to_have_value("140")
    expect(refused.get_by_role("button", name=SAVE, exact=True)).to_be_visible()
    expect(bot_messages(page)).to_have_count(count)
    _shot(page, "09-progress-error", refused)

    sent = _invokes(stack, invokes_before + 1)[-1]["value"]["action"]["data"]
    assert sent["progress"] == "100", "the Playground's renderer clamps to max"
    assert stack.proxy.forwarded[-1]["value"]["action"]["data"]["progress"] == "140"
    assert _saved_report(stack.database, code) is None, "nothing saved"
    _assert_loopback_only(stack)
