"""How each kind of file is made: the workbook and the board deck, from the database.

``register_makers`` gives them to the app's ``FileKinds``. A maker reads only the signed
params it is given: the language, and for the workbook whether it holds the people sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from deck import build_deck
from exports.kinds import PPTX, XLSX, FileKinds, FileNotFound, MadeFile, Maker
from settings import Settings
from storage.db import SessionFactory
from storage.deck import NoProgrammeError, NoRoadmapError
from storage.history import BadPeriodError
from storage.workbook import export_workbook
from translations import LANGUAGES


def _language(params: Mapping[str, str]) -> str:
    language = params.get("lang", "")
    if language not in LANGUAGES:
        raise FileNotFound(f"language {language!r}")
    return language


async def make_workbook(params: Mapping[str, str], sessions: SessionFactory) -> MadeFile:
    language = _language(params)
    async with sessions() as session:
        data = await export_workbook(
            session=session, language=language, include_people=params.get("people") == "1"
        )
    return MadeFile(f"roadmap-{datetime.now(UTC).date().isoformat()}.xlsx", XLSX, data)


def deck_maker(settings: Settings) -> Maker:
    """The board deck for roadmap ``year`` in ``lang``, as of ``as_of`` (a month) if given."""

    async def make_deck(params: Mapping[str, str], sessions: SessionFactory) -> MadeFile:
        language = _language(params)
        year_text, as_of = params.get("year", ""), params.get("as_of") or None
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise FileNotFound(f"year {year_text!r}")
        try:
            async with sessions() as session:
                data = await build_deck(
                    session=session,
                    year=int(year_text),
                    language=language,
                    as_of=as_of,
                    template=settings.deck_template,
                    shows_money=True,
                    zone=settings.zone,
                    city=settings.city_name,
                )
        except (NoProgrammeError, NoRoadmapError, BadPeriodError) as error:
            raise FileNotFound(str(error)) from error
        suffix = f"-{as_of}" if as_of else ""
        return MadeFile(f"roadmap-{year_text}{suffix}-{language}.pptx", PPTX, data)

    return make_deck


def register_makers(kinds: FileKinds, settings: Settings) -> None:
    kinds.register("workbook", make_workbook)
    kinds.register("deck", deck_maker(settings))
