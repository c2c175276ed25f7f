"""The admin's monthly cycle in the Microsoft 365 Agents Playground, in a real headless Chromium.

Aino Virtanen (an admin, answered in Finnish, owner of DR24-08, DR25-02 and DR25-04)
looks at the cycle ("kierros"), sends the status cards at once ("kysy nyt"), answers one
of them and sends reminders ("muistuta nyt").  The cards come *proactively*: the command
only queues them in the outbox, and the bot's dispatcher (it holds the cycle lease)
sends them through ``CloudAdapter.continue_conversation`` to the personal chat's
reference stored when the page load installed the app.  Reminders go only to projects
still without a report, which is checked on the page, in the Playground's events
recording and in the outbox.

The demo has other owners too.  They never opened a chat with the bot, and the
Playground opened no team here, so their cards are skipped by the sender; nothing of
theirs can show in Aino's chat.

The module's stack (``conftest.py``, ``roadmap_stack.py``) is its own: fresh demo data.
Screenshots are kept in ``artifacts/e2e/``; logs, the events recording and a Playwright
trace in ``artifacts/e2e/cycle/``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.playground.pages import (
    bot_messages,
    card_input,
    cards,
    click_card_button,
    fill_input,
    send_message,
    wait_for_bot_message,
    wait_for_card,
    wait_for_invoke_banner,
)
from tests.e2e.roadmap_stack import (
    ACHIEVEMENTS,
    OWNED_PROJECTS,
    OWNER_AAD,
    OWNER_NAME,
    PERSONAL_CHAT_ID,
    PROGRESS,
    SAVE,
    SAVED_BY,
    VIEWPORT,
    WELCOME,
    Stack,
    assert_loopback_only,
    current_period,
    query,
    reopen_the_period,
    saved_report,
    shot,
    status_card,
    status_forms,
    wait_for_leader,
)

pytestmark = pytest.mark.e2e

# Finnish texts (translations/fi.po).
CYCLE_TITLE = "Kuukausikierros:"  # "Monthly cycle for {month}"
NOT_ANSWERED = "Ei vielä vastattu"
RECEIVED = "Raportteja saatu"  # its value is "{received}/{expected}"
# singular or plural: "Tilakortti jonossa 1 …", "Tilakortit jonossa 2 …"
PROMPTED = re.compile(r"Tilakort(?:ti|it) jonossa (\d+) vastaamattomalle projektille\.")
REMINDED = re.compile(r"Muistutu(?:s|kset) jonossa (\d+) vastaamattomalle projektille\.")
REMINDER_BANNER = "Muistutus: tilaraporttisi puuttuu vielä."

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SUBMIT_VERB = '"status.submit"'  # the verb of a status form's "Tallenna tila"
PROJECT_CODE = re.compile(r"DR\d{2}-\d{2}\b")  # a status card's title starts with the code

ANSWERED = OWNED_PROJECTS[1]  # the one project Aino answers between prompt and reminder
UNANSWERED = tuple(code for code in OWNED_PROJECTS if code != ANSWERED)
TALL_SHOT_MARGIN = 260  # the Playground's header and compose box around the chat
TALL_SHOT_MAX = 5000
#: The dispatcher polls the outbox every second; a proactive card takes ~1-2 s.
DELIVERY_TIMEOUT_S = 15.0


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _ask_for_cycle(page: Page) -> tuple[Locator, int, int]:
    """Type "kierros"; return the new cycle card and its "received/expected" counts."""
    before = cards(page).filter(has_text=CYCLE_TITLE).count()
    send_message(page, "kierros")
    expect(cards(page).filter(has_text=CYCLE_TITLE)).to_have_count(before + 1)
    card = cards(page).filter(has_text=CYCLE_TITLE).last
    expect(card).to_contain_text(NOT_ANSWERED)
    match = re.search(rf"{RECEIVED}\s*(\d+)/(\d+)", card.inner_text())
    assert match, f"no {RECEIVED!r} fact in the cycle card: {card.inner_text()!r}"
    return card, int(match.group(1)), int(match.group(2))


def _missing_row(cycle_card: Locator, code: str, owner: str = OWNER_NAME) -> Locator:
    """The "not answered yet" row of project ``code``: code and name, then the owner.

    A ColumnSet renders as nested ``.ac-container`` divs; the innermost one holding both
    the code and the owner is the row.
    """
    return cycle_card.locator(".ac-container").filter(has_text=code).filter(has_text=owner).last


def _card_texts(content: Any) -> Iterator[str]:
    """Every ``text`` in an Adaptive Card (JSON), depth first."""
    if isinstance(content, dict):
        if isinstance(content.get("text"), str):
            yield content["text"]
        for value in content.values():
            yield from _card_texts(value)
    elif isinstance(content, list):
        for item in content:
            yield from _card_texts(item)


@dataclass(frozen=True)
class SentStatusCard:
    """A status card the bot POSTed to the personal chat (events recording)."""

    code: str
    reminder: bool
    activity: dict[str, Any]


def _sent_status_cards(stack: Stack) -> list[SentStatusCard]:
    """Every status form the bot sent to Aino's chat: prompts and reminders, in order.

    Answers to "tila" would be status forms too; this journey types no "tila".  The
    confirmation that replaces a form is the invoke's response, not a connector call.
    """
    found = []
    for activity in stack.playground.activities_from_bot():
        if (activity.get("conversation") or {}).get("id") != PERSONAL_CHAT_ID:
            continue
        for attachment in activity.get("attachments") or []:
            content = attachment.get("content")
            if attachment.get("contentType") != ADAPTIVE_CARD or SUBMIT_VERB not in json.dumps(
                content
            ):
                continue
            texts = list(_card_texts(content))
            codes = [match.group(0) for text in texts if (match := PROJECT_CODE.match(text))]
            assert len(codes) == 1, f"one project per status card: {texts}"
            found.append(SentStatusCard(codes[0], REMINDER_BANNER in texts, activity))
    return found


def _wait_for_sent(stack: Stack, count: int, timeout: float = 5.0) -> list[SentStatusCard]:
    """The recording lists an exchange once it completed: wait for ``count`` status cards."""
    deadline = time.monotonic() + timeout
    while True:
        found = _sent_status_cards(stack)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _outbox(stack: Stack, kind_prefix: str) -> list[dict[str, Any]]:
    """This period's outbox rows of a step (e.g. ``prompt-now``), with project code and person."""
    return query(
        stack.database,
        "SELECT o.kind, o.status, o.attempts, o.last_error, o.sent_activity_id,"
        " p.code, r.name AS person"
        " FROM outboxmessage o LEFT JOIN project p ON p.id = o.project_id"
        " LEFT JOIN person r ON r.id = o.person_id"
        " WHERE o.period = ? AND o.kind LIKE ? ORDER BY o.id",
        current_period(),
        kind_prefix + "%",
    )


