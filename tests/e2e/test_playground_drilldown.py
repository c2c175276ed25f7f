"""Drill-down in the Microsoft 365 Agents Playground, at Teams' desktop and mobile widths.

Aino Virtanen (an admin, answered in Finnish) asks for the portfolio summary, follows its
"Projects at risk or off track" button (an ``Action.Execute`` that replaces the card in
place) and then taps a project's row, which opens that project's card in place. The
journey runs twice: in a browser 1400 px wide (Teams on a desktop), and with the card
400 px wide, as a phone shows it. (The Playground's own layout is not made for a phone:
in a 400 px window its chat list and header take most of the width and clip the card, so
the phone's width is given to the card itself, the bubble it is rendered in.)

At each step every word of the card must stay on one line: a word the renderer broke in
the middle ("oppimisal/ustojen") is found by measuring each word's boxes in the browser
(a ``Range`` over the word that has client rectangles on more than one line).

With ``ROADMAP_SCREENSHOTS=docs`` the two steps at 1400 px are also written to
``docs/screenshots/`` (``drilldown-at-risk-fi.png``, ``drilldown-project-fi.png``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.playground.pages import (
    bot_messages,
    cards,
    click_card_button,
    screenshot,
    wait_for_card,
)
from tests.e2e.roadmap_stack import Stack, assert_loopback_only, shot
from tests.e2e.test_playground_questions import _ask
from translations import Translator

pytestmark = pytest.mark.e2e

T = Translator.for_locale("fi-FI", ZoneInfo("Europe/Helsinki"))
SUMMARY_TITLE = T("Portfolio at a glance")
AT_RISK_TITLE = T("Projects at risk or off track")
PROJECT_TITLE = re.compile(r"^DR\d\d-\d\d · ")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Every word of the card's text, with the client rectangles of a Range over it: a word
# whose rectangles sit on more than one line was broken inside. Returns those words. A
# compound's hyphen is a place to break ("NIS2-" / "kyberturvallisuusvaatimusten"), so
# the parts of a hyphenated word are words of their own.
_BROKEN_WORDS = """
card => {
  const broken = [];
  const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const match of text.matchAll(/[^\\s\\u00a0\\-\\u2010\\u00ad]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set();
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) tops.add(Math.round(rect.top));
      }
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""


# A phone's card: as wide as a phone's screen (the Playground gives a card its own width).
_PHONE_WIDTH = 400
_PHONE_CSS = (
    f".fai-OutputCard .ac-adaptiveCard {{ width: {_PHONE_WIDTH}px !important;"
    f" min-width: 0 !important; max-width: {_PHONE_WIDTH}px !important;"
    " box-sizing: border-box !important; }"
)


def broken_words(card: Locator) -> list[str]:
    words: list[str] = card.evaluate(_BROKEN_WORDS)
    return words


def assert_fits(card: Locator, width: int) -> None:
    """No word of ``card`` is broken inside, and nothing runs past its right edge."""
    assert broken_words(card) == []
    box = card.bounding_box()
    assert box is not None and box["width"] <= width, box
    overflow: int = card.evaluate("card => card.scrollWidth - card.clientWidth")
    assert overflow <= 0, f"the card's content is {overflow} px wider than the card"


def _keep(page: Page, step: str, card: Locator, width: int) -> None:
    """A screenshot of the step into the artefacts, and into the docs when asked for."""
    shot(page, f"drilldown-{step}-{width}", card)
    if width == 1400 and os.environ.get("ROADMAP_SCREENSHOTS") == "docs":
        screenshot(page, DOCS, f"drilldown-{step}-fi")


@pytest.mark.parametrize("width", [1400, _PHONE_WIDTH], ids=["desktop", "phone"])
def test_summary_leads_to_the_projects_at_risk_and_on_to_one_project(
    stack: Stack, page: Page, width: int
) -> None:
    if width == _PHONE_WIDTH:
        page.add_style_tag(content=_PHONE_CSS)
    bubble, summary = _ask(page, "yhteenveto", SUMMARY_TITLE)
    assert_fits(summary, width)
    count = bot_messages(page).count()

    click_card_button(summary, AT_RISK_TITLE)
    at_risk = wait_for_card(bubble, re.compile(rf"^{re.escape(AT_RISK_TITLE)}"))
    expect(cards(bubble)).to_have_count(1)
    expect(bubble).not_to_contain_text(SUMMARY_TITLE)
    rows = at_risk.locator("[role=button]").filter(has_text=re.compile(r"DR\d\d-\d\d"))
    expect(rows.first).to_be_visible()
    assert_fits(at_risk, width)
    _keep(page, "at-risk", at_risk, width)
    first_row = rows.first.inner_text()
    code = re.search(r"DR\d\d-\d\d", first_row)
    assert code, first_row

    rows.first.click()
    project = wait_for_card(bubble, re.compile(rf"{code[0]} · "))
    expect(cards(bubble)).to_have_count(1)
    expect(project).to_contain_text(T("Owner"))
    assert_fits(project, width)
    _keep(page, "project", project, width)
    expect(bot_messages(page)).to_have_count(count)  # each step replaced the card in place
    assert not stack.browser.console_errors, stack.browser.console_errors
    assert_loopback_only(stack)
