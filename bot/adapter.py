"""The adapter: CloudAdapter whose messages and updates go out through ``bot.connector``.

Messages and updates are sent through ``bot.connector`` rather than the SDK's msrest
client (see there why); a turn whose reply (and apology) could not be delivered is
answered 502, and ``expectReplies`` replies are written as ``bot.connector`` writes them.
"""

from __future__ import annotations

from http import HTTPStatus
from types import SimpleNamespace

import orjson
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import BotFrameworkAuthentication

from bot.authentication import CONNECTOR_TIMEOUT_SECONDS, CachingBotFrameworkAuthentication
from bot.channel_auth import ChannelAuthentication, OpenIdKeys
from bot.connector import Connector, dumps, wire_json
from bot.context import UNDELIVERED_KEY
from settings import Settings


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
