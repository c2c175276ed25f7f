"""The kinds of file, and how each is made: the one table the link route and the Teams
upload both read. The makers are given to ``FileKinds`` when the app starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from storage.db import SessionFactory


class FileNotFound(Exception):
    """The link names nothing that can be made (an unknown kind, year or language)."""


@dataclass(frozen=True, slots=True)
class MadeFile:
    name: str  # as the person sees it: roadmap-2026-11-30.xlsx
    media_type: str
    data: bytes


# params (signed, strings) -> the file; raises FileNotFound for params that name nothing
Maker = Callable[[Mapping[str, str], SessionFactory], Awaitable[MadeFile]]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


class FileKinds:
    """``kind`` -> its maker (``workbook``, ``deck``): registered when the app starts."""

    def __init__(self, makers: Mapping[str, Maker] | None = None) -> None:
        self._makers: dict[str, Maker] = dict(makers or {})

    def register(self, kind: str, maker: Maker) -> None:
        self._makers[kind] = maker

    async def make(
        self, kind: str, params: Mapping[str, str], sessions: SessionFactory
    ) -> MadeFile:
        maker = self._makers.get(kind)
        if maker is None:
            raise FileNotFound(kind)
        return await maker(params, sessions)
