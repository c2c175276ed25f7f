"""Headless Chromium for the end-to-end tests: Debian's own browser driven by Playwright
(never a downloaded one), cut off from everything but this machine, and the Playground's
page opened in it."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

from tests.e2e.playground.server import Playground

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Even with the flags above Chromium resolves update.googleapis.com,
    # accounts.google.com and content-autofill.googleapis.com at start-up.  Make
    # every non-local host name fail inside Chromium, without asking DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


DEFAULT_TIMEOUT_MS = 15_000
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass
class BrowserSession:
    """Playwright + a persistent Chromium context (see :func:`launch_browser`)."""

    playwright: Playwright
    context: BrowserContext
    user_data_dir: Path
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname in _LOCAL_HOSTS


@contextlib.contextmanager
def launch_browser(
    *,
    headless: bool = True,
    viewport: tuple[int, int] = (1400, 900),
    block_external: bool = True,
    trace_path: Path | None = None,
    default_timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Iterator[BrowserSession]:
    """Headless Debian Chromium with a fresh, temporary user-data dir.

    With ``block_external`` every request that does not go to 127.0.0.1 /
    localhost is aborted (the UI otherwise asks a CDN for Segoe UI fonts and an
    animation worklet; it works fine without them) and listed in
    ``blocked_requests``.  With ``trace_path`` a Playwright trace (screenshots +
    DOM snapshots) is saved there on exit.
    """
    user_data_dir = Path(tempfile.mkdtemp(prefix="pg-chromium-"))
    pw = sync_playwright().start()
    try:
        context = pw.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=CHROMIUM_PATH,
            headless=headless,
            args=list(CHROMIUM_ARGS),
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        session = BrowserSession(pw, context, user_data_dir)
        context.set_default_timeout(default_timeout_ms)
        if block_external:

            def _route(route: Route) -> None:
                url = route.request.url
                if _is_local(url):
                    route.continue_()
                else:
                    session.blocked_requests.append(url)
                    route.abort()

            context.route("**/*", _route)
        if trace_path is not None:
            context.tracing.start(screenshots=True, snapshots=True)
        try:
            yield session
        finally:
            if trace_path is not None:
                trace_path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(Exception):
                    context.tracing.stop(path=str(trace_path))
            context.close()
    finally:
        pw.stop()
        shutil.rmtree(user_data_dir, ignore_errors=True)


def open_playground(session: BrowserSession, pg: Playground, timeout_ms: int = 30_000) -> Page:
    """Load the Playground UI and wait until the conversation list is shown.

    Every page load starts with an empty client-side chat history.  On load the
    Playground sends installationUpdate + conversationUpdate (membersAdded) for
    the personal chat to the bot (so a welcome arrives even before the chat is
    opened); a group chat or channel gets them when first opened.  A reload
    sends them again.
    """
    context = session.context
    page = context.pages[0] if context.pages else context.new_page()

    def _on_console(msg: ConsoleMessage) -> None:
        text = msg.text
        if msg.type != "error" or "ERR_FAILED" in text:
            return
        if any(url in text for url in session.blocked_requests):
            return  # fallout of block_external (CDN fonts / worklet)
        session.console_errors.append(text)

    page.on("console", _on_console)
    page.goto(pg.url)
    expect(page.get_by_role("tree", name="Personal and Group Chat")).to_be_visible(
        timeout=timeout_ms
    )
    return page
