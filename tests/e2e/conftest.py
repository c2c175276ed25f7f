"""Fixtures of the Playground journeys: one Roadmap Bot stack per test module, a fresh page per test.

See ``roadmap_stack.py`` for what a stack is.  Without Chromium, Node or the Playground
package the tests are skipped, unless ``ROADMAP_REQUIRE_E2E=1``, in which case they fail.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.playground.browser import open_playground
from tests.e2e.playground.pages import open_personal_chat, screenshot
from tests.e2e.roadmap_stack import (
    ARTEFACTS,
    STEP_TIMEOUT_MS,
    Stack,
    clean_artefacts,
    missing_prerequisite,
    run_stack,
)


@pytest.fixture(scope="session")
def e2e_artefacts() -> Path:
    """Check the prerequisites once, then empty ``artifacts/e2e/`` for this session's run."""
    reason = missing_prerequisite()
    if reason:
        if os.environ.get("ROADMAP_REQUIRE_E2E") == "1":
            pytest.fail(f"ROADMAP_REQUIRE_E2E=1 but the e2e stack cannot start: {reason}")
        pytest.skip(f"e2e stack unavailable: {reason}")
    clean_artefacts()
    return ARTEFACTS


@pytest.fixture(scope="module")
def stack(e2e_artefacts: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    """A stack of its own for each module (fresh demo data); logs in ``artifacts/e2e/<name>/``.

    ``<name>`` is the module's name without ``test_playground_`` (``journey``, ``cycle``, ``questions``).
    """
    name = request.module.__name__.rpartition(".")[2].removeprefix("test_playground_")
    with run_stack(e2e_artefacts / name) as running:
        yield running


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
