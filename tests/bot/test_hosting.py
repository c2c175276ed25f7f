"""The HTTP edge: the two botbuilder 4.17 defects, authentication, caching, health, tenants."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes
from pydantic import ValidationError

from app import create_app
from bot.adapter import ADAPTER_KEY, create_adapter
from bot.authentication import CLIENT_CACHE_SIZE, CachingBotFrameworkAuthentication
from bot.roadmap_bot import card_invoke_response
from settings import Settings
from tests.support import activities as a
from tests.support.connector import FakeConnector
from tests.support.harness import BotHarness, serve_bot
from tests.support.portfolio import OWNER
from tests.support.state import snapshot

APP_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cr3t-value-never-logged"


@pytest.fixture
async def authenticated_bot(sqlite_url: str) -> AsyncIterator[tuple[str, ClientSession]]:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword=SECRET,
        MicrosoftAppTenantId="tenant-porvoo",
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield str(server.make_url("")).rstrip("/"), http
    await server.close()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer not.a.jwt",
        "Basic dXNlcjpwYXNz",
        "garbage",
        "Bearer " + "a" * 5000,
    ],
)
async def test_missing_or_malformed_authorization_gets_401(
    authenticated_bot: tuple[str, ClientSession],
    header: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, http = authenticated_bot
    headers = {"Authorization": header} if header is not None else {}
    caplog.set_level(logging.DEBUG)
    activity = a.message(OWNER, "http://127.0.0.1:9/", "help")
    async with http.post(f"{url}/api/messages", json=activity, headers=headers) as response:
        assert response.status == 401
    assert SECRET not in caplog.text


async def test_stock_cloud_adapter_answers_500_to_an_invoke_with_a_body(sqlite_url: str) -> None:
    """Why bot/hosting.py handles the request itself: the SDK as shipped fails this invoke."""
    adapter = create_adapter(Settings(DATABASE_URL=sqlite_url, _env_file=None))

    class Bot:
        async def on_turn(self, context: TurnContext) -> None:
            response = card_invoke_response({"type": "AdaptiveCard", "version": "1.5", "body": []})
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=response)
            )

    async def stock(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, Bot())
        return response

    app = web.Application()
    app.router.add_post("/api/messages", stock)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            activity = a.execute(OWNER, "http://127.0.0.1:9/", "status.refresh", {})
            async with http.post(server.make_url("/api/messages"), json=activity) as response:
                assert response.status == 500
    finally:
        await server.close()


async def test_our_edge_answers_the_same_invoke_with_200_and_the_card(
    sqlite_bot: BotHarness,
) -> None:
    data = {
        "verb": "status.refresh",
        "project_id": sqlite_bot.portfolio.kartalla_id,
        "period": "2000-01",
    }
    status, body = await sqlite_bot.post(
        a.execute(OWNER, sqlite_bot.connector.url, "status.refresh", data)
    )
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard"


async def test_connector_clients_are_built_once_per_service_url(
    sqlite_bot: BotHarness, connector: FakeConnector
) -> None:
    auth = sqlite_bot.app[ADAPTER_KEY].bot_framework_authentication
    assert isinstance(auth, CachingBotFrameworkAuthentication)
    for _ in range(3):
        await sqlite_bot.post(a.message(OWNER, connector.url, "help"))
    assert len(connector.sent()) == 3
    assert list(auth._connectors) == [("", connector.url, auth.get_originating_audience())]
    assert len(auth._token_clients) == 1


async def test_expect_replies_get_their_cards_as_json_in_the_response(
    sqlite_bot: BotHarness, connector: FakeConnector
) -> None:
    """The SDK writes buffered replies with msrest; ours are written as the connector's."""
    activity = a.message(OWNER, connector.url, "help")
    activity["deliveryMode"] = "expectReplies"
    status, body = await sqlite_bot.post(activity)
    assert status == 200
    assert connector.sent() == []  # nothing went to the connector
    [reply] = body["activities"]
    assert reply["replyToId"] == activity["id"]
    assert reply["attachments"][0]["content"]["type"] == "AdaptiveCard"


