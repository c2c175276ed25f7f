"""``roadmap demo``: migrate, and load the demo portfolio into an empty database.

The demo is the text files of ``storage/demo_data/``, loaded through the workbook import
(``storage.demo.load_demo``); its status history is dated relative to today, in the
settings' time zone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine.url import make_url

from settings import Settings
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.demo import DemoDataError, load_demo

logger = logging.getLogger("cli.demo")


def register(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "demo", help="migrate, and load the demo portfolio into an empty database"
    )
    command.set_defaults(run=run)


async def _load(url: str, today: date) -> bool:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await load_demo(session, today=today)
    finally:
        await engine.dispose()


def run(_args: argparse.Namespace, settings: Settings) -> int:
    url = settings.database_url
    today = datetime.now(settings.zone).date()
    shown = make_url(url).render_as_string(hide_password=True)
    logger.info("Migrating %s and loading the demo portfolio (today %s)", shown, today)
    try:
        loaded = asyncio.run(_load(url, today))
    except DemoDataError as error:
        logger.error("%s", error)  # a data error, not a crash: no traceback
        return 1
    if loaded:
        logger.info("Demo portfolio committed")
    else:
        logger.info("The database already has a programme; demo not loaded")
    return 0
