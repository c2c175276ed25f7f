"""Replies, sends and updates to the Bot Framework connector over one aiohttp session.

botbuilder's ``ConnectorClient`` posts with msrest over ``requests`` in a worker thread,
and serialises every card node by node with msrest's generic serializer: together about
two thirds of the bot's CPU for a ``help`` turn (py-spy, see ``bench/README.md``). The
three calls on the hot path go through here instead:

* the activity is written with msrest's own attribute map (its wire names and types), but
  plain JSON such as a card is passed through rather than walked node by node;
* the request goes out on a shared ``aiohttp.ClientSession`` on the bot's own event loop;
* the bearer token is the SDK credentials' own (MSAL's cache), fetched off the event loop
  and reused for a few minutes;
* a proactive send may set ``LAST_WORD``, a check without I/O that runs inside aiohttp's
  body writer, with nothing awaited between it and the bytes leaving for the socket (the
  headers wait for the body). The dispatcher's lease check goes there: a process frozen
  anywhere before that point, and woken after its lease ran out, sends nothing.

Creating conversations and reading rosters are rare and stay with the SDK's client, which
also supplies the service URL and credentials for every call made here.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote

import orjson
from aiohttp import (
    BytesPayload,
    ClientConnectorError,
    ClientError,
    ClientSession,
    ClientTimeout,
    TCPConnector,
)
from aiohttp.abc import AbstractStreamWriter
from botbuilder.schema import Activity, ResourceResponse
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, AuthenticationConstants
from msrest.serialization import Model, Serializer
from yarl import URL

from bot.lru import LruCache

OK_STATUSES = frozenset({200, 201, 202})
# MSAL hands out a cached token until five minutes before it expires; reusing one for four
# minutes more therefore never sends an expired token.
TOKEN_REUSE_SECONDS = 240.0
USER_AGENT = "RoadmapBot (botbuilder-python 4.17; aiohttp)"
# A check without I/O or await that raises to stop a post: run as the body is written.
LAST_WORD: ContextVar[Callable[[], None] | None] = ContextVar("last_word", default=None)


class _LastWordBody(BytesPayload):
    """The request body, written only if ``check()`` still agrees at that moment.

    aiohttp holds the headers back until the body's first write, so a refusal here sends
    nothing at all. What ``check`` raised is kept in ``refused``: aiohttp wraps it in a
    connection error, and the caller raises it again as it was.
    """

    def __init__(self, body: bytes, check: Callable[[], None]) -> None:
        super().__init__(body, content_type="application/json; charset=utf-8")
        self._check = check
        self.refused: Exception | None = None

    def _last_word(self) -> None:
        try:
            self._check()
        except Exception as error:
            self.refused = error
            raise

    async def write(self, writer: AbstractStreamWriter) -> None:
        self._last_word()
        await super().write(writer)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        self._last_word()
        await super().write_with_length(writer, content_length)


class ConnectorError(Exception):
    """The connector refused (``status``) or could not be reached (``status`` is None)."""

    def __init__(self, status: int | None, retry_after: float | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds; None when absent or not a number of seconds."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def wire_json(activity: Activity) -> dict[str, Any]:
    """The activity as msrest's ``serialize()`` writes it, but without walking plain JSON.

    Every attribute with a value, under its wire name, as msrest does; models and lists of
    models are written attribute by attribute, dates and bytes by msrest's own functions.
    A dict (an attachment's card, ``channelData``, ``value``) is already JSON and passed
    through; ``json_default`` writes what a caller may have put inside one.
    """
    return _model_json(activity)


def dumps(value: Any) -> bytes:
    """UTF-8 JSON of ``wire_json`` data: dates and the rest written by ``json_default``."""
    return orjson.dumps(value, default=json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _model_json(model: Model) -> dict[str, Any]:
    wire: dict[str, Any] = {}
    for name, spec in model._attribute_map.items():
        value = getattr(model, name, None)
        if value is not None:
            wire[spec["key"]] = _value_json(value, spec["type"])
    return wire


def _value_json(value: Any, kind: str) -> Any:
    if isinstance(value, Model):
        return _model_json(value)
    if isinstance(value, list):
        item = kind[1:-1] if kind.startswith("[") else "object"
        return [_value_json(v, item) for v in value]
    if isinstance(value, Enum):
        return value.value
    if kind == "iso-8601":
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    if kind == "bytearray":
        return Serializer.serialize_bytearray(value)  # type: ignore[no-untyped-call]
    return value


def json_default(value: Any) -> Any:
    """For ``orjson.dumps`` (and ``json.dumps``): what msrest would have written for a value
    inside a dict."""
    if isinstance(value, Model):
        return _model_json(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    if isinstance(value, date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class EnvironmentProxies:
    """``HTTP(S)_PROXY`` and ``NO_PROXY`` as ``requests`` reads them, for aiohttp calls.

    Read once: aiohttp's ``trust_env`` reads them (and ``~/.netrc``) again for every request,
    which costs more than the request itself. The answer per origin is kept in a bounded
    cache, since the origin comes from the ``serviceUrl`` a caller posts.
    """

    CACHE_SIZE = 256

    def __init__(self) -> None:
        self._proxies = urllib.request.getproxies_environment()
        self._by_origin: LruCache[tuple[str, str], tuple[str | None]] = LruCache(self.CACHE_SIZE)

    def for_url(self, url: URL) -> str | None:
        """The proxy for this URL's scheme, unless NO_PROXY lists its host."""
        origin = (url.scheme, url.host or "")
        cached = self._by_origin.get(origin)
        if cached is None:
            proxy = self._proxies.get(url.scheme)
            bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
            if proxy and bypass(origin[1], self._proxies):
                proxy = None
            cached = (proxy or None,)
            self._by_origin.put(origin, cached)
        return cached[0]


class Connector:
    """The connector's REST calls this bot makes per turn, on one pooled HTTP session.

    Like the SDK's client it honours ``HTTP(S)_PROXY``/``NO_PROXY`` and retries once what
    surely did not reach the connector (the connection could not be made), and an update,
    which is idempotent, also once on 408 and 5xx. A failed reply is the turn's failure;
    a failed proactive send is the dispatcher's to retry.
    """

    RETRY_DELAY_SECONDS = 0.25

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout = ClientTimeout(total=timeout_seconds)
        self._http: ClientSession | None = None
        self._closed = False
        self._tokens: dict[tuple[str, str], tuple[float, str]] = {}
        self._token_locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._proxies = EnvironmentProxies()

    def _session(self) -> ClientSession:
        if self._closed:
            raise ConnectorError(None, None, "the connector was closed (shutting down)")
        if self._http is None:
            self._http = ClientSession(
                connector=TCPConnector(limit=200), headers={"User-Agent": USER_AGENT}
            )
        return self._http

    def proxy_for(self, url: URL) -> str | None:
        """The proxy the environment names for this URL's scheme, unless NO_PROXY lists it."""
        return self._proxies.for_url(url)

    async def close(self) -> None:
        self._closed = True
        if self._http is not None:
            await self._http.close()
        self._http = None

    async def _authorization(self, credentials: AppCredentials | None) -> dict[str, str]:
        app_id = getattr(credentials, "microsoft_app_id", None)
        if (
            credentials is None
            or not app_id
            or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID
        ):
            return {}  # local mode: the SDK sends no token either
        key = (str(app_id), str(getattr(credentials, "oauth_scope", "")))
        cached = self._tokens.get(key)
        if cached is None or cached[0] < time.monotonic():
            async with self._token_locks.setdefault(key, asyncio.Lock()):  # one fetch at a time
                cached = self._tokens.get(key)
                if cached is None or cached[0] < time.monotonic():
                    token = await asyncio.to_thread(credentials.get_access_token)
                    cached = (time.monotonic() + TOKEN_REUSE_SECONDS, token)
                    self._tokens[key] = cached
        return {"Authorization": f"Bearer {cached[1]}"}

    async def _call(
        self,
        method: str,
        client: ConnectorClient,
        path: str,
        activity: Activity,
        headers: dict[str, str],
    ) -> ResourceResponse:
        # the path's parts are percent-encoded already; yarl must send them as they are
        url = URL(str(client.config.base_url).rstrip("/") + path, encoded=True)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            **headers,
            **await self._authorization(client.config.credentials),
        }
        body = dumps(wire_json(activity))
        check = LAST_WORD.get()
        for attempt in (1, 2):
            sending = body if check is None else _LastWordBody(body, check)
            try:
                async with self._session().request(
                    method,
                    url,
                    data=sending,
                    headers=headers,
                    timeout=self.timeout,
                    proxy=self.proxy_for(url),
                ) as response:
                    payload = await response.read()
                    status = response.status
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            except ClientConnectorError as error:  # nothing was sent
                if attempt == 1:
                    await asyncio.sleep(self.RETRY_DELAY_SECONDS)
                    continue
                raise ConnectorError(None, None, f"connector unreachable: {error!r}") from error
            except (ClientError, TimeoutError) as error:
                if isinstance(sending, _LastWordBody) and sending.refused is not None:
                    raise sending.refused from None  # the check refused: nothing was sent
                if attempt == 1 and method == "PUT":
                    await asyncio.sleep(self.RETRY_DELAY_SECONDS)
                    continue
                raise ConnectorError(None, None, f"connector unreachable: {error!r}") from error
            if status in OK_STATUSES:
                break
            if attempt == 1 and method == "PUT" and (status == 408 or status >= 500):
                await asyncio.sleep(self.RETRY_DELAY_SECONDS)
                continue
            # Teams says why in the body, for example BotNotInConversationRoster
            reason = payload[:300].decode("utf-8", "replace")
            raise ConnectorError(status, retry_after, f"connector answered {status}: {reason}")
        try:
            data = orjson.loads(payload) if payload else {}
        except orjson.JSONDecodeError:
            data = {}
        return ResourceResponse(id=data.get("id") if isinstance(data, dict) else None)

    async def send(self, client: ConnectorClient, activity: Activity) -> ResourceResponse:
        """A reply when the activity has ``reply_to_id``, a new message otherwise."""
        conversation_id = activity.conversation.id
        conversation = quote(conversation_id, safe="")
        if activity.reply_to_id:
            path = f"/v3/conversations/{conversation}/activities/{quote(activity.reply_to_id, safe='')}"
            # as the SDK's reply_to_activity does
            headers = {"x-ms-conversation-id": conversation_id}
        else:
            path = f"/v3/conversations/{conversation}/activities"
            headers = {}
        return await self._call("POST", client, path, activity, headers)

    async def update(self, client: ConnectorClient, activity: Activity) -> ResourceResponse:
        conversation = quote(activity.conversation.id, safe="")
        path = f"/v3/conversations/{conversation}/activities/{quote(activity.id, safe='')}"
        return await self._call("PUT", client, path, activity, {})
