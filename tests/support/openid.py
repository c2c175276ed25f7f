"""Local stand-ins for the Bot Framework's token side: its OpenID metadata and signing keys,
a black hole to route them through, and tokens signed with a test key pair.

Nothing here reaches past 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

CHANNEL_ISSUER = "https://api.botframework.com"
APP_ID = "11111111-2222-3333-4444-555555555555"
KID = "test-key-1"


@cache
def private_key(name: str = KID) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key, one per name for the whole test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(kid: str = KID, endorsements: list[str] | None = None) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
        private_key(kid).public_key(), as_dict=True
    )
    jwk.update(kid=kid, use="sig")
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


def channel_claims(service_url: str, **overrides: Any) -> dict[str, Any]:
    """What the Bot Framework channel puts in the token it sends with an activity."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + 3600,
        "iss": CHANNEL_ISSUER,
        "aud": APP_ID,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], *, kid: str = KID, signer: str | None = None) -> str:
    """An RS256 token with ``kid`` in its header, signed by ``signer``'s key (``kid``'s)."""
    return jwt.encode(claims, private_key(signer or kid), algorithm="RS256", headers={"kid": kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class OpenIdStandIn:
    """``/metadata`` (pointing at ``/keys``) and ``/keys``: counts requests, can be held."""

    keys: list[dict[str, Any]] = field(
        default_factory=lambda: [public_jwk(endorsements=["msteams"])]
    )
    metadata_hits: int = 0
    key_hits: int = 0
    status: int = 200
    # cleared: requests wait until it is set again (a slow endpoint)
    open: asyncio.Event = field(default_factory=asyncio.Event)
    _server: TestServer | None = None

    @property
    def metadata_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/metadata"))

    async def start(self) -> None:
        self.open.set()
        app = web.Application()
        app.router.add_get("/metadata", self._metadata)
        app.router.add_get("/keys", self._keys)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        self.open.set()
        if self._server is not None:
            await self._server.close()

    async def _metadata(self, _request: web.Request) -> web.Response:
        self.metadata_hits += 1
        await self.open.wait()
        assert self._server is not None
        body = {"issuer": CHANNEL_ISSUER, "jwks_uri": str(self._server.make_url("/keys"))}
        return web.json_response(body, status=self.status)

    async def _keys(self, _request: web.Request) -> web.Response:
        self.key_hits += 1
        await self.open.wait()
        return web.json_response({"keys": self.keys}, status=self.status)


class BlackHole:
    """A TCP server that accepts connections and never answers: a proxy or an endpoint
    that has gone silent."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._swallow, "127.0.0.1", 0)

    async def _swallow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        while await reader.read(65536):
            pass

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
