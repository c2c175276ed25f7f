"""The served processes: the stock echo bot, the floor, ours, and the fake connector.

The fourth peer, the Agents SDK's echo agent, is ``bench/agents_echo.py``, served by its
own venv (``bench.benchmark.agents``).

``python -m bench.benchmark --serve echo|floor|ours|connector`` runs :func:`serve_main` in a
process of its own; each prints the port the OS chose (``PORT n``) and serves until
SIGTERM. Other benchmarks serve their own apps with :func:`serve_until_signalled`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import uvloop
from aiohttp import web

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


def _echo_app() -> web.Application:
    """The stock echo bot, as botbuilder's sample writes it for CloudAdapter."""
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.core.integration import aiohttp_error_middleware
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(turn_context.activity.text))

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


def _floor_app() -> web.Application:
    """The floor of a turn: a bare aiohttp handler that reads the activity and makes the
    one outgoing POST a reply takes, on one client session, then answers 200. No
    authentication, no SDK, no database: what a turn costs here at the least."""
    from aiohttp import ClientSession

    sessions: list[ClientSession] = []

    async def open_session(_app: web.Application) -> None:
        sessions.append(ClientSession())

    async def close_session(_app: web.Application) -> None:
        await sessions[0].close()

    async def messages(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        conversation = activity["conversation"]["id"]
        url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{conversation}/activities/"
        reply = {
            "type": "message",
            "text": activity.get("text"),
            "from": activity.get("recipient"),
            "recipient": activity.get("from"),
            "conversation": activity["conversation"],
            "replyToId": activity["id"],
        }
        async with sessions[0].post(url + activity["id"], json=reply) as response:
            await response.read()
        return web.json_response({}, status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    return app


def _our_app(database_url: str) -> web.Application:
    from app import create_app, freeze_startup_heap
    from settings import Settings

    app = create_app(Settings(DATABASE_URL=database_url, _env_file=None))
    app.on_startup.append(freeze_startup_heap)  # as app.main() serves it
    return app


@dataclass
class _Received:
    by_reply_to: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    other: int = 0  # anything but a reply: a new conversation, an update, a plain send
    last: Any = None  # the last reply, kept across resets (for the chart link on a card)


def _kind(activity: Any) -> str:
    if not isinstance(activity, dict):
        return "invalid"
    attachments = activity.get("attachments") or []
    if attachments:
        types = {a.get("contentType") for a in attachments if isinstance(a, dict)}
        return "card" if types == {ADAPTIVE} else "other attachment"
    return f"text:{activity.get('text')}"


def _connector_app() -> web.Application:
    """A fake connector that counts the replies per incoming activity id and their kinds."""
    received = _Received()
    ids = iter(range(1, sys.maxsize))

    async def reply(request: web.Request) -> web.Response:
        activity = json.loads(await request.read())
        received.by_reply_to[request.match_info["aid"]] += 1
        received.kinds[_kind(activity)] += 1
        received.last = activity
        return web.json_response({"id": f"sent-{next(ids)}"})

    async def other(request: web.Request) -> web.Response:
        await request.read()
        received.other += 1
        return web.json_response({"id": f"sent-{next(ids)}"})

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(
            {
                "by_reply_to": dict(received.by_reply_to),
                "kinds": dict(received.kinds),
                "other": received.other,
            }
        )

    async def last(_request: web.Request) -> web.Response:
        return web.json_response(received.last)

    async def reset(_request: web.Request) -> web.Response:
        received.by_reply_to.clear()
        received.kinds.clear()
        received.other = 0
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", reply)
    app.router.add_post("/v3/conversations/{cid}/activities", other)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", other)
    app.router.add_post("/v3/conversations", other)
    app.router.add_get("/_bench/stats", stats)
    app.router.add_get("/_bench/last", last)
    app.router.add_post("/_bench/reset", reset)
    return app


async def _serve(role: str, database_url: str) -> None:
    if role == "echo":
        app, access_log = _echo_app(), True
    elif role == "floor":
        app, access_log = _floor_app(), False
    elif role == "ours":
        app, access_log = _our_app(database_url), True
    else:
        app, access_log = _connector_app(), False
    # Both bots are served alike, with aiohttp's defaults (access log included) as
    # ``web.run_app`` in app.py does; the port is chosen by the OS and printed.
    runner = web.AppRunner(app) if access_log else web.AppRunner(app, access_log=None)
    await serve_until_signalled(runner)


async def serve_until_signalled(runner: web.AppRunner) -> None:
    """Serve on a port the OS chooses, print it (``PORT n``), and stop on SIGTERM/SIGINT."""
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def serve_main(role: str, database_url: str, log_level: str) -> None:
    logging.basicConfig(
        level=log_level.upper() if role != "connector" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # ours runs on uvloop as app.main() serves it, and the floor too (it is the least a turn
    # costs); echo on asyncio's loop, as the sample does
    loop_factory = uvloop.new_event_loop if role in ("ours", "floor") else None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_serve(role, database_url))
