"""``roadmap``: the bot's one command line (``python -m cli`` does the same).

Each subcommand lives in a module with ``register(subparsers)``; ``COMMANDS`` lists them,
in the order ``roadmap --help`` shows them. A new command is one more entry there.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMANDS: tuple[str, ...] = (
    "cli.serve",
    "cli.migrate",
    "cli.demo",
    "cli.workbook",
    "deck.cli",
)


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="roadmap",
        description="Roadmap Bot: serve, migrate, load the demo, export and import, the board deck.",
    )
    subparsers = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from settings import Settings

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(message)s")
    return int(args.run(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
