"""The HTTP edge: CloudAdapter, authentication with cached clients, ``POST /api/messages``.

Two botbuilder 4.17 defects are worked around here rather than patched in the SDK:
- ``CloudAdapter.process`` serialises an invoke response body a second time and so
  answers 500 to every invoke that has one (``adaptiveCard/action``). We handle the
  request ourselves and write the body once.
- A malformed ``Authorization`` header raises an arbitrary exception and becomes 500;
  we authenticate before the turn and answer 401. The token itself is checked by
  ``bot.channel_auth``, not by the SDK, whose key fetch blocks the event loop: 401 for
  a refused token, 503 while the signing keys can't be had, one log line each.
It also caches the connector and user-token clients per service URL and audience:
CloudAdapter otherwise builds both for every incoming activity. The caches are LRU-bounded,
as the service URL is whatever the caller posts. A ``serviceUrl`` that is not an http(s)
URL gets 400, and a turn whose reply (and apology) could not be delivered gets 502. Messages
and updates are sent through ``bot.connector`` rather than the SDK's msrest client (see
there why).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any

import orjson
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.serialization import Model
from yarl import URL

from bot.channel_auth import (
    CALLER_ID,
    RETRY_SECONDS,
    ChannelAuthentication,
    KeysUnavailable,
    OpenIdKeys,
    RateLimitedLog,
    Unauthorized,
)
from bot.connector import Connector, dumps, wire_json
from bot.context import UNDELIVERED_KEY
from bot.lru import LruCache
from settings import Settings

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
CONNECTOR_TIMEOUT_SECONDS = 15
# connector and token clients kept, the most recently used (Teams uses a handful of service URLs)
CLIENT_CACHE_SIZE = 64


class CachingConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """Hands out one connector client per (service URL, audience) instead of one per turn."""

    def __init__(
        self,
        inner: ConnectorFactory,
        cache: LruCache[tuple[str, str, str], ConnectorClient],
        key: str,
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._key = key

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        cache_key = (self._key, service_url, audience or "")
        client = self._cache.get(cache_key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            # msrest waits 100 s by default: longer than an outbox claim lives
            client.config.connection.timeout = CONNECTOR_TIMEOUT_SECONDS
            self._cache.put(cache_key, client)
        return client


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """Delegates to the SDK's authentication, caching the clients it builds.

    An incoming request's token is checked by ``bot.channel_auth``, not by the SDK, whose
    key fetch blocks the event loop. The caches are bounded: ``serviceUrl`` is the caller's.
    """

    def __init__(self, inner: BotFrameworkAuthentication, channel: ChannelAuthentication) -> None:
        self._inner = inner
        self.channel = channel
        self._connectors: LruCache[tuple[str, str, str], ConnectorClient] = LruCache(
            CLIENT_CACHE_SIZE
        )
        self._token_clients: LruCache[str, UserTokenClient] = LruCache(CLIENT_CACHE_SIZE)

    @staticmethod
    def _app_key(claims: ClaimsIdentity | None) -> str:
        if claims is None or not claims.claims:
            return ""
        return str(
            claims.claims.get("appid") or claims.claims.get("azp") or claims.claims.get("aud") or ""
        )

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """The SDK's result for an activity: without credentials and without a token, its
        anonymous identity; otherwise the token as ``bot.channel_auth`` checks it (in local
        mode every token is refused, as the SDK refuses it, but without a key fetch)."""
        if not auth_header and not self.channel.app_id:
            result = await self._inner.authenticate_request(activity, auth_header)
        else:
            identity = await self.channel.authenticate(activity, auth_header)
            result = AuthenticateRequestResult()
            result.claims_identity = identity
            result.audience = self._inner.get_originating_audience()
            result.caller_id = CALLER_ID
            result.connector_factory = self._inner.create_connector_factory(identity)
        if result.connector_factory is not None:
            result.connector_factory = CachingConnectorFactory(
                result.connector_factory, self._connectors, self._app_key(result.claims_identity)
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            self._connectors,
            self._app_key(claims_identity),
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = self._app_key(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients.put(key, client)
        return client

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    async def close(self) -> None:
        await self.channel.keys.close()


class RoadmapAdapter(CloudAdapter):  # type: ignore[misc]
    """CloudAdapter whose messages and updates go out through ``bot.connector``.

    Everything else (delays, invoke responses, traces, creating conversations, rosters) is
    the SDK's own.
    """

    # the SDK's own activity types, which never reach the connector as a message
    _SDK_TYPES = frozenset({"delay", ActivityTypes.invoke_response, ActivityTypes.trace})

    def __init__(self, authentication: BotFrameworkAuthentication) -> None:
        super().__init__(authentication)
        self.connector = Connector(CONNECTOR_TIMEOUT_SECONDS)

    def _client(self, context: TurnContext) -> ConnectorClient:
        client: ConnectorClient | None = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY)
        if client is None:
            raise RuntimeError("no connector client for this turn")
        return client

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            if activity.type in self._SDK_TYPES:
                responses += await super().send_activities(context, [activity])
                continue
            activity.id = None
            responses.append(await self.connector.send(self._client(context), activity))
        return responses

    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        response = await self.connector.update(self._client(context), activity)
        return response if response.id else None  # as the SDK's

    def _process_turn_results(self, context: TurnContext) -> InvokeResponse | None:
        """``expectReplies``: the buffered replies, written as ``bot.connector`` writes them.

        The SDK writes them with msrest, which would turn a card into its Python ``repr``.
        """
        if context.turn_state.get(UNDELIVERED_KEY):
            return InvokeResponse(
                status=int(HTTPStatus.BAD_GATEWAY),
                body={"error": "the reply could not be delivered to serviceUrl"},
            )
        if context.activity.delivery_mode == DeliveryModes.expect_replies:
            return InvokeResponse(
                status=int(HTTPStatus.OK),
                body=orjson.loads(
                    dumps({"activities": [wire_json(a) for a in context.buffered_reply_activities]})
                ),
            )
        response: InvokeResponse | None = super()._process_turn_results(context)
        return response

    async def close(self) -> None:
        await self.connector.close()
        authentication = self.bot_framework_authentication
        if isinstance(authentication, CachingBotFrameworkAuthentication):
            await authentication.close()


ADAPTER_KEY = web.AppKey("adapter", RoadmapAdapter)


def create_adapter(settings: Settings) -> RoadmapAdapter:
    """The adapter with ConfigurationBotFrameworkAuthentication; no app id means local mode."""
    configuration = SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password.get_secret_value(),
        # The SDK's local mode (authentication off) exists only under its MultiTenant branch.
        APP_TYPE=settings.app_type if settings.auth_enabled else "MultiTenant",
        APP_TENANTID=settings.app_tenant_id,
    )
    inner = ConfigurationBotFrameworkAuthentication(configuration)
    channel = ChannelAuthentication(
        app_id=settings.app_id, keys=OpenIdKeys(settings.openid_metadata_url)
    )
    return RoadmapAdapter(CachingBotFrameworkAuthentication(inner, channel))


def _is_http_url(value: object) -> bool:
    try:
        url = URL(str(value))
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


def _invoke_body(response: InvokeResponse) -> Any:
    body = response.body
    return serializer_helper(body) if isinstance(body, Model) else body


TurnHandler = Callable[[TurnContext], Awaitable[None]]


def messages_handler(
    adapter: CloudAdapter, on_turn: TurnHandler
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """``POST /api/messages``: 400 for malformed input, 401 for bad credentials, never 500 for either."""
    authentication: BotFrameworkAuthentication = adapter.bot_framework_authentication
    rejections = RateLimitedLog(log)

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            return web.json_response({"error": "expected application/json"}, status=415)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            body = orjson.loads(await request.read())  # not UTF-8 is malformed too
        except orjson.JSONDecodeError:
            return _bad_request("malformed JSON")
        if not isinstance(body, dict):
            return _bad_request("an activity must be a JSON object")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest raises DeserializationError and plain TypeErrors alike
            return _bad_request("not an activity")
        if not activity.type or not activity.service_url or not activity.conversation:
            return _bad_request("an activity needs type, serviceUrl and conversation")
        if not _is_http_url(activity.service_url):  # a reply could never be sent there
            return _bad_request("serviceUrl must be an http or https URL")

        header = request.headers.get("Authorization", "")
        try:
            auth_result = await authentication.authenticate_request(activity, header)
        except Unauthorized as error:
            rejections.warning("401 for a request from %s: %s", request.remote, error)
            return web.json_response({"error": "unauthorized"}, status=401)
        except KeysUnavailable as error:
            rejections.warning("503 for a request from %s: %s", request.remote, error)
            return web.json_response(
                {"error": "authentication unavailable"},
                status=503,
                headers={"Retry-After": str(int(RETRY_SECONDS))},
            )
        except Exception as error:  # any malformed or invalid credential is the client's fault
            rejections.warning(
                "401 for a request from %s: %s", request.remote, type(error).__name__
            )
            return web.json_response({"error": "unauthorized"}, status=401)

        invoke_response = await adapter.process_activity(auth_result, activity, on_turn)
        if invoke_response is not None:
            return web.json_response(_invoke_body(invoke_response), status=invoke_response.status)
        return web.Response(status=201)

    return handle
