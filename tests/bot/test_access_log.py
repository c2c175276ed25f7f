"""The app's access log over real HTTP: a chart link's signature, and other credentials in a
query, never reach it."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from app import SERVICES_KEY
from bot.access_log import redact_target
from charts.signing import chart_url
from tests.support import activities as a
from tests.support.harness import BotHarness
from tests.support.polling import eventually
from tests.support.portfolio import OWNER

ACCESS_LOG = "aiohttp.access"


async def access_line(caplog: pytest.LogCaptureFixture, path: str, timeout: float = 10) -> str:
    """The access log line for ``path``: aiohttp writes it after the response has gone out,
    so the client can hold the answer before the line exists. Wait for it, up to a deadline."""

    def found() -> list[str]:
        lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOG]
        return [line for line in lines if f" {path}" in line]

    await eventually(
        lambda: bool(found()), within=timeout, every=0.01, what=f"no access log line for {path}"
    )
    return found()[-1]


async def test_a_chart_links_signature_is_not_in_the_access_log(
    sqlite_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    key = sqlite_bot.app[SERVICES_KEY].settings.chart_signing_key
    link = chart_url(
        sqlite_bot.url,
        "budget",
        {"lang": "fi", "year": "2026"},
        rights="money",
        ttl_seconds=600,
        key=key,
        now=int(time.time()),
    )
    signature = parse_qs(urlsplit(link).query)["sig"][0]
    async with sqlite_bot.http.get(link) as response:
        assert response.status == 200, "a link the bot signed shows its chart"
    line = await access_line(caplog, "/charts/budget.png")
    assert signature not in line
    assert signature[:16] not in line and signature[-16:] not in line
    assert "sig=REDACTED" in line
    assert "year=2026" in line and "r=money" in line, "what was asked for stays readable"
    assert '" 200 ' in line


@pytest.mark.parametrize(
    "query",
    [
        "token=tok-Kq7Zr2Xw9",
        "access_token=tok-Kq7Zr2Xw9",
        "code=tok-Kq7Zr2Xw9",
        "%73ig=tok-Kq7Zr2Xw9",
    ],
)
async def test_credentials_in_any_query_are_not_in_the_access_log(
    sqlite_bot: BotHarness, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    referer = f"https://teams.example/tab?{query}&page=2"
    async with sqlite_bot.http.get(
        f"{sqlite_bot.url}/healthz?check=1&{query}", headers={"Referer": referer}
    ) as response:
        assert response.status == 200
    line = await access_line(caplog, "/healthz")
    assert "tok-Kq7Zr2Xw9" not in line
    assert "check=1" in line and "page=2" in line


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/healthz", "/healthz"),
        ("/charts/x.png?a=1&sig=abc&b=2", "/charts/x.png?a=1&sig=REDACTED&b=2"),
        ("/x?sig=abc&sig=def", "/x?sig=REDACTED&sig=REDACTED"),
        ("/x?SIG=abc#frag", "/x?SIG=REDACTED#frag"),
        ("/x?flag&password=p", "/x?flag&password=REDACTED"),
    ],
)
def test_redact_target(target: str, expected: str) -> None:
    assert redact_target(target) == expected


async def test_a_turn_is_one_line_at_info_its_requests_access_line(
    sqlite_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    activity = a.message(OWNER, sqlite_bot.connector.url, "help secret words")
    status, _body = await sqlite_bot.post(activity)
    assert status == 201
    line = await access_line(caplog, "/api/messages")
    assert '"POST /api/messages HTTP/1.1" 201' in line
    assert f"type=message name= conversation={activity['conversation']['id']}" in line
    assert " turn " in line
    # the fake connector serves in this process too: its access lines are not the bot's
    info = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO and "/v3/conversations/" not in r.getMessage()
    ]
    assert info == [line], "the turn logs nothing more at INFO"
    assert "secret words" not in line, "never what the user typed"
