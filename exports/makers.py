"""How each kind of file is made: the workbook and the board deck, from the database.

``register_makers`` gives them to the app's ``FileKinds``. A maker reads only the signed
params it is given: the language, and for the workbook whether it holds the people sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from exports.kinds import XLSX, FileKinds, FileNotFound, MadeFile
from storage.db import SessionFactory
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


def register_makers(kinds: FileKinds) -> None:
    kinds.register("workbook", make_workbook)
