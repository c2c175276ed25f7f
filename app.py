"""Roadmap Bot's web app: settings, database, adapter, bot, routes. ``python app.py`` serves it."""

from __future__ import annotations

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor

import uvloop
from aiohttp import web

from bot.access_log import RedactingAccessLogger
from bot.adapter import ADAPTER_KEY, create_adapter
from bot.context import Services
from bot.hosting import messages_handler
from bot.middleware import (
    CorrelationMiddleware,
    DedupeMiddleware,
    IdentityMiddleware,
    TenantMiddleware,
)
from bot.proactive import BotSender, on_unreachable
from bot.roadmap_bot import RoadmapBot, on_turn_error
from charts.cache import ChartCache
from charts.data import PortfolioCharts
from charts.routes import CHART_ROUTE, chart_handler
from exports.links import FILE_ROUTE
from exports.makers import register_makers
from exports.routes import file_handler
from scheduler import jobs
from scheduler.dispatcher import Dispatcher
from scheduler.runner import CycleRunner, worker_id
from settings import Settings
from storage.db import create_engine, ping, session_factory

log = logging.getLogger("roadmap")
SERVICES_KEY = web.AppKey("services", Services)
SHUTDOWN_GRACE_SECONDS = 5.0


def create_app(settings: Settings) -> web.Application:
    engine = create_engine(settings.database_url)
    services = Services(settings=settings, sessions=session_factory(engine))
    register_makers(services.files, settings)
    adapter = create_adapter(settings)
    adapter.on_turn_error = on_turn_error
    for middleware in (
        CorrelationMiddleware(),
        TenantMiddleware(services),
        DedupeMiddleware(services),
        IdentityMiddleware(services),
    ):
        adapter.use(middleware)
    bot = RoadmapBot(services)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            await ping(engine)
        except Exception:  # any database failure means not ready
            log.warning("database not ready", exc_info=True)
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ready"})

    runner: CycleRunner | None = None

    async def install_jobs(_app: web.Application) -> None:
        # the SDK's msrest calls (new conversations, rosters), token fetches and chart
        # renders run in threads: give them more than the default handful
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=32, thread_name_prefix="connector")
        )
        jobs.install(jobs.Runtime(sessions=services.sessions, zone=settings.zone))

    async def start_cycle(_app: web.Application) -> None:
        nonlocal runner
        dispatcher = Dispatcher(
            services.sessions,
            BotSender(adapter, services),
            worker=worker_id(),
            on_unreachable=on_unreachable,
        )
        runner = CycleRunner(settings.database_url, dispatcher, worker=dispatcher.worker)
        services.cycle.attach(runner.replan)
        await runner.start()

    async def close(_app: web.Application) -> None:
        if runner is not None:
            await runner.stop()
        jobs.install(None)
        await adapter.close()
        await chart_cache.aclose()
        await engine.dispose()

    app = web.Application(
        client_max_size=256 * 1024,
        # every runner that serves this app logs requests with their secrets redacted
        handler_args={"access_log_class": RedactingAccessLogger},
    )
    app[ADAPTER_KEY] = adapter
    app[SERVICES_KEY] = services
    app.router.add_post("/api/messages", messages_handler(adapter, bot.on_turn))
    chart_cache = ChartCache()
    app.router.add_get(
        CHART_ROUTE,
        chart_handler(
            key=settings.chart_signing_key,
            data_source=PortfolioCharts(services.sessions, settings.zone),
            cache=chart_cache,
        ),
    )
    app.router.add_get(
        FILE_ROUTE,
        file_handler(
            key=settings.chart_signing_key, kinds=services.files, sessions=services.sessions
        ),
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.on_startup.append(install_jobs)
    if settings.cycle_enabled:
        app.on_startup.append(start_cycle)
    app.on_cleanup.append(close)
    return app


async def freeze_startup_heap(_app: web.Application) -> None:
    """Leave what start-up built (modules, mappers, catalogs) out of the garbage collector's
    full passes: they otherwise walk it all, and stall a turn or a chart render for tens of
    milliseconds. For a long-running server only (``main``, the benchmark)."""
    gc.collect()
    gc.freeze()


def main() -> None:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    mode = "authenticated" if settings.auth_enabled else "local (no credentials, loopback only)"
    log.info("Roadmap Bot on http://%s:%d/api/messages, %s", settings.host, settings.port, mode)
    app = create_app(settings)
    app.on_startup.append(freeze_startup_heap)
    # uvloop: asyncio's event loop in C, a drop-in that aiohttp, asyncpg and aiosqlite run on.
    # On SIGTERM, requests in flight get SHUTDOWN_GRACE_SECONDS to finish (aiohttp's default
    # is a minute), so that the process is gone within 10 s.
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=None,
        loop=uvloop.new_event_loop(),
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
    )


if __name__ == "__main__":
    main()
