"""``python -m deck`` writes the deck from DATABASE_URL; bad input gets a message and no file.
The city's template is used through its layouts, found by name."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor

from deck import cli
from deck.template import TemplateError, default_presentation, load
from storage.db import create_engine
from tests.support.deck import make_deck, migrate_and_load, read_deck, run_apart

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    run_apart(migrate_and_load(url))
    yield url


def _run(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": url, **env}
    environment.pop("DECK_TEMPLATE", None) if "DECK_TEMPLATE" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "deck", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_writes_the_deck(demo_file: str, tmp_path: Path) -> None:
    output = tmp_path / "deck.pptx"
    done = _run(
        demo_file, "--year", "2025", "--lang", "sv", "--as-of", "10/2024", "-o", str(output)
    )
    assert done.returncode == 0, done.stderr
    slides = read_deck(output.read_bytes())
    assert slides[0].title.startswith("Uppföljning av digitaliseringsprogrammet")
    assert "10.2024" in slides[0].text  # as of the end of October 2024
    assert output.stat().st_mode & 0o044  # readable by others, as the user's umask allows
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025", "--as-of", "2024-13"], "not a month"),
        (["--year", "20x5"], "not a year"),
        (["--year", "2025", "--lang", "de"], "invalid choice"),
        (["--year", "2031"], "no roadmap for 2031 or 2030"),
    ],
)
def test_bad_arguments_get_a_message_and_no_file(
    demo_file: str, tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "deck.pptx"
    done = _run(demo_file, *args, "-o", str(output))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_template_that_is_not_a_presentation_is_refused(demo_file: str, tmp_path: Path) -> None:
    bad = tmp_path / "city.pptx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    output = tmp_path / "deck.pptx"
    done = _run(demo_file, "--year", "2025", "--template", str(bad), "-o", str(output))
    assert done.returncode == 2
    assert "template: city.pptx: not a PowerPoint presentation" in done.stderr
    assert not output.exists()
    missing = _run(demo_file, "--year", "2025", "-o", str(output), DECK_TEMPLATE="/nowhere/x.pptx")
    assert missing.returncode == 2 and "DECK_TEMPLATE" in missing.stderr
    assert not output.exists()


def test_register_adds_the_deck_command() -> None:
    parser = argparse.ArgumentParser(prog="roadmap")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["deck", "--year", "2025", "--lang", "sv", "--as-of", "2024-10", "-o", "d.pptx"]
    )
    assert (args.command, args.year, args.lang, args.as_of, args.output) == (
        "deck",
        2025,
        "sv",
        "2024-10",
        Path("d.pptx"),
    )
    assert args.handler is cli.run


def _city_template(path: Path) -> None:
    """A 4:3 template whose layouts have Finnish names and a coloured master, with a slide."""
    presentation = Presentation()  # python-pptx's own 4:3 blank
    names = {
        "Title Slide": "Otsikkodia",
        "Title Only": "Vain otsikko",
        "Section Header": "Osan ylätunniste",
    }
    for layout in presentation.slide_layouts:
        layout.name = names.get(layout.name, f"Muu {layout.name}")
    background = presentation.slide_master.background.fill
    background.solid()
    background.fore_color.rgb = RGBColor(0xF4, 0xF8, 0xFB)  # type: ignore[no-untyped-call]
    presentation.slides.add_slide(presentation.slide_layouts[0]).shapes.title.text = "Esimerkki"
    presentation.save(str(path))


async def test_the_citys_template_gives_the_master_and_the_layouts(
    demo_file: str, tmp_path: Path
) -> None:
    city = tmp_path / "city.pptx"
    _city_template(city)
    engine = create_engine(demo_file)
    try:
        content = await make_deck(engine, year=2025, language="fi", template=city)
    finally:
        await engine.dispose()
    deck = Presentation(io.BytesIO(content))
    assert (deck.slide_width, deck.slide_height) == (9_144_000, 6_858_000)
    used = [slide.slide_layout.name for slide in deck.slides]
    assert used[0] == "Otsikkodia"
    assert set(used) <= {"Otsikkodia", "Vain otsikko", "Osan ylätunniste"}
    assert "Esimerkki" not in [s.title for s in read_deck(content)]  # its own slide is gone
    for slide in deck.slides:  # everything on the narrower slide
        for shape in slide.shapes:
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height


def test_a_template_without_a_titled_layout_is_refused(tmp_path: Path) -> None:
    presentation = default_presentation()
    for number, layout in enumerate(presentation.slide_layouts):
        layout.name = f"Layout {number}"  # no name the deck knows, and no title anywhere
        for shape in list(layout.placeholders):
            if shape.placeholder_format.type in (1, 3):  # TITLE, CENTER_TITLE
                shape._element.getparent().remove(shape._element)
    path = tmp_path / "plain.pptx"
    presentation.save(str(path))
    with pytest.raises(TemplateError):
        load(path)
