"""The HTTP edge: ``POST /api/messages``, validated and authenticated before the turn.

Two botbuilder 4.17 defects are worked around here rather than patched in the SDK:
- ``CloudAdapter.process`` serialises an invoke response body a second time and so
  answers 500 to every invoke that has one (``adaptiveCard/action``). We handle the
  request ourselves and write the body once.
- A malformed ``Authorization`` header raises an arbitrary exception and becomes 500;
  we authenticate before the turn and answer 401. The token itself is checked by
  ``bot.channel_auth``, not by the SDK, whose key fetch blocks the event loop: 401 for
  a refused token, 503 while the signing keys can't be had, one log line each.
The activity is read by ``bot.incoming`` (msrest's result, a tenth of its cost). A
``serviceUrl`` that is not an http(s) URL gets 400. The adapter (``bot.adapter``) sends
through ``bot.connector``; the SDK's authentication, with its clients cached, is in
``bot.authentication``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
)
from botframework.connector.auth import (
    BotFrameworkAuthentication,
)
from msrest.serialization import Model
from yarl import URL

from bot.channel_auth import (
    RETRY_SECONDS,
    KeysUnavailable,
    RateLimitedLog,
    Unauthorized,
)
from bot.incoming import read_activity
from bot.middleware import TURN_KEY, TURN_NOTE

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


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
            activity = read_activity(body)
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

        note: list[str] = []
        token = TURN_NOTE.set(note)
        try:
            invoke_response = await adapter.process_activity(auth_result, activity, on_turn)
        finally:
            TURN_NOTE.reset(token)
            if note:
                request[TURN_KEY] = " ".join(note)
        if invoke_response is not None:
            return web.json_response(_invoke_body(invoke_response), status=invoke_response.status)
        return web.Response(status=201)

    return handle
