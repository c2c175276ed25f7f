"""Managers' questions in the Microsoft 365 Agents Playground, in a real headless Chromium.

Aino Virtanen (an admin, so she has money rights; answered in Finnish) asks free-text
questions and gets Adaptive Cards back: the portfolio summary and the 2025 budget, each
with a chart, the 2025 roadmap in pages ("Näytä lisää" replaces the card in place with
the next page), and one project's card.

A chart is an ``Image`` whose URL is a link the bot signed for Aino's rights and serves
itself (``{PUBLIC_BASE_URL}/charts/<kind>.png?...&r=money&exp=...&sig=...``).  The stack
starts the bot with ``PUBLIC_BASE_URL`` = its own loopback origin, which the harness's
network filter lets through, so the browser fetches the PNG from the bot like Teams
would.  "Loaded" means the ``<img>`` in the card decoded a picture (``naturalWidth > 0``)
after the bot answered its URL with 200 ``image/png``.

The module's stack (``conftest.py``, ``roadmap_stack.py``) is its own: fresh demo data.
Screenshots are kept in ``artifacts/e2e/``; logs, the events recording and a Playwright
trace in ``artifacts/e2e/questions/``.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from tests.e2e.playground.pages import (
    bot_messages,
    cards,
    click_card_button,
    send_message,
    wait_for_card,
    wait_for_invoke_banner,
)
from tests.e2e.roadmap_stack import (
    OWNER_AAD,
    STEP_TIMEOUT_MS,
    Stack,
    assert_loopback_only,
    invokes,
    shot,
)

pytestmark = pytest.mark.e2e

# Finnish texts (translations/fi.po) and demo data (storage/demo.py).
SUMMARY_TITLE = "Tilannekatsaus"
AVERAGE_PROGRESS = "Keskimääräinen edistyminen"
HEALTH_CHART = "Projektit tilanteen mukaan"  # the chart's alt text
BUDGET_TITLE = "Budjetti 2025"
PLANNED = "Budjetoitu"
BUDGET_TOTAL = "7\xa0950\xa0000\xa0€"  # fi-FI groups with no-break spaces
BUDGET_CHART = "Budjetti ja toteuma"
ROADMAP_TITLE = "Tiekartta 2025"
SHOW_MORE = "Näytä lisää"
PAGE_1 = "Näytetään 1–15/26."
PAGE_2 = "Näytetään 16–26/26."
# The 26 projects of the 2025 roadmap, by code: 15 on page 1, 11 on page 2.
PAGE_1_ENDS = ("DR24-07", "DR25-11")
PAGE_2_ENDS = ("DR25-12", "DR25-22")
PROJECT_QUESTION = "näytä Kartalla"
PROJECT_TITLE = "DR24-03 · Kartalla-palautepalvelu"
PROJECT_OWNER = "Laura Hämäläinen"
VERB_MORE = "answer.more"

CHART_PATH = re.compile(r"/charts/(?P<kind>[a-z_]+)\.png")
IMAGE_WAIT_S = STEP_TIMEOUT_MS / 1000


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


@pytest.fixture
def chart_fetches(page: Page) -> Iterator[dict[str, tuple[int, str]]]:
    """Chart URL -> (HTTP status, Content-Type) of every chart response the page got."""
    fetched: dict[str, tuple[int, str]] = {}

    def on_response(response: Response) -> None:
        if CHART_PATH.fullmatch(urllib.parse.urlsplit(response.url).path):
            fetched[response.url] = (response.status, response.headers.get("content-type", ""))

    page.on("response", on_response)
    yield fetched
    page.remove_listener("response", on_response)


def _ask(page: Page, question: str, title: str) -> tuple[Locator, Locator]:
    """Type ``question``; return the bot message with the answer card and the card.

    The message is pinned by position (the module's first page also gets the welcome,
    which may come in at any moment), so it keeps pointing at the same bubble after an
    Action.Execute has replaced its card.
    """
    send_message(page, question)
    expect(cards(page).filter(has_text=title)).to_have_count(1)
    messages = bot_messages(page)
    for index in range(messages.count()):
        bubble = messages.nth(index)
        if bubble.filter(has=cards(page).filter(has_text=title)).count():
            return bubble, cards(bubble).first
    raise AssertionError(f"no bot message holds the card {title!r}")


def _chart_loaded(
    stack: Stack, card: Locator, alt: str, kind: str, fetched: dict[str, tuple[int, str]]
) -> str:
    """Check that ``card``'s chart ``alt`` came from the bot and shows; return its URL."""
    image = card.get_by_role("img", name=alt, exact=True)
    expect(image).to_have_count(1)
    expect(image).to_be_visible()
    # Wait for the load to end either way, then look at what it gave.
    image.page.wait_for_function("img => img.complete", arg=image.element_handle())
    src: str
    width: int
    height: int
    src, width, height = image.evaluate(
        "img => [img.currentSrc, img.naturalWidth, img.naturalHeight]"
    )

    url = urllib.parse.urlsplit(src)
    assert f"{url.scheme}://{url.netloc}" == stack.bot_url, f"not the bot's origin: {src}"
    match = CHART_PATH.fullmatch(url.path)
    assert match and match["kind"] == kind, src
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query.get("r") == "money", f"Aino is an admin: {src}"
    assert query.get("lang") == "fi", src
    assert int(query.get("exp", "0")) > time.time(), f"expired link: {src}"
    assert re.fullmatch(r"[0-9a-f]{64}", query.get("sig", "")), src

    deadline = time.monotonic() + IMAGE_WAIT_S
    while src not in fetched and time.monotonic() < deadline:
        image.page.wait_for_timeout(50)  # the response event may trail the load
    assert fetched.get(src) == (200, "image/png"), f"the bot answered {fetched.get(src)}: {src}"
    assert width > 0 and height > 0, f"chart not decoded ({width}x{height}): {src}"
    return src


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_summary_card_shows_its_health_chart(
    stack: Stack, page: Page, chart_fetches: dict[str, tuple[int, str]]
) -> None:
    _, card = _ask(page, "yhteenveto", SUMMARY_TITLE)
    expect(card).to_contain_text(AVERAGE_PROGRESS)
    _chart_loaded(stack, card, HEALTH_CHART, "health", chart_fetches)
    shot(page, "21-summary", card)
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)


