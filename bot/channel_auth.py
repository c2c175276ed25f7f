"""Authenticating what the channel posts to ``/api/messages``, without ever stalling the server.

botframework-connector 4.17 checks the channel's token in ``JwtTokenExtractor``. Its
``_OpenIdMetadata`` fetches the OpenID metadata and the signing keys with ``requests.get``,
with no timeout, on the event loop. A well-formed token sent while that endpoint is slow
or black-holed froze the whole server, ``/healthz`` and SIGTERM included, for minutes.
Tokens that could be refused from their header alone (``alg: none``, HS256) cost a fetch
and a 503, and every forged token logged 8 KB of traceback. This module replaces that
check for ``authenticate_request``; ``bot/hosting.py`` answers 401 for ``Unauthorized``
and 503 for ``KeysUnavailable``.

1. **Without the network** a token is refused (401) when it is not ``Bearer <jwt>``, is
   not RS256, has no key id, is not issued by the Bot Framework channel, is not addressed
   to this bot's app id, is a skill's token, has expired or is not yet valid (with the
   SDK's five minutes of clock skew), or names another ``serviceUrl`` than the activity's.
2. **The keys** (``OpenIdKeys``) are fetched with aiohttp, through ``HTTP(S)_PROXY`` unless
   ``NO_PROXY`` lists the host, as ``bot/connector.py`` does, with connect and read
   timeouts. One fetch at most is in flight: every request that needs keys waits for the
   same one, for at most ``KEY_WAIT_SECONDS``, and then gets 503. After a failed fetch the
   next waits ``RETRY_SECONDS`` and more (503 meanwhile, at once). Keys are kept for a
   day, as the SDK keeps them, and refreshed in the background after twelve hours, so
   that an outage of the endpoint shorter than that is not seen at all.
3. **The signature** is checked with PyJWT against the key named by ``kid``.

The SDK's checks for a channel token (``ChannelValidation.authenticate_channel_token_with_service_url``,
``JwtTokenExtractor`` and ``_OpenIdMetadata``) that are reproduced, with the same meaning:
the ``Bearer`` scheme and two parts; issuer ``https://api.botframework.com``; ``aud`` is
the app id (``is_valid_app_id``); the ``serviceurl`` claim equals the activity's
``serviceUrl``; the RS256 signature (the SDK lists RS384 and RS512 as allowed but decodes
with RS256 only); ``exp`` and ``nbf`` with 300 s of leeway; a key that carries
endorsements must list the activity's ``channelId`` (``EndorsementsValidator``); an
unknown key id refetches the keys at most once an hour; and the result the adapter needs:
the claims, the audience ``https://api.botframework.com`` and the caller id
``urn:botframework:azure``.

Not reproduced, on purpose:
- **Skill tokens.** The SDK refuses them for a bot without a claims validator, as ours
  is, but only after fetching keys; we refuse them without.
- **Emulator tokens** (issuers of the Bot Framework Emulator, checked against the
  ``login.microsoftonline.com/common`` keys). Local development here runs without
  credentials, where no token is needed. A SingleTenant bot's emulator tokens come from
  its own tenant, which the SDK does not accept either. And what the SDK would accept
  is the bot's own outbound connector token: whoever holds a copy could post as a user.
- **Government and enterprise channels**: the adapter is configured for the public cloud.
- ``exp`` is required (the SDK checks it only when present): every channel token has one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

import jwt
import orjson
from aiohttp import ClientSession, ClientTimeout, TCPConnector
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticationConstants,
    ClaimsIdentity,
    EndorsementsValidator,
    SkillValidation,
)
from yarl import URL

from bot.connector import USER_AGENT, EnvironmentProxies
from bot.middleware import safe_for_log

log = logging.getLogger(__name__)

CHANNEL_ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
CHANNEL_AUDIENCE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
CALLER_ID = CallerIdConstants.public_azure_channel
ALGORITHM = "RS256"
CLOCK_SKEW_SECONDS = 5 * 60  # the SDK's clock_tolerance
# A request waits this long for keys, then gets 503: well inside the 5 s a caller is promised.
KEY_WAIT_SECONDS = 4.0
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 5.0
REFRESH_AFTER_SECONDS = 12 * 3600.0
MAX_AGE_SECONDS = 24 * 3600.0  # the SDK refetches keys a day old
UNKNOWN_KEY_REFETCH_SECONDS = 3600.0  # the SDK's "at most once an hour" for an unknown kid
RETRY_SECONDS = 5.0  # after a failed fetch; doubled after each further failure
MAX_RETRY_SECONDS = 300.0
MAX_DOCUMENT_BYTES = 512 * 1024


class Unauthorized(Exception):
    """The token is refused: 401. The message is ours, never the token's text."""


class KeysUnavailable(Exception):
    """The signing keys could not be had in time: 503, and the caller may retry."""


class KeyFetchError(Exception):
    """The metadata or key document could not be fetched or read."""


