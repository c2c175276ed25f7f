"""Files out: signed links, the /files route, and Teams' file consent upload."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from app import SERVICES_KEY
from charts.signing import BadSignature, ExpiredSignature, chart_url
from exports.kinds import FileNotFound, MadeFile
from exports.links import file_url, signed_params, verify
from storage.db import SessionFactory
from tests.support import activities as a
from tests.support.harness import BotHarness
from tests.support.portfolio import OWNER, VIEWER

KEY = b"k" * 32
DATA = b"PK\x03\x04 a workbook, as far as this test cares"


async def _maker(params: Mapping[str, str], _sessions: SessionFactory) -> MadeFile:
    if params.get("year") == "1999":
        raise FileNotFound("1999")
    return MadeFile(f"sample-{params['year']}.xlsx", "application/octet-stream", DATA)


def test_a_link_verifies_as_signed_and_not_after_any_change() -> None:
    signed = signed_params("sample", {"year": "2025"}, rights="money", expires_at=2000, key=KEY)
    found = verify(signed, kind="sample", key=KEY, now=1000)
    assert (found.kind, dict(found.params), found.rights) == ("sample", {"year": "2025"}, "money")
    for changed in (
        {**signed, "year": "2026"},
        {**signed, "extra": "1"},
        {**signed, "r": "progress"},
        {**signed, "exp": "3000"},
    ):
        with pytest.raises(BadSignature):
            verify(changed, kind="sample", key=KEY, now=1000)
    with pytest.raises(BadSignature):
        verify(signed, kind="deck", key=KEY, now=1000)  # another kind
    with pytest.raises(ExpiredSignature):
        verify(signed, kind="sample", key=KEY, now=2000)


def test_a_chart_link_is_not_a_file_link() -> None:
    url = chart_url(
        "https://bot.example",
        "budget",
        {"year": "2025"},
        rights="money",
        ttl_seconds=60,
        key=KEY,
        now=1000,
    )
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=KEY, now=1000)


@pytest.fixture
def files(bot: BotHarness) -> BotHarness:
    bot.app[SERVICES_KEY].files.register("sample", _maker)
    return bot


async def test_the_route_serves_a_signed_file_and_refuses_a_changed_or_unknown_one(
    files: BotHarness,
) -> None:
    services = files.app[SERVICES_KEY]
    key = services.settings.chart_signing_key

    def link(params: dict[str, str]) -> str:
        url = file_url(
            files.url,
            "sample",
            params,
            rights="money",
            ttl_seconds=60,
            key=key,
            now=int(time.time()),
        )
        return url

    async with files.http.get(link({"year": "2025"})) as response:
        assert response.status == 200
        assert await response.read() == DATA
        assert "sample-2025.xlsx" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "private, no-store"
    async with files.http.get(link({"year": "2025"}).replace("2025", "2026")) as response:
        assert response.status == 403
    async with files.http.get(link({"year": "1999"})) as response:
        assert response.status == 404
    async with files.http.get(f"{files.url}/files/sample?year=2025") as response:
        assert response.status == 403


@pytest.fixture
async def onedrive() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """An upload session as Teams opens one in OneDrive, on loopback (local mode allows it)."""
    uploads: list[dict[str, Any]] = []

    async def put(request: web.Request) -> web.Response:
        uploads.append(
            {"range": request.headers.get("Content-Range"), "body": await request.read()}
        )
        return web.json_response({"id": "file-1"}, status=201)

    app = web.Application()
    app.router.add_put("/upload/{name}", put)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/upload/sample.xlsx")), uploads
    await server.close()


def _consent(
    files: BotHarness, user: a.User, upload_url: str, *, offered_to: str, action: str = "accept"
) -> dict[str, Any]:
    key = files.app[SERVICES_KEY].settings.chart_signing_key
    link = signed_params(
        "sample",
        {"year": "2025", "for": offered_to},
        rights="money",
        expires_at=int(time.time()) + 60,
        key=key,
    )
    return a._base(
        user,
        files.connector.url,
        "invoke",
        name="fileConsent/invoke",
        value={
            "type": "fileUpload",
            "action": action,
            "context": {"kind": "sample", "link": link},
            "uploadInfo": {
                "name": "sample-2025.xlsx",
                "uploadUrl": upload_url,
                "contentUrl": "https://contoso.sharepoint.com/sample-2025.xlsx",
                "uniqueId": "1150D938",
                "fileType": "xlsx",
            },
        },
    )


async def test_an_accepted_consent_uploads_the_file_and_shows_it(
    files: BotHarness, onedrive: tuple[str, list[dict[str, Any]]]
) -> None:
    upload_url, uploads = onedrive
    status, _ = await files.post(_consent(files, OWNER, upload_url, offered_to=OWNER.aad))
    assert status == 200
    assert uploads == [{"range": f"bytes 0-{len(DATA) - 1}/{len(DATA)}", "body": DATA}]
    [info] = [
        attachment
        for activity in files.connector.sent()
        for attachment in activity.get("attachments") or []
    ]
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["content"] == {"uniqueId": "1150D938", "fileType": "xlsx"}


async def test_a_consent_offered_to_someone_else_or_declined_uploads_nothing(
    files: BotHarness, onedrive: tuple[str, list[dict[str, Any]]]
) -> None:
    upload_url, uploads = onedrive
    status, _ = await files.post(_consent(files, VIEWER, upload_url, offered_to=OWNER.aad))
    assert status == 200
    status, _ = await files.post(
        _consent(files, OWNER, upload_url, offered_to=OWNER.aad, action="decline")
    )
    assert status == 200
    status, _ = await files.post(
        _consent(files, OWNER, "https://attacker.example/upload", offered_to=OWNER.aad)
    )
    assert status == 200
    assert uploads == []
    texts = [str(card) for card in files.connector.cards()]
    assert len(texts) == 3 and not any("file.info" in t for t in texts)