async def test_health_and_readiness(sqlite_bot: BotHarness) -> None:
    async with sqlite_bot.http.get(f"{sqlite_bot.url}/healthz") as response:
        assert response.status == 200
    async with sqlite_bot.http.get(f"{sqlite_bot.url}/readyz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ready"


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Any) -> None:
    settings = Settings(
        DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:9/none",
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http, http.get(server.make_url("/readyz")) as response:
            assert response.status == 503
    finally:
        await server.close()


async def test_other_tenants_are_ignored(sqlite_url: str, connector: FakeConnector) -> None:
    settings = Settings(
        DATABASE_URL=sqlite_url,
        ALLOWED_TENANTS="another-tenant",
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    async for bot in serve_bot(sqlite_url, connector, settings):
        before = await snapshot(bot.sessions)
        invoke_status, _ = await bot.post(
            a.execute(OWNER, connector.url, "status.submit", {"verb": "status.submit"})
        )
        message_status, _ = await bot.post(a.message(OWNER, connector.url, "help"))
        assert (invoke_status, message_status) == (403, 201)
        assert not connector.calls
        assert await snapshot(bot.sessions) == before


def test_refuses_to_listen_publicly_without_credentials() -> None:
    with pytest.raises(ValidationError, match="loopback"):
        Settings(HOST="0.0.0.0", _env_file=None)  # noqa: S104 (the point of the test)
    assert Settings(HOST="::1", _env_file=None).is_loopback


@pytest.mark.parametrize(
    "values",
    [
        {"MicrosoftAppId": "not-a-guid", "MicrosoftAppPassword": "x", "MicrosoftAppTenantId": "t"},
        {"MicrosoftAppId": APP_ID, "MicrosoftAppTenantId": "t"},
        {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "changeme", "MicrosoftAppTenantId": "t"},
        {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": SECRET},
        {"TIMEZONE": "Mars/Olympus"},
    ],
)
def test_unsafe_settings_are_refused(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        Settings(**values, _env_file=None)
    assert SECRET not in str(error.value)


def test_secrets_are_not_in_the_settings_repr() -> None:
    settings = Settings(
        MicrosoftAppId=APP_ID, MicrosoftAppPassword=SECRET, MicrosoftAppTenantId="t", _env_file=None
    )
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())


@pytest.mark.parametrize(
    "service_url", ["not a url", "ftp://files.example/", "http://[::1", "/v3/"]
)
async def test_a_service_url_no_reply_could_reach_gets_400_and_changes_nothing(
    sqlite_bot: BotHarness, service_url: str
) -> None:
    before = await snapshot(sqlite_bot.sessions)
    status, _ = await sqlite_bot.post(a.message(OWNER, service_url, "help"))
    assert status == 400
    assert await snapshot(sqlite_bot.sessions) == before


async def test_a_reply_that_cannot_be_sent_gets_502_and_one_log_line(
    sqlite_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, body = await sqlite_bot.post(a.message(OWNER, "http://127.0.0.1:9/", "help"))
    assert status == 502
    assert body == {"error": "the reply could not be delivered to serviceUrl"}
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" (")[0] for r in problems] == [
        "turn failed: a reply could not be sent"
    ]
    assert problems[0].exc_info is None
    assert "Traceback" not in caplog.text


async def test_a_refused_reply_and_a_refused_apology_get_502(
    sqlite_bot: BotHarness, connector: FakeConnector
) -> None:
    connector.fail_next = [403, 403]  # the help card, then the apology
    status, _ = await sqlite_bot.post(a.message(OWNER, connector.url, "help"))
    assert status == 502
    assert len(connector.calls) == 2


async def test_a_refused_reply_whose_apology_arrives_is_answered_as_handled(
    sqlite_bot: BotHarness, connector: FakeConnector
) -> None:
    connector.fail_next = [400]  # the help card only
    status, _ = await sqlite_bot.post(a.message(OWNER, connector.url, "help"))
    assert status == 201
    [_, apology] = connector.calls
    assert "'color': 'Warning'" in str(apology.body)  # the apology, in the owner's Finnish


async def test_connector_clients_are_kept_for_the_most_recent_service_urls_only(
    sqlite_bot: BotHarness,
) -> None:
    auth = sqlite_bot.app[ADAPTER_KEY].bot_framework_authentication
    assert isinstance(auth, CachingBotFrameworkAuthentication)
    urls = [f"http://127.0.0.1:9/tenant-{i}/" for i in range(CLIENT_CACHE_SIZE + 10)]
    for url in urls:  # an invoke answers in the response: nothing is sent to these
        status, _ = await sqlite_bot.post(a.execute(OWNER, url, "status.refresh", {}))
        assert status == 200
    kept = {service_url for _, service_url, _ in auth._connectors}
    assert kept == set(urls[-CLIENT_CACHE_SIZE:])
