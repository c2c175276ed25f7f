"""The SDK's authentication, with the clients it builds cached, and the channel's tokens
checked by ``bot.channel_auth``.

CloudAdapter otherwise builds a connector client and a user-token client for every
incoming activity. The caches are LRU-bounded, as the service URL is whatever the caller
posts. The SDK's own token check is not used: its key fetch blocks the event loop, and a
malformed header raises an arbitrary exception (see ``bot.hosting``).
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.channel_auth import CALLER_ID, ChannelAuthentication
from bot.lru import LruCache

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
