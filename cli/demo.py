"""``roadmap demo``: migrate, and load the demo portfolio into an empty database."""

from __future__ import annotations

import argparse
from typing import Any

from settings import Settings
from storage import demo


def register(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "demo", help="migrate, and load the demo portfolio into an empty database"
    )
    command.set_defaults(run=run)


def run(_args: argparse.Namespace, _settings: Settings) -> int:
    demo.main()
    return 0
