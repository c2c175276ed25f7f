"""Page helpers: open a conversation, type a message into the compose box and press
Enter, wait for a bot message or an Adaptive Card, fill card inputs, click card buttons,
take screenshots.

Selectors were taken from the real DOM of Playground 0.2.28 (see ``docs/playground.md``).
Role/label selectors are used wherever the UI exposes them; the few CSS selectors are the
stable, unhashed Fluent UI / Adaptive Cards class names (``fai-OutputCard``,
``ac-adaptiveCard``) or Lexical attributes.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.playground.browser import DEFAULT_TIMEOUT_MS

# Selectors (Playground 0.2.28).
#: The Lexical compose box ("Type a message..." / "Start a new post").
SEL_COMPOSER = '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]'
#: One bot message bubble (text or card) in a personal or group chat.
SEL_BOT_MESSAGE = ".fai-OutputCard"
#: The root element of a rendered Adaptive Card (any conversation).
SEL_CARD = ".ac-adaptiveCard"
#: Banner shown under a card after an Action.Execute invoke.
SEL_INVOKE_BANNER = '[aria-label="Display Invoked Message"]'
#: Elements that can hold an Adaptive Card input value.
SEL_FORM_CONTROL = "input, textarea, select"

INVOKE_SENT_TEXT = "Your response was sent to the app"
PERSONAL_CHAT_NAME = "Personal Chat"


# --------------------------------------------------------------------------
# Page helpers: conversations and messages
# --------------------------------------------------------------------------


def composer(page: Page) -> Locator:
    """The compose box (in a channel: the "Start a new post" box)."""
    return page.locator(SEL_COMPOSER).first


def _open_conversation(page: Page, tree_item_name: str, timeout_ms: int) -> None:
    page.get_by_role("treeitem", name=tree_item_name, exact=True).click()
    expect(composer(page)).to_be_visible(timeout=timeout_ms)


def open_personal_chat(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Open the 1:1 chat with the bot; its messages since page load are shown."""
    _open_conversation(page, PERSONAL_CHAT_NAME, timeout_ms)


def open_group_chat(page: Page, name: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Open the group chat called ``name`` (``groupChat.name`` in the yml).

    The bot only receives group-chat messages that @mention it.
    """
    _open_conversation(page, name, timeout_ms)


def open_channel(
    page: Page, team: str, channel: str = "General", timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> None:
    """Open a team channel (tree item "<team> - <channel>").

    Use :func:`post_in_channel` there; bot replies render in the post's thread
    (not as ``SEL_BOT_MESSAGE``), cards still match ``SEL_CARD``.
    """
    _open_conversation(page, f"{team} - {channel}", timeout_ms)


def _type_into(page: Page, box: Locator, text: str, mention: str | None, timeout_ms: int) -> None:
    box.click()
    if mention:
        box.press_sequentially("@" + mention)
        page.get_by_role("menuitem", name=mention).first.click(timeout=timeout_ms)
        if text:
            box.press_sequentially(" ")
    if text:
        box.press_sequentially(text)


def send_message(
    page: Page, text: str, *, mention: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> None:
    """Type ``text`` into the compose box and press Enter.

    ``mention`` (e.g. the bot's name) inserts an @mention first, picked from
    the typeahead menu; needed in group chats and channels.
    """
    box = composer(page)
    expect(box).to_be_visible(timeout=timeout_ms)
    _type_into(page, box, text, mention, timeout_ms)
    box.press("Enter")
    expect(box).to_have_text("", timeout=timeout_ms)


def post_in_channel(
    page: Page, text: str, *, mention: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Start a new channel post and return its thread (a ``role=group`` card)."""
    box = composer(page)
    _type_into(page, box, text, mention, timeout_ms)
    page.get_by_role("button", name="Post", exact=True).click()
    thread = page.get_by_role("group").filter(has_text=text).last
    expect(thread).to_be_visible(timeout=timeout_ms)
    return thread


def bot_messages(page: Page) -> Locator:
    """All bot message bubbles (text and cards) in the open personal/group chat."""
    return page.locator(SEL_BOT_MESSAGE)


def latest_bot_message(page: Page) -> Locator:
    return bot_messages(page).last


def wait_for_bot_message(
    page: Page, text: str | re.Pattern[str], timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for a bot message containing ``text``; return the latest such message."""
    message = bot_messages(page).filter(has_text=text).last
    expect(message).to_be_visible(timeout=timeout_ms)
    return message


def wait_for_bot_reply(
    page: Page, previous_count: int, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait until there are more than ``previous_count`` bot messages; return the newest.

    Take ``previous_count = bot_messages(page).count()`` before sending.
    """
    expect(bot_messages(page)).not_to_have_count(previous_count, timeout=timeout_ms)
    return latest_bot_message(page)


# --------------------------------------------------------------------------
# Page helpers: Adaptive Cards
# --------------------------------------------------------------------------


def cards(page: Page | Locator) -> Locator:
    return page.locator(SEL_CARD)


def wait_for_card(
    page: Page | Locator, text: str | re.Pattern[str], timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for an Adaptive Card containing ``text``; return the latest such card."""
    card = cards(page).filter(has_text=text).last
    expect(card).to_be_visible(timeout=timeout_ms)
    return card


def card_input(card: Locator, label: str) -> Locator:
    """An input of ``card`` found by its exact ``label`` or else its placeholder.

    The card's ``Input.*`` ``id`` is *not* in the DOM (the renderer generates
    ids), so give inputs a ``label`` (or at least a ``placeholder``).  For an
    ``isRequired`` input the renderer appends a red " *" to the ``<label>``,
    which Playwright counts as part of the label text, so the match allows it.
    """
    exact_label = re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$")
    by_label = card.get_by_label(exact_label).and_(card.locator(SEL_FORM_CONTROL))
    by_placeholder = card.get_by_placeholder(label, exact=True)
    return by_label.or_(by_placeholder).first


def fill_input(card: Locator, label: str, value: str) -> None:
    """Fill a text-like card input found by label (or placeholder)."""
    card_input(card, label).fill(value)


def click_card_button(card: Locator, title: str) -> None:
    """Click the card action whose title is ``title``."""
    card.get_by_role("button", name=title, exact=True).click()


def wait_for_invoke_banner(
    card_or_page: Page | Locator, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Locator:
    """Wait for the banner the UI shows after a successful Action.Execute."""
    banner = card_or_page.locator(SEL_INVOKE_BANNER).filter(has_text=INVOKE_SENT_TEXT).last
    expect(banner).to_be_visible(timeout=timeout_ms)
    return banner


# --------------------------------------------------------------------------
# Artefacts
# --------------------------------------------------------------------------


def screenshot(page: Page, artefact_dir: Path, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG screenshot as ``artefact_dir/<name>.png`` and return its path."""
    artefact_dir.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    path = artefact_dir / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
