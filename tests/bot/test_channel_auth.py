"""Authentication at the edge: refused at once when the token says enough, keys fetched off
the event loop, one fetch at a time, and 503 in bounded time while they can't be had.

The channel's OpenID metadata and keys are a local stand-in; a black hole plays the
endpoint or proxy that has gone silent. ``HTTPS_PROXY`` points at a closed port, so any
attempt to reach the real Bot Framework fails at once instead of leaving this machine.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
import pytest
from aiohttp import ClientSession, ClientTimeout
from aiohttp.test_utils import TestServer

from app import create_app
from bot.channel_auth import (
    KEY_WAIT_SECONDS,
    KeysUnavailable,
    OpenIdKeys,
    RateLimitedLog,
)
from settings import Settings
from tests.support import activities as a
from tests.support.openid import (
    APP_ID,
    KID,
    BlackHole,
    OpenIdStandIn,
    bearer,
    channel_claims,
    private_key,
    public_jwk,
    sign,
)
from tests.support.polling import eventually
from tests.support.portfolio import OWNER

SERVICE_URL = "https://smba.trafficmanager.net/emea/"
CLOSED_PORT_PROXY = "http://127.0.0.1:9"
# what a caller is promised while keys are unavailable, and what /healthz must answer in
PROMISED_503_SECONDS = 5.0
HEALTH_SECONDS = 1.0


def _route_all_traffic(monkeypatch: pytest.MonkeyPatch, *, http_proxy: str | None) -> None:
    """https to a closed port; http (the stand-in's scheme) direct, or to ``http_proxy``."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", CLOSED_PORT_PROXY)
    if http_proxy is not None:
        monkeypatch.setenv("HTTP_PROXY", http_proxy)


@pytest.fixture
async def openid() -> AsyncIterator[OpenIdStandIn]:
    stand_in = OpenIdStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.close()


@asynccontextmanager
async def authenticated_app(
    database_url: str, metadata_url: str
) -> AsyncIterator[tuple[str, ClientSession]]:
    settings = Settings(
        DATABASE_URL=database_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="s3cr3t-value-never-logged",
        MicrosoftAppTenantId=a.TENANT,
        BotOpenIdMetadata=metadata_url,
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            yield str(server.make_url("")).rstrip("/"), http
    finally:
        await server.close()


@pytest.fixture
async def bot(
    sqlite_url: str, openid: OpenIdStandIn, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, ClientSession]]:
    _route_all_traffic(monkeypatch, http_proxy=None)
    async with authenticated_app(sqlite_url, openid.metadata_url) as served:
        yield served


def _expect_replies(text: str = "help") -> dict[str, Any]:
    activity = a.message(OWNER, SERVICE_URL, text)
    activity["deliveryMode"] = "expectReplies"  # the replies come back in the response
    return activity


async def _post(
    served: tuple[str, ClientSession], activity: dict[str, Any], headers: dict[str, str]
) -> tuple[int, Any]:
    url, http = served
    timeout = ClientTimeout(total=PROMISED_503_SECONDS)
    async with http.post(
        f"{url}/api/messages", json=activity, headers=headers, timeout=timeout
    ) as response:
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body


def _forged(kind: str) -> str:
    claims = channel_claims(SERVICE_URL)
    if kind == "alg none":
        return jwt.encode(claims, "", algorithm="none", headers={"kid": KID})
    if kind == "HS256":
        return jwt.encode(claims, "k" * 64, algorithm="HS256", headers={"kid": KID})
    if kind == "no key id":
        return jwt.encode(claims, private_key(), algorithm="RS256")
    overrides: dict[str, dict[str, Any]] = {
        "wrong issuer": {"iss": "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/"},
        "wrong audience": {"aud": "99999999-2222-3333-4444-555555555555"},
        "expired": {"exp": int(time.time()) - 301, "nbf": int(time.time()) - 4000},
        "no expiry": {"exp": None},
        "not yet valid": {"nbf": int(time.time()) + 3600},
        "another serviceUrl": {"serviceurl": "https://evil.example/"},
        "a skill's token": {"ver": "2.0", "azp": "another-bot-app-id"},
    }
    return sign({**claims, **overrides[kind]})


@pytest.mark.parametrize(
    "kind",
    [
        "alg none",
        "HS256",
        "no key id",
        "wrong issuer",
        "wrong audience",
        "expired",
        "no expiry",
        "not yet valid",
        "another serviceUrl",
        "a skill's token",
    ],
)
async def test_a_token_refused_by_its_own_content_gets_401_without_a_key_fetch(
    bot: tuple[str, ClientSession], openid: OpenIdStandIn, kind: str
) -> None:
    status, _ = await _post(bot, _expect_replies(), bearer(_forged(kind)))
    assert status == 401
    assert (openid.metadata_hits, openid.key_hits) == (0, 0)


async def test_a_valid_token_gets_its_answer_and_the_keys_are_fetched_once(
    bot: tuple[str, ClientSession], openid: OpenIdStandIn
) -> None:
    for _ in range(3):
        status, body = await _post(
            bot, _expect_replies(), bearer(sign(channel_claims(SERVICE_URL)))
        )
        assert status == 200
        [reply] = body["activities"]
        assert reply["attachments"][0]["content"]["type"] == "AdaptiveCard"  # the help card
    assert (openid.metadata_hits, openid.key_hits) == (1, 1)


async def test_a_token_signed_by_another_key_or_an_unknown_one_gets_401(
    bot: tuple[str, ClientSession], openid: OpenIdStandIn
) -> None:
    claims = channel_claims(SERVICE_URL)
    forged = sign(claims, kid=KID, signer="attacker")  # our key id, someone else's key
    unknown = sign(claims, kid="attacker")
    for token in (forged, unknown, unknown):
        status, _ = await _post(bot, _expect_replies(), bearer(token))
        assert status == 401
    # an unknown key id refetches the keys at most once an hour, as the SDK does
    assert (openid.metadata_hits, openid.key_hits) == (1, 1)


async def test_a_key_endorsed_for_teams_does_not_sign_for_another_channel(
    bot: tuple[str, ClientSession],
) -> None:
    activity = _expect_replies()
    activity["channelId"] = "webchat"
    status, _ = await _post(bot, activity, bearer(sign(channel_claims(SERVICE_URL))))
    assert status == 401
    status, _ = await _post(bot, _expect_replies(), bearer(sign(channel_claims(SERVICE_URL))))
    assert status == 200


async def test_a_local_bot_refuses_a_token_without_a_key_fetch(
    sqlite_url: str, openid: OpenIdStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without credentials a token can't be addressed to the bot; the SDK fetched keys to
    find that out."""
    _route_all_traffic(monkeypatch, http_proxy=None)
    settings = Settings(
        DATABASE_URL=sqlite_url,
        BotOpenIdMetadata=openid.metadata_url,
        CYCLE_ENABLED=False,
        _env_file=None,
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            token = sign(channel_claims(SERVICE_URL))
            status, _ = await _post(
                (str(server.make_url("")).rstrip("/"), http), _expect_replies(), bearer(token)
            )
    finally:
        await server.close()
    assert status == 401
    assert openid.metadata_hits == 0


async def test_a_hundred_tokens_at_once_share_one_key_fetch(
    bot: tuple[str, ClientSession], openid: OpenIdStandIn
) -> None:
    openid.open.clear()  # a slow endpoint: every request waits until it answers
    token = bearer(sign(channel_claims(SERVICE_URL)))
    events = [a._base(OWNER, SERVICE_URL, "event", name="roadmap.test") for _ in range(100)]
    posts = [asyncio.create_task(_post(bot, event, token)) for event in events]
    await eventually(lambda: openid.metadata_hits == 1, within=5.0, every=0.01)
    openid.open.set()
    statuses = [status for status, _ in await asyncio.gather(*posts)]
    assert statuses == [201] * 100
    assert (openid.metadata_hits, openid.key_hits) == (1, 1)


async def test_black_holed_keys_get_503_in_time_while_health_and_readiness_answer(
    sqlite_url: str,
    openid: OpenIdStandIn,
    black_hole: BlackHole,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _route_all_traffic(monkeypatch, http_proxy=black_hole.url)
    async with authenticated_app(sqlite_url, openid.metadata_url) as served:
        url, _ = served
        token = bearer(sign(channel_claims(SERVICE_URL)))
        posts = [asyncio.create_task(_post(served, _expect_replies(), token)) for _ in range(100)]
        await eventually(lambda: black_hole.connections == 1, within=5.0, every=0.01)
        async with ClientSession(timeout=ClientTimeout(total=HEALTH_SECONDS)) as other_user:
            for path in ("/healthz", "/readyz"):
                async with other_user.get(f"{url}{path}") as response:
                    assert response.status == 200
        results = await asyncio.gather(*posts)  # each fails if not answered in 5 s
        assert {status for status, _ in results} == {503}
        # while the fetch is still out, a new request waits for it rather than starting one
        status, _ = await _post(served, _expect_replies(), token)
        assert status == 503
        assert black_hole.connections == 1
    assert openid.metadata_hits == 0  # nothing got through the black hole


async def test_each_rejection_is_one_log_line_without_traceback_and_floods_are_cut(
    bot: tuple[str, ClientSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = bearer(_forged("alg none"))
    for _ in range(30):
        status, _ = await _post(bot, _expect_replies(), forged)
        assert status == 401
    lines = [r for r in caplog.records if r.name == "bot.hosting"]
    assert 1 <= len(lines) <= 10
    for record in lines:
        assert record.exc_info is None
        assert "\n" not in record.getMessage()
        assert "RS256" in record.getMessage()  # says why
    assert "Traceback" not in caplog.text


def test_a_flood_of_lines_is_counted_and_told_with_the_next_window() -> None:
    now = [0.0]
    logger = logging.getLogger("tests.flood")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger.addHandler(handler := Keep())
    try:
        flood = RateLimitedLog(logger, burst=3, window=60.0, clock=lambda: now[0])
        for i in range(10):
            flood.warning("rejected %d", i)
        now[0] = 61.0
        flood.warning("rejected %d", 10)
    finally:
        logger.removeHandler(handler)
    assert records == [
        "rejected 0",
        "rejected 1",
        "rejected 2",
        "rejected 10 (7 similar lines left out)",
    ]


# -- the key cache on its own ---------------------------------------------------------------


async def test_keys_are_refreshed_in_the_background_before_they_expire(
    openid: OpenIdStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    _route_all_traffic(monkeypatch, http_proxy=None)
    keys = OpenIdKeys(openid.metadata_url, refresh_after=0.05)
    try:
        assert await keys.get(KID) is not None
        openid.keys = [public_jwk(endorsements=["msteams"]), public_jwk("rotated-in")]
        await eventually(lambda: openid.key_hits >= 2, within=5.0, every=0.01)
        openid.open.clear()  # from now on a request that waited for a fetch would hang
        await eventually(
            lambda: keys._fetch is not None and keys._fetch.done(), within=5.0, every=0.01
        )
        assert await keys.get("rotated-in", wait=0.5) is not None
    finally:
        await keys.close()


async def test_expired_keys_that_cannot_be_refetched_give_unavailable_in_bounded_time(
    openid: OpenIdStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    _route_all_traffic(monkeypatch, http_proxy=None)
    now = [1000.0]
    keys = OpenIdKeys(openid.metadata_url, max_age=100.0, clock=lambda: now[0])
    try:
        assert await keys.get(KID) is not None
        openid.open.clear()  # the endpoint goes silent
        now[0] += 99.0
        assert await keys.get(KID, wait=0.2) is not None  # still fresh: no fetch
        assert openid.metadata_hits == 1
        now[0] += 2.0
        async with asyncio.timeout(KEY_WAIT_SECONDS):  # fails rather than hangs
            with pytest.raises(KeysUnavailable):
                await keys.get(KID, wait=0.2)
        assert openid.metadata_hits == 2
    finally:
        await keys.close()


async def test_after_a_failed_fetch_requests_get_unavailable_at_once_until_the_retry(
    openid: OpenIdStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    _route_all_traffic(monkeypatch, http_proxy=None)
    openid.status = 500
    now = [0.0]
    keys = OpenIdKeys(openid.metadata_url, clock=lambda: now[0])
    try:
        with pytest.raises(KeysUnavailable):
            await keys.get(KID)
        for _ in range(20):
            with pytest.raises(KeysUnavailable):
                await keys.get(KID)
        assert openid.metadata_hits == 1
        openid.status = 200
        now[0] += 60.0  # past the retry delay
        assert await keys.get(KID) is not None
        assert openid.metadata_hits == 2
    finally:
        await keys.close()
