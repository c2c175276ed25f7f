"""``roadmap serve``: migrate, then run the bot (``python app.py``)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from settings import Settings
from storage.db import upgrade


def register(subparsers: Any) -> None:
    command = subparsers.add_parser("serve", help="migrate the database, then run the bot")
    command.set_defaults(run=run)


def run(_args: argparse.Namespace, settings: Settings) -> int:
    import app

    asyncio.run(upgrade(settings.database_url))
    app.main()
    return 0
