"""bot.connector: the wire JSON is msrest's, and failures keep their status and Retry-After."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Entity,
    Mention,
    SuggestedActions,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from yarl import URL

from bot.connector import (
    LAST_WORD,
    Connector,
    ConnectorError,
    EnvironmentProxies,
    dumps,
    wire_json,
)
from bot.context import card_activity
from cards.elements import CONTENT_TYPE

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "ä €"}]}


def _addressed(activity: Activity) -> Activity:
    activity.conversation = ConversationAccount(
        id="a:1;messageid=2", conversation_type="personal", tenant_id="t"
    )
    activity.from_property = ChannelAccount(id="28:bot", name="Roadmap Bot")
    activity.recipient = ChannelAccount(id="29:u", name="Aino", aad_object_id="aad")
    activity.service_url = "http://127.0.0.1:9/"
    activity.channel_id = "msteams"
    activity.locale = "fi-FI"
    return activity


ACTIVITIES = {
    "card reply": lambda: _addressed(card_activity(CARD)),
    "card update": lambda: _addressed(
        Activity(
            id="1:abc",
            type=ActivityTypes.message,
            attachments=[Attachment(content_type=CONTENT_TYPE, content=dict(CARD))],
        )
    ),
    "text with mention and suggestions": lambda: _addressed(
        Activity(
            type=ActivityTypes.message,
            text="<at>Aino</at> hei",
            entities=[
                Mention(mentioned=ChannelAccount(id="29:u", name="Aino"), text="<at>Aino</at>"),
                Entity(type="clientInfo"),
            ],
            suggested_actions=SuggestedActions(
                actions=[CardAction(type="imBack", title="ohje", value="ohje")]
            ),
            channel_data={
                "tenant": {"id": "t"},
                "notification": {"alert": True},
                "sent": datetime(2026, 11, 2, 7, 0, 5, tzinfo=UTC),
            },
            timestamp=datetime(2026, 11, 2, 7, 0, 5, 120000, tzinfo=UTC),
            reply_to_id="f:1",
        )
    ),
}


@pytest.mark.parametrize("name", ACTIVITIES)
def test_wire_json_is_what_msrest_writes(name: str) -> None:
    activity = ACTIVITIES[name]()
    ours = json.loads(dumps(wire_json(activity)))
    for attachment in activity.attachments or []:  # msrest writes a dict subclass as its repr
        attachment.content = dict(attachment.content)
    assert ours == json.loads(json.dumps(activity.serialize()))


def test_the_sdks_copy_of_an_outgoing_card_leaves_the_original_as_built() -> None:
    built = card_activity(CARD)
    sent = copy.deepcopy(built)  # what TurnContext.send_activities does before addressing it
    TurnContext.apply_conversation_reference(
        sent, TurnContext.get_conversation_reference(_addressed(Activity(id="in-1")))
    )
    assert sent.attachments is not None and built.attachments is not None
    sent.attachments.append(Attachment(content_type="text/plain", content="x"))
    assert (built.conversation, built.recipient, built.reply_to_id) == (None, None, None)
    assert len(built.attachments) == 1
    assert sent.attachments[0].content is built.attachments[0].content, "the card is shared"
    assert wire_json(sent)["conversation"]["id"] == "a:1;messageid=2"


def test_a_value_json_cannot_write_is_refused_not_sent_as_text() -> None:
    activity = _addressed(Activity(type=ActivityTypes.message, channel_data={"x": object()}))
    with pytest.raises(TypeError):
        dumps(wire_json(activity))


@pytest.fixture
async def refusing() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def reply(request: web.Request) -> web.Response:
        seen.append(
            {
                "method": request.method,
                "raw_path": request.raw_path,
                "auth": request.headers.get("Authorization"),
                "conversation": request.headers.get("x-ms-conversation-id"),
                "body": await request.json(),
            }
        )
        if request.match_info["cid"] == "throttled":
            return web.json_response(
                {"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "3"}
            )
        if request.match_info["cid"] == "flaky" and len(seen) == 1:
            return web.json_response({}, status=503)
        return web.json_response({"id": "sent-1"}, status=201)

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", reply)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", reply)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/")), seen
    await server.close()


@pytest.fixture
async def sender() -> AsyncIterator[Connector]:
    """The connector as the adapter holds it, retrying at once, closed after the test."""
    connector = Connector(timeout_seconds=5)
    connector.RETRY_DELAY_SECONDS = 0
    yield connector
    await connector.close()


def _client(url: str) -> ConnectorClient:
    """The SDK's client for a service URL, in local mode (no app id)."""
    return ConnectorClient(MicrosoftAppCredentials("", ""), base_url=url)


