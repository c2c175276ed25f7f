"""The real app served on a real port for scenario tests, its database and the connector
it replies to; the ``bot`` and ``sqlite_bot`` fixtures (``tests/conftest.py``) yield one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from app import create_app
from settings import Settings
from storage.db import SessionFactory, create_engine, session_factory
from tests.support import activities as a
from tests.support.connector import FakeConnector
from tests.support.portfolio import Portfolio, create_portfolio


@dataclass
class BotHarness:
    """The real app on a real port, its database, and the connector it replies to."""

    url: str
    http: ClientSession
    connector: FakeConnector
    sessions: SessionFactory
    portfolio: Portfolio
    app: web.Application

    async def post(self, activity: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
        async with self.http.post(f"{self.url}/api/messages", json=activity, **kwargs) as response:
            text = await response.text()
            body = (
                await response.json()
                if text and response.content_type == "application/json"
                else text
            )
            return response.status, body


async def serve_bot(
    url: str, connector: FakeConnector, settings: Settings, *, portfolio: bool = True
) -> AsyncIterator[BotHarness]:
    """The app with ``settings`` on the database at ``url`` (with the test portfolio, unless
    ``portfolio`` is false), served until the generator is closed."""
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        created = await create_portfolio(session) if portfolio else Portfolio(0, 0, [], 0)
    app = create_app(settings)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield BotHarness(
            str(server.make_url("")).rstrip("/"), http, connector, sessions, created, app
        )
    await server.close()
    await engine.dispose()


async def ask(bot: BotHarness, user: a.User, text: str) -> dict[str, Any]:
    """Send ``text`` as ``user`` in their personal chat; the one card it is answered with."""
    before = len(bot.connector.cards())
    status, _ = await bot.post(a.message(user, bot.connector.url, text))
    assert status == 201
    cards = bot.connector.cards()
    assert len(cards) == before + 1, f"one answer to {text!r}"
    return cards[-1]
