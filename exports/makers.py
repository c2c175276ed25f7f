"""How each kind of file is made: the workbook, the board deck, and a rejected import's
errors, from the database.

``register_makers`` gives them to the app's ``FileKinds``. A maker reads only the signed
params it is given: the language, for the workbook whether it holds the people sheet, and
for an import's errors the sent file (kept as a pending import) and the admin who sent it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import PurePath

from deck import build_deck
from exports.kinds import PPTX, XLSX, FileKinds, FileNotFound, MadeFile, Maker
from settings import Settings
from storage import imports
from storage.db import SessionFactory
from storage.deck import NoProgrammeError, NoRoadmapError
from storage.history import BadPeriodError
from storage.models import utcnow
from storage.workbook import WorkbookRefused, export_workbook, read_workbook
from storage.workbook.errors import errors_workbook
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


def _id(params: Mapping[str, str], name: str) -> int:
    text = params.get(name, "")
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 18):
        raise FileNotFound(f"{name} {text!r}")
    return int(text)


async def make_import_errors(params: Mapping[str, str], sessions: SessionFactory) -> MadeFile:
    """The errors of a workbook ``person`` sent (pending import ``import``), checked again."""
    language = _language(params)
    import_id, person_id = _id(params, "import"), _id(params, "person")
    async with sessions() as session:
        pending = await imports.waiting(
            import_id, person_id, since=utcnow() - imports.KEPT_FOR, session=session
        )
        if pending is None:
            raise FileNotFound(f"import {import_id}")
        try:
            plan = await read_workbook(pending.data, language=language, session=session)
        except WorkbookRefused as error:
            raise FileNotFound(f"import {import_id}: {error}") from error
    stem = re.sub(r"[^\w.-]+", "_", PurePath(pending.file_name).stem)[:60] or "workbook"
    return MadeFile(f"{stem}-errors.xlsx", XLSX, errors_workbook(plan, language))


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
    kinds.register("import_errors", make_import_errors)
