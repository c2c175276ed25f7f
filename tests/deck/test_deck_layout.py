"""Every text fits its box, measured here with Pillow (no LibreOffice needed): text boxes,
titles and table rows, on every slide of the demo decks, and every shape on the slide.

The measuring is the test's own: whole lines measured with Liberation Sans (Arial's
metrics), broken greedily at spaces, as PowerPoint breaks them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import ImageFont
from pptx import Presentation

from storage.db import create_engine
from tests.support.deck import make_deck, migrate_and_load, run_apart

FONTS = Path("/usr/share/fonts/truetype/liberation2")
EMU_PT = 12_700
LINE = 1.2  # a line's height in font sizes: the deck's own assumption (single spacing)


def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), round(size * 10))


def lines_needed(text: str, width_pt: float, size: float, bold: bool) -> int:
    font = _font(size, bold)
    count = 0
    for paragraph in text.split("\n"):
        line = ""
        count += 1
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.getlength(candidate) / 10 <= width_pt or not line:
                line = candidate
                # a word wider than the line alone: broken where the line is full
                while font.getlength(line) / 10 > width_pt and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and font.getlength(line[:cut]) / 10 > width_pt:
                        cut -= 1
                    count += 1
                    line = line[cut:]
            else:
                count += 1
                line = word
    return count


def _runs(frame: object) -> tuple[float, bool]:
    for paragraph in frame.paragraphs:  # type: ignore[attr-defined]
        for run in paragraph.runs:
            if run.font.size is not None:
                return run.font.size.pt, bool(run.font.bold)
    return 18.0, False


@pytest.fixture(scope="module", params=[("fi", 2025, None), ("sv", 2026, "2026-06")], ids=str)
def deck(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[bytes]:
    if not FONTS.is_dir():
        pytest.skip("Liberation fonts are not installed (fonts-liberation2)")
    language, year, as_of = request.param
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('layout') / 'demo.db'}"
    run_apart(migrate_and_load(url))

    async def build() -> bytes:
        engine = create_engine(url)
        try:
            return await make_deck(engine, year=year, language=language, as_of=as_of)
        finally:
            await engine.dispose()

    yield run_apart(build())


def test_every_text_fits_its_box_and_every_box_the_slide(deck: bytes) -> None:
    presentation = Presentation(io.BytesIO(deck))
    width, height = int(presentation.slide_width or 0), int(presentation.slide_height or 0)
    problems = []
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            if shape.left + shape.width > width or shape.top + shape.height > height:
                problems.append(f"slide {number}: {shape.name} runs off the slide")
            if shape.has_text_frame and shape.text_frame.text:
                frame = shape.text_frame
                size, bold = _runs(frame)
                inner_w = (shape.width - frame.margin_left - frame.margin_right) / EMU_PT
                inner_h = (shape.height - frame.margin_top - frame.margin_bottom) / EMU_PT
                need = lines_needed(frame.text, inner_w, size, bold) * size * LINE
                if need > inner_h + 0.5:
                    problems.append(
                        f"slide {number}: {frame.text[:40]!r} needs {need:.0f} pt of {inner_h:.0f}"
                    )
            if shape.has_table:
                rows_height = sum(row.height for row in shape.table.rows)
                if shape.top + rows_height > height:
                    problems.append(f"slide {number}: a table runs below the slide")
                for row in shape.table.rows:
                    for column, cell in zip(shape.table.columns, row.cells, strict=True):
                        size, bold = _runs(cell.text_frame)
                        inner_w = (column.width - cell.margin_left - cell.margin_right) / EMU_PT
                        inner_h = (row.height - cell.margin_top - cell.margin_bottom) / EMU_PT
                        text = cell.text_frame.text
                        need = lines_needed(text, inner_w, size, bold) * size * LINE
                        if need > inner_h + 0.5:
                            problems.append(
                                f"slide {number}: cell {text[:40]!r} needs {need:.0f} pt of {inner_h:.0f}"
                            )
    assert not problems, "\n".join(problems[:20])


def test_the_measure_sees_text_that_does_not_fit() -> None:
    if not FONTS.is_dir():
        pytest.skip("Liberation fonts are not installed (fonts-liberation2)")
    assert lines_needed("short", 100, 12, False) == 1
    assert lines_needed("a sentence that is far wider than forty points", 40, 12, False) > 4
    assert lines_needed("one\ntwo", 100, 12, False) == 2
