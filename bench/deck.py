"""``python -m bench.deck``: how long the board deck takes, against python-pptx alone.

Two decks, each built in this process from a SQLite file in a temporary directory:

* **porvoo**: the demo portfolio (``storage.demo.load_demo``, today's date), the deck for
  roadmap 2025 in Finnish, as it is now: the seed's deck;
* **generated**: ``bench.portfolio.generate_portfolio`` with 80 projects and 36 months of
  reports (seed 1), every project put on this year's roadmap, the deck for this year
  in Swedish as of last month (rebuilt from the status history), so 80 projects in the
  follow-up table, the matrix and the appendix.

Each deck is built ``--runs`` times (default 5) with ``deck.build_deck`` (reading in one
session, laying out, writing the pptx); the median is printed, split into the read
(``storage.deck.deck_data``) and the rest. Every chart is timed as it is added, and the
slowest chart's share of the total is printed (target: no chart over 10 %).

**python-pptx alone** writes the same shapes: the built deck is read back once (not timed)
into a plain list of slides with their titles, text boxes (text, size), tables (cells,
widths, heights, font size, fill) and charts (type, data), and then written again with
nothing but python-pptx calls on the same template, timed the same way. The ratio
``deck / python-pptx alone`` is what the deck's own work costs: the database, measuring
text and splitting tables, translations and formats.

Times are printed as CPU seconds of this process (``time.process_time``) and as wall-clock
seconds: on a shared 2-core machine the wall clock also counts the time other processes
held the cores. The targets are judged on CPU time: the 80-project deck in under 3 s, and
no chart over 10 % of its deck. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu, Pt
from sqlalchemy import text

import deck as deck_package
import deck.sections as sections_module
from bench.portfolio import generate_portfolio
from deck import build_deck
from deck.template import load
from storage import deck as storage_deck
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.demo import load_demo

ZONE = ZoneInfo("Europe/Helsinki")
TARGET_80_S = 3.0
TARGET_CHART_SHARE = 0.10


@dataclass
class Timings:
    """Per counted run: wall-clock seconds, and the process's CPU seconds (which the other
    work on a shared machine does not inflate)."""

    read: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    chart_share: list[float] = field(default_factory=list)  # the slowest chart's CPU share
    slowest_chart: list[float] = field(default_factory=list)
    charts: int = 0
    slides: int = 0
    size: int = 0


def _timed_charts(record: list[float]) -> Callable[[], None]:
    """Wrap the deck's chart functions so each chart's time is recorded; returns the undo."""
    originals = {
        name: getattr(sections_module, name)
        for name in ("bar_chart", "line_chart", "scatter_chart")
    }

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                record.append(time.process_time() - start)

        return timed

    for name, function in originals.items():
        setattr(sections_module, name, wrap(function))

    def undo() -> None:
        for name, function in originals.items():
            setattr(sections_module, name, function)

    return undo


def _timed_read(record: list[float]) -> Callable[[], None]:
    original = storage_deck.deck_data

    async def timed(**kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await original(**kwargs)
        finally:
            record.append(time.perf_counter() - start)

    setattr(deck_package, "deck_data", timed)  # noqa: B010 (the module's own name for it)

    def undo() -> None:
        setattr(deck_package, "deck_data", original)  # noqa: B010

    return undo


async def _measure(
    url: str, *, year: int, language: str, as_of: str | None, runs: int
) -> tuple[Timings, bytes]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    timings = Timings()
    content = b""
    try:
        for run in range(runs + 1):  # the first run warms caches and is not counted
            charts: list[float] = []
            reads: list[float] = []
            undo_charts, undo_read = _timed_charts(charts), _timed_read(reads)
            try:
                start, start_cpu = time.perf_counter(), time.process_time()
                async with transaction(sessions) as session:
                    content = await build_deck(
                        session=session,
                        year=year,
                        language=language,
                        as_of=as_of,
                        template=None,
                        shows_money=True,
                        zone=ZONE,
                    )
                elapsed = time.perf_counter() - start
                cpu = time.process_time() - start_cpu
            finally:
                undo_charts()
                undo_read()
            if run:
                timings.total.append(elapsed)
                timings.cpu.append(cpu)
                timings.read.append(reads[0])
                timings.slowest_chart.append(max(charts, default=0.0))
                timings.chart_share.append(max(charts, default=0.0) / cpu)
            timings.charts = len(charts)
    finally:
        await engine.dispose()
    timings.size = len(content)
    timings.slides = len(Presentation(io.BytesIO(content)).slides)
    return timings, content


# -- python-pptx alone ------------------------------------------------------------------


@dataclass
class ShapeSpec:
    kind: str  # "text", "table", "chart"
    box: tuple[int, int, int, int]
    payload: Any


@dataclass
class SlideSpec:
    layout: str
    title: str
    shapes: list[ShapeSpec]


def _spec(content: bytes) -> list[SlideSpec]:
    """The deck's slides as plain data: what python-pptx alone is asked to write again."""
    slides = []
    for slide in Presentation(io.BytesIO(content)).slides:
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        shapes = []
        for shape in slide.shapes:
            box = (int(shape.left), int(shape.top), int(shape.width), int(shape.height))
            if shape.is_placeholder:
                continue
            if shape.has_chart:
                chart = shape.chart
                plot = chart.plots[0]
                if chart.chart_type == XL_CHART_TYPE.XY_SCATTER:
                    series = plot.series[0]
                    ys = list(series.values)
                    xs = [float(v) for v in series._element.xpath("./c:xVal//c:v/text()")]
                    payload: tuple[Any, ...] = (chart.chart_type, list(zip(xs, ys, strict=True)))
                else:
                    payload = (
                        chart.chart_type,
                        [str(c) for c in plot.categories],
                        [(s.name, list(s.values)) for s in plot.series],
                    )
                shapes.append(ShapeSpec("chart", box, payload))
            elif shape.has_table:
                table = shape.table
                shapes.append(
                    ShapeSpec(
                        "table",
                        box,
                        (
                            [[cell.text_frame.text for cell in row.cells] for row in table.rows],
                            [int(c.width) for c in table.columns],
                            [int(r.height) for r in table.rows],
                        ),
                    )
                )
            elif shape.has_text_frame:
                shapes.append(ShapeSpec("text", box, shape.text_frame.text))
        slides.append(SlideSpec(slide.slide_layout.name, title, shapes))
    return slides


