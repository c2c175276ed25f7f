"""The workbook in Teams: export for managers and admins, import and Apply for admins."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook
from sqlmodel import col, select
from yarl import URL

from exports.kinds import FileNotFound
from exports.makers import make_import_errors
from storage.demo import DEMO_MANAGER_AAD, DEMO_VIEWER_AAD
from storage.models import AuditLog, PendingImport, Project
from tests.bot.conftest import DEMO_ADMIN_AAD, OTHER_ADMIN_AAD
from tests.support import activities as a
from tests.support.activities import User
from tests.support.cards import texts
from tests.support.harness import BotHarness
from tests.support.workbooks import column_of, edit, row_of, title

ADMIN = User("29:admin", DEMO_ADMIN_AAD, "Anna Admin", "en-GB")
MANAGER = User("29:manager", DEMO_MANAGER_AAD, "Björn Lindqvist", "en-GB")
VIEWER = User("29:viewer", DEMO_VIEWER_AAD, "Emilia Nyström", "en-GB")
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def _download_url(bot: BotHarness, card: dict[str, Any]) -> str:
    """The card's link, on the test server's port (the link names the configured one)."""
    [action] = [x for x in card.get("actions", []) if x["type"] == "Action.OpenUrl"]
    url = URL(str(action["url"]))
    assert url.path.startswith("/files/")
    return str(URL(bot.url).with_path(url.path).with_query(url.query))


async def _export(bot: BotHarness, user: User) -> tuple[dict[str, Any], bytes | None]:
    before = len(bot.connector.cards())
    status, _ = await bot.post(a.message(user, bot.connector.url, "export"))
    assert status == 201
    [card] = bot.connector.cards()[before:]
    if not any(x["type"] == "Action.OpenUrl" for x in card.get("actions", [])):
        return card, None
    async with bot.http.get(_download_url(bot, card)) as response:
        assert response.status == 200
        return card, await response.read()


async def test_admins_and_managers_export_the_workbook_and_others_are_refused(
    demo_bot: BotHarness,
) -> None:
    _, full = await _export(demo_bot, ADMIN)
    _, without_people = await _export(demo_bot, MANAGER)
    refused, nothing = await _export(demo_bot, VIEWER)
    assert full is not None and without_people is not None
    sheets = load_workbook(io.BytesIO(full)).sheetnames
    assert title("people") in sheets
    assert title("people") not in load_workbook(io.BytesIO(without_people)).sheetnames
    assert set(sheets) - {title("people")} == set(
        load_workbook(io.BytesIO(without_people)).sheetnames
    )
    assert nothing is None
    assert "Only managers and programme admins can do that." in texts(refused)
    async with demo_bot.sessions() as session:
        audit = (
            await session.exec(select(AuditLog).where(col(AuditLog.action) == "refused"))
        ).all()
    assert [(r.entity_id, r.details["reason"]) for r in audit] == [("export", "not_manager")]


@pytest.fixture
async def onedrive() -> AsyncIterator[tuple[str, dict[str, bytes], list[str]]]:
    """Where Teams keeps a sent file: on loopback, which local mode lets the bot read."""
    stored: dict[str, bytes] = {}
    fetched: list[str] = []

    async def get(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        fetched.append(name)
        return web.Response(body=stored[name])

    app = web.Application()
    app.router.add_get("/files/{name}", get)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/files/")), stored, fetched
    await server.close()


def _sent(bot: BotHarness, user: User, url: str, name: str) -> dict[str, Any]:
    activity = a.message(user, bot.connector.url, "")
    activity["attachments"] = [
        {
            "contentType": DOWNLOAD_INFO,
            "name": name,
            "content": {"downloadUrl": url, "uniqueId": "u-1", "fileType": "xlsx"},
        }
    ]
    return activity


async def _project_name(bot: BotHarness, code: str) -> str:
    async with bot.sessions() as session:
        project = (await session.exec(select(Project).where(col(Project.code) == code))).one()
    return project.name_en


async def test_an_admin_sends_a_workbook_sees_the_report_and_applies_it(
    demo_bot: BotHarness, onedrive: tuple[str, dict[str, bytes], list[str]]
) -> None:
    base, stored, fetched = onedrive
    _, exported = await _export(demo_bot, ADMIN)
    assert exported is not None
    projects = load_workbook(io.BytesIO(exported))[title("projects")]
    code = projects.cell(2, 1).value
    assert isinstance(code, str)

    def rename(workbook: Any) -> None:
        ws = workbook[title("projects")]
        ws.cell(row_of(ws, code), column_of(ws, "projects", "name_en")).value = "Renamed in Excel"

    stored["edited.xlsx"] = edit(exported, rename)
    before = len(demo_bot.connector.cards())
    await demo_bot.post(_sent(demo_bot, ADMIN, base + "edited.xlsx", "edited.xlsx"))
    [report] = demo_bot.connector.cards()[before:]
    assert "edited.xlsx" in texts(report)
    assert "1 changed" in texts(report)
    [apply] = [x for x in report["actions"] if x["type"] == "Action.Execute"]
    assert await _project_name(demo_bot, code) != "Renamed in Excel", "nothing before Apply"

    # another admin's Apply, or a changed one, is not this file's
    other = User("29:other-admin", OTHER_ADMIN_AAD, "Other Admin", "en-GB")
    status, body = await demo_bot.post(
        a.execute(other, demo_bot.connector.url, apply["verb"], apply["data"])
    )
    assert status == 200 and "no longer waiting" in texts(body["value"])
    status, body = await demo_bot.post(
        a.execute(ADMIN, demo_bot.connector.url, apply["verb"], {**apply["data"], "digest": "0"})
    )
    assert "no longer waiting" in texts(body["value"])

    status, body = await demo_bot.post(
        a.execute(ADMIN, demo_bot.connector.url, apply["verb"], apply["data"])
    )
    assert status == 200
    assert "Applied: edited.xlsx" in texts(body["value"])
    assert await _project_name(demo_bot, code) == "Renamed in Excel"
    status, body = await demo_bot.post(
        a.execute(ADMIN, demo_bot.connector.url, apply["verb"], apply["data"])
    )
    assert "no longer waiting" in texts(body["value"]), "applied once"
    assert fetched == ["edited.xlsx"]


async def test_a_workbook_with_errors_has_no_apply_and_changes_nothing(
    demo_bot: BotHarness, onedrive: tuple[str, dict[str, bytes], list[str]]
) -> None:
    base, stored, _ = onedrive
    _, exported = await _export(demo_bot, ADMIN)
    assert exported is not None

    def break_progress(workbook: Any) -> None:
        ws = workbook[title("projects")]
        ws.cell(2, column_of(ws, "projects", "progress")).value = 1.5

    stored["broken.xlsx"] = edit(exported, break_progress)
    before = len(demo_bot.connector.cards())
    await demo_bot.post(_sent(demo_bot, ADMIN, base + "broken.xlsx", "broken.xlsx"))
    [report, errors_link] = demo_bot.connector.cards()[before:]
    assert "Nothing was changed" in texts(report)
    assert "150" in texts(report)
    assert not [x for x in report.get("actions", []) if x["type"] == "Action.Execute"]

    # the errors come as a workbook too: sheet, row, column and message of each
    assert "The errors in broken.xlsx" in texts(errors_link)
    async with demo_bot.http.get(_download_url(demo_bot, errors_link)) as response:
        assert response.status == 200
        assert "broken-errors.xlsx" in response.headers.get("Content-Disposition", "")
        errors = load_workbook(io.BytesIO(await response.read()))
    [sheet] = errors.worksheets
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Sheet", "Row", "Column", "Message", "Kind")
    assert rows[1:] == [
        (
            title("projects"),
            2,
            "Progress",
            "A percentage from 0 to 100 is needed, not 150 %.",
            "Error",
        )
    ]
    assert sheet.freeze_panes == "A2" and "T_errors" in sheet.tables

    # the file is kept as the sender's pending import: another person's id makes nothing
    async with demo_bot.sessions() as session:
        [pending] = (await session.exec(select(PendingImport))).all()
    assert pending.file_name == "broken.xlsx"
    params = {"lang": "fi", "import": str(pending.id), "person": str(pending.person_id)}
    finnish = await make_import_errors(params, demo_bot.sessions)
    [sheet] = load_workbook(io.BytesIO(finnish.data)).worksheets
    assert next(sheet.iter_rows(values_only=True)) == (
        "Välilehti",
        "Rivi",
        "Sarake",
        "Viesti",
        "Laji",
    )
    with pytest.raises(FileNotFound):
        await make_import_errors(
            {**params, "person": str(pending.person_id + 1)}, demo_bot.sessions
        )


async def test_only_admins_import_and_the_file_is_not_even_read(
    demo_bot: BotHarness, onedrive: tuple[str, dict[str, bytes], list[str]]
) -> None:
    base, stored, fetched = onedrive
    stored["x.xlsx"] = b"never read"
    before = len(demo_bot.connector.cards())
    await demo_bot.post(_sent(demo_bot, MANAGER, base + "x.xlsx", "x.xlsx"))
    [refused] = demo_bot.connector.cards()[before:]
    assert "Only programme admins can do that." in texts(refused)
    assert fetched == []


async def test_a_file_from_another_host_is_not_downloaded(demo_bot: BotHarness) -> None:
    before = len(demo_bot.connector.cards())
    await demo_bot.post(_sent(demo_bot, ADMIN, "https://attacker.example/x.xlsx", "x.xlsx"))
    [notice] = demo_bot.connector.cards()[before:]
    assert "it is not stored where Teams keeps files" in texts(notice)
    assert json.dumps(notice).count("attacker") == 0


async def test_asked_in_a_channel_the_file_goes_to_the_personal_chat(
    demo_bot: BotHarness,
) -> None:
    await demo_bot.post(a.personal_install(MANAGER, demo_bot.connector.url))
    message = a.in_conversation(a.message(MANAGER, demo_bot.connector.url, "export"), "channel")
    status, _ = await demo_bot.post(message)
    assert status == 201
    in_channel = [
        c.body
        for c in demo_bot.connector.calls
        if c.method == "POST" and c.conversation_id == message["conversation"]["id"]
    ]
    assert "I sent the file to our 1:1 chat." in json.dumps(in_channel)
    assert "/files/" not in json.dumps(in_channel), "no link where everyone reads it"
    in_personal = [
        c.body
        for c in demo_bot.connector.calls
        if c.method == "POST" and c.conversation_id == MANAGER.conversation
    ]
    assert "/files/workbook" in json.dumps(in_personal)