@dataclass(frozen=True)
class SigningKey:
    key: Any  # cryptography's RSAPublicKey, as PyJWT wants it
    endorsements: tuple[str, ...]


def parse_jwks(document: object) -> dict[str, SigningKey]:
    """The RS256-usable keys of a JWKS document, by key id; anything else is skipped."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        endorsements = entry.get("endorsements", [])
        if not isinstance(kid, str) or not isinstance(endorsements, list):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm=ALGORITHM).key
        except jwt.PyJWTError:
            continue
        keys[kid] = SigningKey(key, tuple(str(e) for e in endorsements))
    return keys


def _allowed_url(url: URL) -> bool:
    """https, or plain http to this machine (a local stand-in)."""
    local = url.scheme == "http" and url.host in ("localhost", "127.0.0.1", "::1")
    return bool(url.host) and (url.scheme == "https" or local)


class OpenIdKeys:
    """The signing keys an OpenID metadata document points to: fetched off the event loop,
    one fetch at a time, cached and refreshed in the background before they expire."""

    def __init__(
        self,
        metadata_url: str,
        *,
        proxies: EnvironmentProxies | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        refresh_after: float = REFRESH_AFTER_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = URL(metadata_url)
        if not _allowed_url(self.metadata_url):
            raise ValueError("the OpenID metadata URL must be https")
        self._proxies = proxies or EnvironmentProxies()
        self._timeout = ClientTimeout(
            total=connect_timeout + 2 * read_timeout,
            connect=connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        self._refresh_after = refresh_after
        self._max_age = max_age
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._failures = 0
        self._failed_at: float | None = None
        self._fetch: asyncio.Task[bool] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._http: ClientSession | None = None
        self._closed = False

    # -- what a request asks -------------------------------------------------------------

    async def get(self, kid: str, *, wait: float = KEY_WAIT_SECONDS) -> SigningKey | None:
        """The key for ``kid``; None when the current keys, fresh, have no such key.

        Raises ``KeysUnavailable`` when no fresh keys could be had within ``wait`` seconds.
        """
        now = self._clock()
        age = self._age(now)
        if age < self._max_age:
            key = self._keys.get(kid)
            if key is not None:
                return key
            if age < UNKNOWN_KEY_REFETCH_SECONDS or self._backing_off(now):
                return None
        elif self._backing_off(now):
            raise KeysUnavailable("the signing keys could not be fetched; retrying shortly")
        fetch = self._start_fetch()
        try:
            async with asyncio.timeout(wait):
                fetched = await asyncio.shield(fetch)
        except TimeoutError:
            raise KeysUnavailable("the signing keys did not arrive in time") from None
        if not self._fresh(self._clock()):
            raise KeysUnavailable("the signing keys could not be fetched")
        key = self._keys.get(kid)
        if key is None and not fetched:
            raise KeysUnavailable("the signing keys could not be refreshed for a new key id")
        return key

    def _age(self, now: float) -> float:
        """Seconds since the keys were fetched; infinite before the first fetch."""
        return float("inf") if self._fetched_at is None else now - self._fetched_at

    def _fresh(self, now: float) -> bool:
        return self._age(now) < self._max_age

    def _retry_delay(self) -> float:
        return min(RETRY_SECONDS * 2.0 ** max(self._failures - 1, 0), MAX_RETRY_SECONDS)

    def _backing_off(self, now: float) -> bool:
        """A fetch failed a moment ago and none is running: don't start another yet."""
        if self._fetch is not None and not self._fetch.done():
            return False
        return self._failed_at is not None and now - self._failed_at < self._retry_delay()

    # -- fetching ------------------------------------------------------------------------

    def _start_fetch(self) -> asyncio.Task[bool]:
        if self._closed:
            raise KeysUnavailable("shutting down")
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.create_task(self._fetch_keys(), name="openid-keys")
        return self._fetch

    async def _fetch_keys(self) -> bool:
        """One fetch of metadata and keys; True when fresh keys were stored."""
        try:
            metadata = await self._get_json(self.metadata_url)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(jwks_uri, str) or not _allowed_url(URL(jwks_uri)):
                raise KeyFetchError("the metadata has no https jwks_uri")
            keys = parse_jwks(await self._get_json(URL(jwks_uri)))
            if not keys:
                raise KeyFetchError("the key set has no RS256 keys")
        except Exception as error:  # a failed fetch of any kind: 503 for now, retried soon
            self._failures += 1
            self._failed_at = self._clock()
            log.warning(
                "could not fetch the channel's signing keys from %s (%s); retrying in %.0f s",
                self.metadata_url.host,
                safe_for_log(error) or type(error).__name__,
                self._retry_delay(),
            )
            self._ensure_refresher()
            return False
        self._keys = keys
        self._fetched_at = self._clock()
        self._failures = 0
        self._failed_at = None
        log.info("fetched %d signing keys from %s", len(keys), self.metadata_url.host)
        self._ensure_refresher()
        return True

    async def _get_json(self, url: URL) -> object:
        if self._http is None:
            self._http = ClientSession(
                connector=TCPConnector(limit=4), headers={"User-Agent": USER_AGENT}
            )
        async with self._http.get(
            url, timeout=self._timeout, proxy=self._proxies.for_url(url), allow_redirects=False
        ) as response:
            if response.status != 200:
                raise KeyFetchError(f"{url.host} answered {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise KeyFetchError(f"{url.host} sent more than {MAX_DOCUMENT_BYTES} bytes")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise KeyFetchError(f"{url.host} sent no JSON") from error

    def _ensure_refresher(self) -> None:
        if not self._closed and (self._refresher is None or self._refresher.done()):
            self._refresher = asyncio.create_task(self._refresh_forever(), name="openid-refresh")

    async def _refresh_forever(self) -> None:
        """Fetch again before the keys expire, and again soon after a failure."""
        while True:
            if self._failed_at is not None:
                delay = self._failed_at + self._retry_delay() - self._clock()
            elif self._fetched_at is not None:
                delay = self._fetched_at + self._refresh_after - self._clock()
            else:
                return
            await asyncio.sleep(max(delay, 0.0))
            await asyncio.shield(self._start_fetch())

    async def close(self) -> None:
        self._closed = True
        for task in (self._refresher, self._fetch):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._http is not None:
            await self._http.close()
            self._http = None


class ChannelAuthentication:
    """Checks the channel's bearer token for an activity and returns the SDK's claims identity."""

    def __init__(
        self, *, app_id: str, keys: OpenIdKeys, clock: Callable[[], float] = time.time
    ) -> None:
        self.app_id = app_id
        self.keys = keys
        self._clock = clock

    def precheck(self, header: str, activity: Activity) -> tuple[str, str, dict[str, Any]]:
        """Token, key id and claims, or ``Unauthorized``: everything that needs no keys."""
        parts = header.split(" ")
        if len(parts) != 2 or parts[0] != "Bearer" or not parts[1]:
            raise Unauthorized("no bearer token")
        token = parts[1]
        try:
            header_fields = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthorized("not a JWT") from None
        if header_fields.get("alg") != ALGORITHM:
            raise Unauthorized("signing algorithm is not RS256")
        kid = header_fields.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("no key id")
        if claims.get(AuthenticationConstants.ISSUER_CLAIM) != CHANNEL_ISSUER:
            raise Unauthorized("not issued by the Bot Framework channel")
        if not self.app_id or claims.get(AuthenticationConstants.AUDIENCE_CLAIM) != self.app_id:
            raise Unauthorized("not addressed to this bot")
        if SkillValidation.is_skill_claim(claims):
            raise Unauthorized("a skill's token")
        now = self._clock()
        expires = claims.get("exp")
        if not _number(expires):
            raise Unauthorized("no expiry")
        if now > expires + CLOCK_SKEW_SECONDS:
            raise Unauthorized("expired")
        not_before = claims.get("nbf")
        if not_before is not None and (
            not _number(not_before) or not_before > now + CLOCK_SKEW_SECONDS
        ):
            raise Unauthorized("not valid yet")
        if claims.get(AuthenticationConstants.SERVICE_URL_CLAIM) != activity.service_url:
            raise Unauthorized("serviceurl claim does not match the activity")
        return token, kid, claims

    async def authenticate(self, activity: Activity, header: str) -> ClaimsIdentity:
        token, kid, _ = self.precheck(header, activity)
        key = await self.keys.get(kid)
        if key is None:
            raise Unauthorized("signed with an unknown key")
        if key.endorsements and not EndorsementsValidator.validate(
            activity.channel_id, list(key.endorsements)
        ):
            raise Unauthorized("the key is not endorsed for this channel")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self.app_id,
                issuer=CHANNEL_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp"]},
            )
        except jwt.InvalidSignatureError:
            raise Unauthorized("bad signature") from None
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token ({type(error).__name__})") from None
        return ClaimsIdentity(claims, True)


def _number(value: object) -> TypeGuard[int | float]:
    """A JSON number that PyJWT's own checks will accept too (not a boolean, not infinite)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class RateLimitedLog:
    """One line per event, at most ``burst`` lines a ``window``; the rest are counted and
    the count is told with the next line logged."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        burst: int = 10,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._burst = burst
        self._window = window
        self._clock = clock
        self._window_start = -window
        self._logged = 0
        self.suppressed = 0

    def warning(self, message: str, *args: object) -> None:
        now = self._clock()
        if now - self._window_start >= self._window:
            self._window_start = now
            self._logged = 0
        if self._logged >= self._burst:
            self.suppressed += 1
            return
        self._logged += 1
        if self.suppressed:
            message += " (%d similar lines left out)"
            args = (*args, self.suppressed)
            self.suppressed = 0
        self._log.warning(message, *args)