def _write_alone(slides: list[SlideSpec]) -> bytes:
    """The same slides and shapes, with python-pptx calls only."""
    template = load(None)
    presentation = template.presentation
    layouts = {layout.name: layout for layout in presentation.slide_layouts}
    for spec in slides:
        slide = presentation.slides.add_slide(layouts[spec.layout])
        if slide.shapes.title is not None:
            slide.shapes.title.text_frame.text = spec.title
        for shape in spec.shapes:
            left, top, width, height = (Emu(v) for v in shape.box)
            if shape.kind == "text":
                box = slide.shapes.add_textbox(left, top, width, height)
                box.text_frame.word_wrap = True
                box.text_frame.text = shape.payload
                for paragraph in box.text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(12)
            elif shape.kind == "table":
                cells, widths, heights = shape.payload
                table = slide.shapes.add_table(
                    len(cells), len(widths), left, top, width, height
                ).table
                for index, column_width in enumerate(widths):
                    table.columns[index].width = Emu(column_width)
                for index, row_height in enumerate(heights):
                    table.rows[index].height = Emu(row_height)
                for r, row in enumerate(cells):
                    for c, value in enumerate(row):
                        cell = table.cell(r, c)
                        cell.text = value
                        for paragraph in cell.text_frame.paragraphs:
                            for run in paragraph.runs:
                                run.font.size = Pt(10)
            else:
                kind, *data = shape.payload
                if kind == XL_CHART_TYPE.XY_SCATTER:
                    chart_data: Any = XyChartData()  # type: ignore[no-untyped-call]
                    series = chart_data.add_series("points")
                    for x, y in data[0]:
                        series.add_data_point(x, y)
                else:
                    chart_data = CategoryChartData()  # type: ignore[no-untyped-call]
                    chart_data.categories = data[0]
                    for name, values in data[1]:
                        chart_data.add_series(name, values)
                slide.shapes.add_chart(kind, left, top, width, height, chart_data)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _alone(content: bytes, runs: int) -> tuple[float, float]:
    """python-pptx alone: the median wall-clock and CPU seconds."""
    slides = _spec(content)
    _write_alone(slides)  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        _write_alone(slides)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu)


# -- the portfolios ---------------------------------------------------------------------


