"""``deck --year 2025 --lang sv --as-of 2024-10 -o deck.pptx [--template city.pptx]``.

``register(subparsers)`` adds the command to an argparse parser (the ``roadmap`` CLI's);
``python -m deck`` runs it alone. It opens the database named by ``DATABASE_URL``; the
template comes from ``--template``, else from ``DECK_TEMPLATE``, else the default.
A bad argument, a missing roadmap or an unusable template ends with a one-line message
and exit status 2, and no file is written.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from deck import build_deck
from deck.template import TemplateError
from settings import Settings
from storage.db import create_engine, session_factory, transaction
from storage.deck import NoProgrammeError, NoRoadmapError
from storage.history import BadPeriodError, parse_month
from translations import LANGUAGES

log = logging.getLogger(__name__)


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"not a year: {text!r}")
    return int(text)


def _month(text: str) -> str:
    try:
        return parse_month(text)
    except BadPeriodError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year",
        type=_year,
        required=True,
        help="the roadmap year for approval; the deck follows up the year before",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="fi", help="the deck's language")
    parser.add_argument(
        "--as-of",
        type=_month,
        default=None,
        metavar="YYYY-MM",
        help="the portfolio as it stood at the end of this month (default: now)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .pptx to write")
    parser.add_argument("--template", type=Path, default=None, help="the city's .pptx template")
    parser.add_argument(
        "--date",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="the board meeting's date (default: the roadmap's approval date, else the data's)",
    )
    parser.add_argument(
        "--no-money", action="store_true", help="leave out every money figure and the budget"
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deck", help="the city board's deck (pptx)", description=__doc__.split("\n\n")[1]
    )
    add_arguments(parser)
    # ``handler`` for ``python -m deck``; ``run`` as ``roadmap`` calls its subcommands
    parser.set_defaults(handler=run, run=lambda args, _settings: run(args))


async def _build(args: argparse.Namespace, settings: Settings) -> bytes:
    engine = create_engine(settings.database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            return await build_deck(
                session=session,
                year=args.year,
                language=args.lang,
                as_of=args.as_of,
                template=args.template or settings.deck_template,
                shows_money=not args.no_money,
                zone=settings.zone,
                city=settings.city_name,
                board_date=args.date,
            )
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    """Build the deck and write it; the exit status."""
    try:
        settings = Settings()
    except ValidationError as error:  # names the setting, never echoes a value
        return _fail(f"settings: {error.errors()[0]['msg']}")
    try:
        content = asyncio.run(_build(args, settings))
    except NoProgrammeError:
        return _fail("the database holds no programme: load one first (roadmap demo)")
    except NoRoadmapError:
        return _fail(f"there is no roadmap for {args.year} or {args.year - 1}")
    except TemplateError as error:
        return _fail(f"template: {error}")
    output: Path = args.output
    # written beside the target and renamed: a failed write leaves no half file
    handle, temporary = tempfile.mkstemp(dir=output.parent or Path(), suffix=".pptx.part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        umask = os.umask(0o022)
        os.umask(umask)
        Path(temporary).chmod(0o666 & ~umask)  # as a file the user writes: mkstemp's is 0600
        Path(temporary).replace(output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("Wrote %s (%d bytes)", output, len(content))
    return 0


def _fail(message: str) -> int:
    print(f"deck: {message}", file=sys.stderr)  # noqa: T201 (the command's own output)
    return 2


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    parser = argparse.ArgumentParser(prog="python -m deck", description=__doc__.split("\n\n")[1])
    add_arguments(parser)
    return run(parser.parse_args(argv))