def test_budget_card_shows_total_and_its_chart(
    stack: Stack, page: Page, chart_fetches: dict[str, tuple[int, str]]
) -> None:
    _, card = _ask(page, "budjetti 2025", BUDGET_TITLE)
    expect(card).to_contain_text(BUDGET_TOTAL)
    # Playwright's matching folds white space; the card keeps the no-break spaces.
    planned = re.compile(rf"^{PLANNED}\n+{re.escape(BUDGET_TOTAL)}$", re.MULTILINE)
    assert planned.search(card.inner_text()), card.inner_text()
    src = _chart_loaded(stack, card, BUDGET_CHART, "budget", chart_fetches)
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(src).query))["year"] == "2025"
    shot(page, "22-budget", card)
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)


def test_show_more_replaces_the_roadmap_list_with_page_two(stack: Stack, page: Page) -> None:
    bubble, card = _ask(page, "tiekartta 2025", ROADMAP_TITLE)
    expect(card).to_contain_text(PAGE_1)
    for code in PAGE_1_ENDS:
        expect(card).to_contain_text(code)
    expect(card).not_to_contain_text(PAGE_2_ENDS[0])
    count = bot_messages(page).count()
    invokes_before = len(invokes(stack))

    click_card_button(card, SHOW_MORE)
    page_2 = wait_for_card(bubble, PAGE_2)
    wait_for_invoke_banner(bubble)
    expect(page_2).to_contain_text(ROADMAP_TITLE)
    for code in PAGE_2_ENDS:
        expect(page_2).to_contain_text(code)
    expect(cards(bubble)).to_have_count(1)
    expect(bubble).not_to_contain_text(PAGE_1)
    for code in PAGE_1_ENDS:
        expect(bubble).not_to_contain_text(code)
    expect(page_2.get_by_role("button", name=SHOW_MORE, exact=True)).to_have_count(0)
    expect(bot_messages(page)).to_have_count(count)
    shot(page, "23-roadmap-page2", page_2)

    invoke = invokes(stack, invokes_before + 1)[-1]
    assert invoke["name"] == "adaptiveCard/action"
    assert invoke["from"]["aadObjectId"] == OWNER_AAD
    action = invoke["value"]["action"]
    assert action["verb"] == VERB_MORE
    assert (action["data"]["year"], action["data"]["page"]) == (2025, 1), action
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)


def test_project_question_gets_the_project_card(stack: Stack, page: Page) -> None:
    _, card = _ask(page, PROJECT_QUESTION, PROJECT_TITLE)
    expect(card).to_contain_text(PROJECT_OWNER)
    expect(card).to_contain_text(PLANNED)  # money facts: Aino is an admin
    shot(page, "24-project", card)
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)