async def _load(url: str, fill: Callable[..., Awaitable[Any]]) -> None:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await fill(session)
    finally:
        await engine.dispose()


async def _every_project_on(url: str, year: int) -> int:
    """Put every project on the year's roadmap: an 80-project roadmap. Returns its size."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    """INSERT INTO roadmapproject (roadmap_id, project_id)
                       SELECT r.id, p.id FROM project p, roadmap r WHERE r.year = :year
                       AND NOT EXISTS (SELECT 1 FROM roadmapproject x
                                       WHERE x.roadmap_id = r.id AND x.project_id = p.id)"""
                ),
                {"year": year},
            )
            count = await connection.execute(
                text(
                    """SELECT COUNT(*) FROM roadmapproject rp JOIN roadmap r
                       ON r.id = rp.roadmap_id WHERE r.year = :year"""
                ),
                {"year": year},
            )
            return int(count.scalar_one())
    finally:
        await engine.dispose()


def _report(
    name: str, projects: int, timings: Timings, alone: tuple[float, float]
) -> tuple[float, float]:
    """Prints one deck's figures; returns its median CPU seconds and slowest chart's share."""
    total, cpu = statistics.median(timings.total), statistics.median(timings.cpu)
    read = statistics.median(timings.read)
    share = statistics.median(timings.chart_share)
    alone_wall, alone_cpu = alone
    print(
        f"{name:>10}: {projects} projects, {timings.slides} slides, {timings.charts} charts, "
        f"{timings.size / 1024:.0f} KB\n"
        f"            deck: CPU {cpu * 1000:.0f} ms, wall {total * 1000:.0f} ms "
        f"(read {read * 1000:.0f} ms)\n"
        f"            python-pptx alone: CPU {alone_cpu * 1000:.0f} ms, wall "
        f"{alone_wall * 1000:.0f} ms; ratio (CPU) {cpu / alone_cpu:.2f}x\n"
        f"            slowest chart {statistics.median(timings.slowest_chart) * 1000:.1f} ms "
        f"CPU = {share:.1%} of the deck's CPU"
    )
    return cpu, share


async def _main(runs: int) -> int:
    today = datetime.now(ZONE).date()
    with tempfile.TemporaryDirectory() as folder:
        porvoo = f"sqlite+aiosqlite:///{Path(folder) / 'porvoo.db'}"
        generated = f"sqlite+aiosqlite:///{Path(folder) / 'generated.db'}"

        async def demo(session: Any) -> None:
            await load_demo(session, today=today)

        async def eighty(session: Any) -> None:
            await generate_portfolio(session, projects=80, months=36, seed=1, today=today)

        await _load(porvoo, demo)
        await _load(generated, eighty)
        size = await _every_project_on(generated, today.year)
        engine = create_engine(porvoo)
        async with engine.connect() as connection:
            porvoo_projects = (
                await connection.execute(
                    text(
                        """SELECT COUNT(DISTINCT rp.project_id) FROM roadmapproject rp
                           JOIN roadmap r ON r.id = rp.roadmap_id WHERE r.year IN (2024, 2025)"""
                    )
                )
            ).scalar_one()
        await engine.dispose()
        last_month = date(today.year, today.month, 1).toordinal() - 1
        as_of = f"{date.fromordinal(last_month):%Y-%m}"

        print(f"python-pptx alone and each deck: median of {runs} runs after a warm-up")
        ok = True
        demo_timings, demo_deck = await _measure(
            porvoo, year=2025, language="fi", as_of=None, runs=runs
        )
        _, demo_share = _report("porvoo", porvoo_projects, demo_timings, _alone(demo_deck, runs))
        gen_timings, gen_deck = await _measure(
            generated, year=today.year, language="sv", as_of=as_of, runs=runs
        )
        total, share = _report("generated", size, gen_timings, _alone(gen_deck, runs))
        if total >= TARGET_80_S:
            print(
                f"MISSED: the {size}-project deck took {total:.2f} s CPU (target < {TARGET_80_S} s)"
            )
            ok = False
        if max(share, demo_share) > TARGET_CHART_SHARE:
            print(f"MISSED: one chart took more than {TARGET_CHART_SHARE:.0%} of a deck")
            ok = False
        print("targets met" if ok else "targets missed")
        return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    raise SystemExit(asyncio.run(_main(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
