"""``roadmap migrate``: upgrade DATABASE_URL's schema to the latest revision."""

from __future__ import annotations

import argparse
from typing import Any

from settings import Settings
from storage import migrate


def register(subparsers: Any) -> None:
    command = subparsers.add_parser("migrate", help="upgrade the database to the latest schema")
    command.set_defaults(run=run)


def run(_args: argparse.Namespace, _settings: Settings) -> int:
    migrate.main()
    return 0