async def test_a_reply_is_posted_under_its_conversation_and_a_429_keeps_retry_after(
    refusing: tuple[str, list[dict[str, Any]]], sender: Connector
) -> None:
    url, seen = refusing
    activity = _addressed(card_activity(CARD))
    activity.reply_to_id = "f:1"
    response = await sender.send(_client(url), activity)
    activity.conversation.id = "throttled"
    with pytest.raises(ConnectorError) as refused:
        await sender.send(_client(url), activity)
    assert response.id == "sent-1"
    assert (refused.value.status, refused.value.retry_after) == (429, 3.0)
    assert "Throttled" in str(refused.value)  # Teams' reason is kept
    assert len(seen) == 2, "a POST that reached the connector is not sent again"
    # percent-encoded on the wire, as the SDK sends it
    assert seen[0]["raw_path"] == "/v3/conversations/a%3A1%3Bmessageid%3D2/activities/f%3A1"
    assert seen[0]["conversation"] == "a:1;messageid=2"
    assert seen[0]["auth"] is None  # local mode: no app id, no token, as the SDK does
    assert seen[0]["body"]["attachments"][0]["content"] == CARD


async def test_an_update_is_retried_once_after_a_5xx(
    refusing: tuple[str, list[dict[str, Any]]], sender: Connector
) -> None:
    url, seen = refusing
    activity = _addressed(card_activity(CARD))
    activity.conversation.id = "flaky"
    activity.id = "1:abc"
    response = await sender.update(_client(url), activity)
    assert response.id == "sent-1"
    assert [s["method"] for s in seen] == ["PUT", "PUT"]


async def test_an_unreachable_connector_is_a_connector_error_without_status(
    sender: Connector,
) -> None:
    client = _client("http://127.0.0.1:9/")
    with pytest.raises(ConnectorError) as failed:
        await sender.send(client, _addressed(card_activity(CARD)))
    assert failed.value.status is None
    await sender.close()
    with pytest.raises(ConnectorError):  # closed for good: no new session behind our back
        await sender.send(client, _addressed(card_activity(CARD)))


def test_the_proxy_comes_from_the_environment_unless_no_proxy_lists_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.internal.example")
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    connector = Connector(timeout_seconds=1)
    teams = URL("https://smba.trafficmanager.net/emea/v3/conversations", encoded=True)
    assert connector.proxy_for(teams) == "http://proxy.example:3128"
    assert connector.proxy_for(URL("https://bot.internal.example/x")) is None
    assert connector.proxy_for(URL("http://smba.trafficmanager.net/x")) is None  # no HTTP_PROXY


def test_the_proxy_answers_are_kept_for_the_most_recent_origins_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    connector = Connector(timeout_seconds=1)
    hosts = [f"https://tenant-{i}.example/" for i in range(EnvironmentProxies.CACHE_SIZE + 50)]
    for host in hosts:
        assert connector.proxy_for(URL(host)) == "http://proxy.example:3128"
    kept = {f"https://{host}/" for _, host in connector._proxies._by_origin}
    assert kept == set(hosts[-EnvironmentProxies.CACHE_SIZE :])


class _Refused(Exception):
    pass


async def test_a_last_word_that_refuses_as_the_body_is_written_sends_nothing(
    refusing: tuple[str, list[dict[str, Any]]], sender: Connector
) -> None:
    """The lease check runs inside aiohttp's body writer: after the connection is taken
    and everything awaited, with the headers still held back. A refusal there reaches the
    caller as it was raised, and the connector sees no request at all."""
    url, seen = refusing
    calls: list[str] = []

    def agree() -> None:
        calls.append("agree")

    def refuse() -> None:
        calls.append("refuse")
        raise _Refused("the lease ran out")

    activity = _addressed(card_activity(CARD))
    activity.reply_to_id = "f:1"
    token = LAST_WORD.set(agree)
    try:
        response = await sender.send(_client(url), activity)
    finally:
        LAST_WORD.reset(token)
    token = LAST_WORD.set(refuse)
    try:
        with pytest.raises(_Refused):
            await sender.send(_client(url), activity)
    finally:
        LAST_WORD.reset(token)
    await sender.send(_client(url), activity)  # no last word set: sent as before

    assert response.id == "sent-1"
    assert calls == ["agree", "refuse"]
    assert len(seen) == 2, "the refused post never reached the connector"
    assert seen[0]["body"]["attachments"][0]["content"] == CARD
