"""The portfolio's files in the Microsoft 365 Agents Playground, in a real headless Chromium.

Aino Virtanen (an admin; answered in Finnish) asks for the workbook (``vie``) and gets a
card with a signed download link (the Playground has no OneDrive, so no file consent
card: local mode gives the link). She edits a project's name in it and sends it back:
the Playground's "Mock an Activity" (its custom-activity endpoint) posts the file
attachment Teams would, with the file served on 127.0.0.1. The report card comes back
with its Apply button; she applies it, ``yhteenveto`` still answers, and a new export
holds the new name. Then ``kalvot 2025`` gives the board deck, a pptx that opens.
"""

from __future__ import annotations

import contextlib
import io
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from pptx import Presentation

from tests.e2e.playground.pages import click_card_button, send_message, wait_for_card
from tests.e2e.roadmap_stack import (
    PERSONAL_CHAT_ID,
    STEP_TIMEOUT_MS,
    Stack,
    assert_loopback_only,
    query,
    shot,
)
from tests.support.workbooks import column_of, edit, row_of, title

pytestmark = pytest.mark.e2e

WORKBOOK_TITLE = "Salkun työkirja"
DECK_TITLE = "Hallituksen kalvot: tiekartta 2025"
APPLY = "Ota käyttöön"
APPLIED = "Otettu käyttöön: muokattu.xlsx"
RENAMED = "Kartalla, muokattu Excelissä"
CODE = "DR24-03"
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


@pytest.fixture(scope="module")
def file_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Where "Teams" keeps the file Aino sends: a loopback server the bot may read."""
    files: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            if body is not None:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", files
    finally:
        server.shutdown()
        server.server_close()


def _latest_link(stack: Stack, card_title: str) -> str:
    """The download link on the newest card titled ``card_title`` the bot sent."""
    for activity in reversed(stack.playground.activities_from_bot()):
        for attachment in activity.get("attachments") or []:
            card = attachment.get("content") or {}
            if card_title in str(card.get("body")):
                [action] = [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
                return str(action["url"])
    raise AssertionError(f"no card {card_title!r} from the bot")


def _download(url: str) -> bytes:
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback, checked)
        assert response.status == 200
        return bytes(response.read())


def _export(stack: Stack, page: Page) -> bytes:
    send_message(page, "vie")
    wait_for_card(page, WORKBOOK_TITLE, timeout_ms=STEP_TIMEOUT_MS * 2)
    return _download(_latest_link(stack, WORKBOOK_TITLE))


def _send_file(stack: Stack, url: str, name: str) -> None:
    """What Teams posts when Aino drops a file into the chat (``supportsFiles``)."""
    activity = stack.playground.activity_template(PERSONAL_CHAT_ID)
    activity.update(
        type="message",
        text="",
        attachments=[
            {
                "contentType": DOWNLOAD_INFO,
                "name": name,
                "content": {"downloadUrl": url, "uniqueId": "e2e-1", "fileType": "xlsx"},
            }
        ],
    )
    stack.playground.send_custom_activity(activity)


def test_aino_exports_edits_imports_and_applies_the_workbook(
    stack: Stack, page: Page, file_server: tuple[str, dict[str, bytes]]
) -> None:
    base, files = file_server
    exported = _export(stack, page)
    shot(page, "files-01-export-link")
    assert title("people", "fi") in load_workbook(io.BytesIO(exported)).sheetnames

    def rename(workbook: Any) -> None:
        ws = workbook[title("projects", "fi")]
        ws.cell(row_of(ws, CODE), column_of(ws, "projects", "name_fi")).value = RENAMED

    files["muokattu.xlsx"] = edit(exported, rename)
    _send_file(stack, base + "muokattu.xlsx", "muokattu.xlsx")
    report = wait_for_card(page, "muokattu.xlsx", timeout_ms=STEP_TIMEOUT_MS * 2)
    shot(page, "files-02-import-report", report)
    with contextlib.suppress(Exception):
        report.scroll_into_view_if_needed()
    click_card_button(report, APPLY)
    wait_for_card(page, APPLIED, timeout_ms=STEP_TIMEOUT_MS * 2)
    shot(page, "files-03-applied")
    [row] = query(stack.database, "SELECT name_fi FROM project WHERE code = ?", CODE)
    assert row["name_fi"] == RENAMED

    send_message(page, "yhteenveto")
    wait_for_card(page, "Tilannekatsaus")
    again = load_workbook(io.BytesIO(_export(stack, page)))[title("projects", "fi")]
    assert again.cell(row_of(again, CODE), column_of(again, "projects", "name_fi")).value == RENAMED
    assert_loopback_only(stack)


def test_aino_gets_the_board_deck(stack: Stack, page: Page) -> None:
    send_message(page, "kalvot 2025")
    wait_for_card(page, DECK_TITLE, timeout_ms=STEP_TIMEOUT_MS * 4)
    shot(page, "files-04-deck-link")
    deck = Presentation(io.BytesIO(_download(_latest_link(stack, DECK_TITLE))))
    texts = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert len(deck.slides) > 10
    assert any("2025" in text for text in texts)
