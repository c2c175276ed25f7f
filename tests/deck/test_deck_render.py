"""The deck opens in LibreOffice Impress, converts headless to PDF, and every slide to a PNG;
no rendered word lies outside its shape or off the slide.

These need LibreOffice (Debian ``libreoffice-impress``) and poppler-utils (``pdftoppm``,
``pdftotext``). They skip without them, and fail instead when ``ROADMAP_REQUIRE_E2E=1``,
as in CI (``.ci/run`` installs both).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Pt

from storage.db import create_engine
from tests.support.deck import make_deck, migrate_and_load, run_apart

pytestmark = pytest.mark.office
TOLERANCE_PT = 2.0  # a rendered glyph box may overhang its shape by this much
CONVERT_TIMEOUT_S = 240
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def _tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("soffice", "pdftoppm", "pdftotext")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install libreoffice-impress poppler-utils)"
        if os.environ.get("ROADMAP_REQUIRE_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return {name: str(path) for name, path in found.items()}


@dataclass
class Rendered:
    pptx: bytes
    pdf: Path
    pngs: list[Path]
    bbox_html: str


async def _deck(url: str, language: str, year: int, as_of: str | None) -> bytes:
    engine = create_engine(url)
    try:
        return await make_deck(engine, year=year, language=language, as_of=as_of)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=[("fi", 2025, None), ("sv", 2026, "2026-06")], ids=str)
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rendered]:
    tools = _tools()
    language, year, as_of = request.param
    folder = tmp_path_factory.mktemp(f"render-{language}")
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    run_apart(migrate_and_load(url))
    content = run_apart(_deck(url, language, year, as_of))
    source = folder / "deck.pptx"
    source.write_bytes(content)
    profile = folder / "profile"  # a profile of its own: no clash with another soffice
    subprocess.run(
        [
            tools["soffice"],
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
    )
    pdf = folder / "deck.pdf"
    subprocess.run(
        [tools["pdftoppm"], "-r", "30", "-png", str(pdf), str(folder / "slide")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(
        [tools["pdftotext"], "-bbox", str(pdf), str(folder / "words.html")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    yield Rendered(
        content,
        pdf,
        sorted(folder.glob("slide-*.png")),
        (folder / "words.html").read_text(encoding="utf-8"),
    )


def test_it_converts_to_pdf_one_page_a_slide(rendered: Rendered) -> None:
    slides = len(Presentation(io.BytesIO(rendered.pptx)).slides)
    assert rendered.pdf.stat().st_size > 10_000
    assert len(PAGE.findall(rendered.bbox_html)) == slides
    assert len(rendered.pngs) == slides


def test_every_slide_becomes_a_png_with_something_on_it(rendered: Rendered) -> None:
    for png in rendered.pngs:
        with Image.open(png) as image:
            grey = image.convert("L")
            low, high = grey.getextrema()
            assert isinstance(low, int) and isinstance(high, int)  # one band: one (min, max)
            assert high - low > 100, f"{png.name} is blank"
            assert image.width > image.height  # 16:9


def stray_words(pptx: bytes, bbox_html: str) -> list[str]:
    """The rendered words that lie off the slide or outside every shape of their slide."""
    presentation = Presentation(io.BytesIO(pptx))
    emu_per_pt = 12_700
    pages = PAGE.findall(bbox_html)
    strays: list[str] = []
    for number, (slide, (width, height, body)) in enumerate(
        zip(presentation.slides, pages, strict=True), start=1
    ):
        scale = float(width) / (int(presentation.slide_width or 0) / emu_per_pt)
        boxes = [
            (
                shape.left / emu_per_pt * scale,
                shape.top / emu_per_pt * scale,
                (shape.left + shape.width) / emu_per_pt * scale,
                (shape.top + shape.height) / emu_per_pt * scale,
            )
            for shape in slide.shapes
            if shape.width is not None and shape.left is not None
        ]
        for x0, y0, x1, y1, word in WORD.findall(body):
            box = (float(x0), float(y0), float(x1), float(y1))
            off_slide = box[0] < 0 or box[1] < 0 or box[2] > float(width) or box[3] > float(height)
            inside = any(
                box[0] >= left - TOLERANCE_PT
                and box[1] >= top - TOLERANCE_PT
                and box[2] <= right + TOLERANCE_PT
                and box[3] <= bottom + TOLERANCE_PT
                for left, top, right, bottom in boxes
            )
            if off_slide or not inside:
                strays.append(f"slide {number}: {unescape(word)!r} at {box}")
    return strays


def test_no_word_lies_outside_its_shape_or_off_the_slide(rendered: Rendered) -> None:
    strays = stray_words(rendered.pptx, rendered.bbox_html)
    assert not strays, "\n".join(strays[:20])


def test_the_check_sees_text_that_runs_out(tmp_path: Path) -> None:
    """The check above, on a slide made to fail it: a box too small for its text."""
    tools = _tools()
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = slide.shapes.add_textbox(Pt(40), Pt(40), Pt(120), Pt(20))
    box.text_frame.word_wrap = True
    box.text_frame.text = "This sentence is far too long for the little box it was put in. " * 3
    fits = slide.shapes.add_textbox(Pt(300), Pt(300), Pt(200), Pt(40))
    fits.text_frame.text = "Fits"
    buffer = io.BytesIO()
    presentation.save(buffer)
    source = tmp_path / "bad.pptx"
    source.write_bytes(buffer.getvalue())
    subprocess.run(
        [
            tools["soffice"],
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
    )
    subprocess.run(
        [tools["pdftotext"], "-bbox", str(tmp_path / "bad.pdf"), str(tmp_path / "w.html")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    strays = stray_words(buffer.getvalue(), (tmp_path / "w.html").read_text(encoding="utf-8"))
    assert strays, "text below a too-small box is found"
    assert not any("Fits" in stray for stray in strays)
