"""The owner's journey in the Microsoft 365 Agents Playground, in a real headless Chromium.

The module's stack (``conftest.py``, ``roadmap_stack.py``): one bot on a fresh SQLite
database with the demo portfolio, one Playground (the repo's ``.m365agentsplayground.yml``:
Aino Virtanen, an admin who owns DR24-08, DR25-02 and DR25-04 and whose stored language
is Finnish) and one browser, shared by the tests of this module.  Screenshots are kept in
``artifacts/e2e/``; logs, the Playground's events recording and a Playwright trace in
``artifacts/e2e/journey/``.

The Playground talks to the bot through an :class:`ActivityProxy` that forwards every
activity unchanged, except in the one test that restores a typed value the Playground's
card renderer changed (see ``test_out_of_range_progress_is_refused_and_typed_text_kept``).

Without Chromium, Node or the Playground package the tests are skipped, unless
``ROADMAP_REQUIRE_E2E=1``, in which case they fail.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.playground.pages import (
    bot_messages,
    card_input,
    cards,
    click_card_button,
    fill_input,
    open_channel,
    open_group_chat,
    open_personal_chat,
    post_in_channel,
    send_message,
    wait_for_bot_message,
    wait_for_card,
    wait_for_invoke_banner,
)
from tests.e2e.roadmap_stack import (
    ACHIEVEMENTS,
    OPEN_STATUS_CARD,
    OWNED_PROJECTS,
    OWNER_AAD,
    PROGRESS,
    SAVE,
    SAVED_BY,
    WELCOME,
    Stack,
    assert_loopback_only,
    invokes,
    reopen_the_period,
    saved_report,
    shot,
    status_card,
    status_forms,
    wait_for_leader,
)

pytestmark = pytest.mark.e2e

# Finnish texts (translations/fi.po) only this module needs.
HELP_TITLE = "Tiekarttabotin ohje"
SPENT = "Käytetty tähän mennessä (€)"
NEXT_STEPS = "Jatkotoimenpiteet"
RISKS = "Riskit ja tarvittava apu"
EDIT = "Muokkaa"
CHANGING_SAVED = "Muutat jakson"  # "You are changing the report already saved for …"
PROGRESS_ERROR = "Edistymisen on oltava välillä 0–100."
NEGATIVE_ERROR = "Summa ei voi olla negatiivinen."
NOTHING_SAVED = "Mitään ei tallennettu. Tarkista merkityt kentät."


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _ask_for_status_cards(page: Page) -> None:
    """Type "tila" and wait for one status form per project Aino owns."""
    send_message(page, "tila")
    forms = status_forms(page)
    for code in OWNED_PROJECTS:
        expect(forms.filter(has_text=code)).to_have_count(1)
    expect(forms).to_have_count(len(OWNED_PROJECTS))


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def open_period(stack: Stack) -> None:
    """These journeys report on an open period; past the month's close day the bot's
    start-up closes it, and a report given in a closed period is frozen."""
    wait_for_leader(stack)
    reopen_the_period(stack)


def test_owner_reports_status_in_the_playground(stack: Stack, page: Page) -> None:
    code = OWNED_PROJECTS[0]
    assert saved_report(stack.database, code) is None, "this month's period starts empty"

    # Installing the app (the page load) greets Aino in Finnish.
    welcome = wait_for_bot_message(page, WELCOME)
    expect(welcome.get_by_role("button", name=OPEN_STATUS_CARD, exact=True)).to_be_visible()
    shot(page, "01-welcome")

    send_message(page, "ohje")
    wait_for_card(page, HELP_TITLE)
    shot(page, "02-help")

    _ask_for_status_cards(page)
    bubble, card = status_card(page, code)
    shot(page, "03-status-card", card)

    achievements = "Pilotti käynnistyi kahdessa koulussa."
    fill_input(card, PROGRESS, "63")
    fill_input(card, ACHIEVEMENTS, achievements)
    expect(card_input(card, PROGRESS)).to_have_value("63")
    shot(page, "04-filled", card)

    count = bot_messages(page).count()
    invokes_before = len(invokes(stack))
    click_card_button(card, SAVE)
    # The confirmation replaces the form in the same bubble; no message is added.
    confirmation = wait_for_card(bubble, SAVED_BY)
    wait_for_invoke_banner(bubble)
    expect(confirmation).to_contain_text(code)
    expect(confirmation).to_contain_text("63 %")
    expect(confirmation).to_contain_text(achievements)
    expect(confirmation.get_by_role("button", name=EDIT, exact=True)).to_be_visible()
    expect(bubble.get_by_role("button", name=SAVE, exact=True)).to_have_count(0)
    expect(status_forms(page)).to_have_count(len(OWNED_PROJECTS) - 1)
    expect(bot_messages(page)).to_have_count(count)
    shot(page, "05-confirmation", confirmation)

    saved = saved_report(stack.database, code)
    assert saved is not None
    assert (saved["revision"], saved["progress"], saved["achievements"]) == (1, 63, achievements)

    # "Muokkaa" brings the form back, in place, with the saved answers.
    click_card_button(confirmation, EDIT)
    form = wait_for_card(bubble, CHANGING_SAVED)
    expect(form.get_by_role("button", name=SAVE, exact=True)).to_be_visible()
    expect(card_input(form, PROGRESS)).to_have_value("63")
    expect(card_input(form, ACHIEVEMENTS)).to_have_value(achievements)
    expect(bot_messages(page)).to_have_count(count)
    shot(page, "06-edit", form)

    submit, edit = invokes(stack, invokes_before + 2)[-2:]
    assert submit["name"] == edit["name"] == "adaptiveCard/action"
    assert submit["from"]["aadObjectId"] == OWNER_AAD
    assert submit["value"]["action"]["verb"] == "status.submit"
    assert submit["value"]["action"]["data"]["progress"] == "63"
    assert edit["value"]["action"]["verb"] == "status.edit"
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)


def test_negative_spend_is_refused_and_typed_text_kept(stack: Stack, page: Page) -> None:
    code = OWNED_PROJECTS[2]
    _ask_for_status_cards(page)
    bubble, card = status_card(page, code)
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
    shot(page, "07-negative-spend-error", refused)
    assert saved_report(stack.database, code) is None, "nothing saved"
    assert_loopback_only(stack)


def test_out_of_range_progress_is_refused_and_typed_text_kept(stack: Stack, page: Page) -> None:
    """Progress 140 gets the bot's error under the field, the typed text back, and saves
    nothing.

    The card gives its inputs no ``min``/``max`` or ``maxLength``: the Playground (0.2.28)
    renders Input.Number as a Fluent SpinButton that clamped a typed 140 to the card's
    ``max`` (100) without a word, and would have saved 100 %. Without them the client
    sends what was typed, and the bot says what was wrong.
    """
    code = OWNED_PROJECTS[1]
    _ask_for_status_cards(page)
    bubble, card = status_card(page, code)
    next_steps = "Hankinta kilpailutetaan joulukuussa."
    fill_input(card, NEXT_STEPS, next_steps)
    fill_input(card, PROGRESS, "140")
    typed_progress = card_input(card, PROGRESS).input_value()
    assert typed_progress == "140"
    shot(page, "08-progress-140", card)

    count = bot_messages(page).count()
    invokes_before = len(invokes(stack))
    click_card_button(card, SAVE)

    refused = wait_for_card(bubble, PROGRESS_ERROR)
    expect(refused).to_contain_text(NOTHING_SAVED)
    expect(card_input(refused, NEXT_STEPS)).to_have_value(next_steps)
    expect(card_input(refused, PROGRESS)).to_have_value("140")
    expect(refused.get_by_role("button", name=SAVE, exact=True)).to_be_visible()
    expect(bot_messages(page)).to_have_count(count)
    shot(page, "09-progress-error", refused)

    sent = invokes(stack, invokes_before + 1)[-1]["value"]["action"]["data"]
    assert sent["progress"] == "140", "the client sent what was typed, unclamped"
    assert saved_report(stack.database, code) is None, "nothing saved"
    assert_loopback_only(stack)


SENT_TO_PERSONAL = "Lähetin tilakorttisi kahdenkeskiseen keskusteluumme."
TEAM, CHANNEL, GROUP_CHAT = (
    "Porvoon digiohjelma",
    "Tiekartta",
    "Digiohjelma / Digitaliseringsprogram",
)
BOT_NAME = "Roadmap Bot"


def test_status_asked_in_a_channel_or_group_chat_goes_to_the_personal_chat(
    stack: Stack, page: Page
) -> None:
    """Status cards carry money and are forms: only the 1:1 chat gets them."""
    open_channel(page, TEAM, CHANNEL)
    post_in_channel(page, "tila", mention=BOT_NAME)
    expect(cards(page).filter(has_text=SENT_TO_PERSONAL)).to_have_count(1)
    expect(cards(page).filter(has_text="€")).to_have_count(0)
    expect(status_forms(page)).to_have_count(0)
    shot(page, "10-status-in-channel")

    open_group_chat(page, GROUP_CHAT)
    send_message(page, "tila", mention=BOT_NAME)
    wait_for_bot_message(page, SENT_TO_PERSONAL)
    expect(status_forms(page)).to_have_count(0)
    shot(page, "11-status-in-group-chat")

    open_personal_chat(page)
    forms = status_forms(page)
    for code in OWNED_PROJECTS:
        expect(forms.filter(has_text=code)).to_have_count(2)  # once for each ask
    shot(page, "12-status-cards-in-personal-chat")