def _to_owner(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Project code -> outbox status of the rows addressed to Aino."""
    return {row["code"]: row["status"] for row in rows if row["person"] == OWNER_NAME}


def _wait_for_outbox(stack: Stack, kind_prefix: str) -> list[dict[str, Any]]:
    """Wait until no message of the step is pending or in flight; return its rows."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while True:
        rows = _outbox(stack, kind_prefix)
        if rows and all(row["status"] not in ("pending", "in_flight") for row in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"{kind_prefix} messages still undelivered: {rows}")
        time.sleep(0.1)


def _tall_shot(page: Page, name: str, first: Locator, last: Locator) -> None:
    """Screenshot from ``first`` down to ``last``, which may be several cards further.

    A status form is about as tall as the viewport, so the viewport grows for the moment
    the screenshot takes, then goes back to :data:`VIEWPORT`.
    """
    width, height = VIEWPORT
    first.evaluate("element => element.scrollIntoView({block: 'start'})")
    top, bottom = first.bounding_box(), last.bounding_box()
    assert top is not None and bottom is not None
    span = bottom["y"] + bottom["height"] - top["y"]
    tall = int(min(max(height, span + TALL_SHOT_MARGIN), TALL_SHOT_MAX))
    page.set_viewport_size({"width": width, "height": tall})
    try:
        shot(page, name, first)
    finally:
        page.set_viewport_size({"width": width, "height": height})


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_admin_prompts_and_reminds_owners_in_the_playground(stack: Stack, page: Page) -> None:
    for code in OWNED_PROJECTS:
        assert saved_report(stack.database, code) is None, "this month's period starts empty"
    wait_for_leader(stack)
    reopen_the_period(stack)

    # 1. The cycle card lists Aino's three projects as not answered.
    wait_for_bot_message(page, WELCOME)
    cycle_card, received, expected = _ask_for_cycle(page)
    assert expected >= len(OWNED_PROJECTS) and received == 0, (received, expected)
    for code in OWNED_PROJECTS:
        expect(_missing_row(cycle_card, code)).to_be_visible()
    shot(page, "11-cycle", cycle_card)

    # 2. "kysy nyt": a notice, then the three status cards arrive on their own.
    messages_before = bot_messages(page).count()
    sent_before = len(_sent_status_cards(stack))
    send_message(page, "kysy nyt")
    notice = wait_for_bot_message(page, PROMPTED)
    match = PROMPTED.search(notice.inner_text())
    assert match
    queued = int(match.group(1))
    assert queued >= len(OWNED_PROJECTS), queued
    forms = status_forms(page)
    for code in OWNED_PROJECTS:
        expect(forms.filter(has_text=code)).to_have_count(1, timeout=DELIVERY_TIMEOUT_S * 1000)
    expect(forms).to_have_count(len(OWNED_PROJECTS))
    expect(forms.filter(has_text=REMINDER_BANNER)).to_have_count(0)
    expect(bot_messages(page)).to_have_count(messages_before + 1 + len(OWNED_PROJECTS))
    prompts = _wait_for_outbox(stack, "prompt-now")
    assert len(prompts) == queued, prompts
    assert _to_owner(prompts) == dict.fromkeys(OWNED_PROJECTS, "sent"), prompts
    prompted = _wait_for_sent(stack, sent_before + len(OWNED_PROJECTS))[sent_before:]
    assert sorted(card.code for card in prompted) == sorted(OWNED_PROJECTS), prompted
    assert not any(card.reminder for card in prompted)
    assert {card.activity["recipient"]["aadObjectId"] for card in prompted} == {OWNER_AAD}
    _tall_shot(page, "12-prompted", notice, bot_messages(page).last)

    # 3. Aino answers one of them: the confirmation replaces the form in place.
    bubble, card = status_card(page, ANSWERED)
    fill_input(card, PROGRESS, "72")
    fill_input(card, ACHIEVEMENTS, "Kilpailutus valmis.")
    expect(card_input(card, PROGRESS)).to_have_value("72")
    count = bot_messages(page).count()
    click_card_button(card, SAVE)
    confirmation = wait_for_card(bubble, SAVED_BY)
    wait_for_invoke_banner(bubble)
    expect(confirmation).to_contain_text(ANSWERED)
    expect(confirmation).to_contain_text("72 %")
    expect(bot_messages(page)).to_have_count(count)
    expect(status_forms(page)).to_have_count(len(OWNED_PROJECTS) - 1)
    saved = saved_report(stack.database, ANSWERED)
    assert saved is not None and saved["progress"] == 72, saved
    shot(page, "13-answered", confirmation)

    # 4. "muistuta nyt": reminders only for the two projects still unanswered.
    messages_before = bot_messages(page).count()
    sent_before = len(_sent_status_cards(stack))
    send_message(page, "muistuta nyt")
    notice = wait_for_bot_message(page, REMINDED)
    match = REMINDED.search(notice.inner_text())
    assert match and int(match.group(1)) == queued - 1, notice.inner_text()
    reminders = status_forms(page).filter(has_text=REMINDER_BANNER)
    for code in UNANSWERED:
        expect(reminders.filter(has_text=code)).to_have_count(1, timeout=DELIVERY_TIMEOUT_S * 1000)
    rows = _wait_for_outbox(stack, "reminder-now")
    assert ANSWERED not in {row["code"] for row in rows}, "an answered project is not queued"
    assert _to_owner(rows) == dict.fromkeys(UNANSWERED, "sent"), rows
    # Everything is delivered or skipped: what the page shows now is final.
    expect(reminders).to_have_count(len(UNANSWERED))
    expect(reminders.filter(has_text=ANSWERED)).to_have_count(0)
    expect(bot_messages(page)).to_have_count(messages_before + 1 + len(UNANSWERED))
    reminded = _wait_for_sent(stack, sent_before + len(UNANSWERED))[sent_before:]
    assert sorted(card.code for card in reminded) == sorted(UNANSWERED), reminded
    assert all(card.reminder for card in reminded), reminded
    assert ANSWERED not in {card.code for card in _sent_status_cards(stack) if card.reminder}
    _tall_shot(page, "14-reminded", notice, bot_messages(page).last)

    # 5. The cycle card counts the answer; the answered project has left the list.
    cycle_card, received_now, expected_now = _ask_for_cycle(page)
    assert (received_now, expected_now) == (received + 1, expected)
    expect(cycle_card).not_to_contain_text(ANSWERED)
    for code in UNANSWERED:
        expect(_missing_row(cycle_card, code)).to_be_visible()
    shot(page, "15-cycle-after", cycle_card)

    invokes = [a for a in stack.playground.activities_to_bot() if a.get("type") == "invoke"]
    assert [a["from"]["aadObjectId"] for a in invokes] == [OWNER_AAD]
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)
