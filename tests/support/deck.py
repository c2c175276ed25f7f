"""Decks of the demo, and reading one back with python-pptx: each slide's title, texts,
tables and chart data."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from deck import build_deck
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.demo import load_demo

TODAY = date(2026, 11, 29)  # the demo is loaded with this today
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Helsinki")
T = TypeVar("T")


@dataclass
class Chart:
    kind: Any
    categories: list[str]
    series: dict[str, list[float]]
    points: list[tuple[float, float]] = field(default_factory=list)  # XY charts
    labels: list[str] = field(default_factory=list)  # XY charts' point labels


@dataclass
class SlideContent:
    number: int
    title: str
    texts: list[str]
    tables: list[list[list[str]]]
    charts: list[Chart]

    @property
    def rows(self) -> list[list[str]]:
        """The body rows of the slide's tables (headers left out)."""
        return [row for table in self.tables for row in table[1:]]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def read_deck(content: bytes) -> list[SlideContent]:
    presentation = Presentation(io.BytesIO(content))
    slides = []
    for number, slide in enumerate(presentation.slides, start=1):
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""
        texts, tables, charts = [], [], []
        for shape in slide.shapes:
            if shape.has_text_frame and shape != slide.shapes.title:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                tables.append(
                    [[cell.text_frame.text for cell in row.cells] for row in shape.table.rows]
                )
            if shape.has_chart:
                charts.append(_chart(shape.chart))
        slides.append(SlideContent(number, title, texts, tables, charts))
    return slides


def _chart(chart: Any) -> Chart:
    plot = chart.plots[0]
    if chart.chart_type == XL_CHART_TYPE.XY_SCATTER:
        series = plot.series[0]
        xs = [float(x) for x in series.iter_values()]  # y values
        x_values = [float(v) for v in series._element.xpath("./c:xVal//c:v/text()")]
        labels = [
            "".join(series._element.xpath(f"./c:dLbls/c:dLbl[c:idx/@val='{i}']//a:t/text()"))
            for i in range(len(xs))
        ]
        return Chart(chart.chart_type, [], {}, list(zip(x_values, xs, strict=True)), labels)
    return Chart(
        chart.chart_type,
        [str(c) for c in plot.categories],
        {s.name: [float(v) for v in s.values] for s in plot.series},
    )


def slides_titled(slides: list[SlideContent], start: str) -> list[SlideContent]:
    return [s for s in slides if s.title.startswith(start)]


async def make_deck(
    engine: AsyncEngine,
    *,
    year: int,
    language: str,
    as_of: str | None = None,
    shows_money: bool = True,
    template: Path | None = None,
) -> bytes:
    async with transaction(session_factory(engine)) as session:
        return await build_deck(
            session=session,
            year=year,
            language=language,
            as_of=as_of,
            template=template,
            shows_money=shows_money,
            zone=ZONE,
            now=NOW,
        )


async def rows(db: AsyncConnection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await db.execute(text(sql), params)).all()]


def aware(value: Any) -> datetime:
    """A timestamp read with plain SQL: SQLite gives naive UTC text, PostgreSQL aware values."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up code on its own event loop, away from the tests' loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def migrate_and_load(url: str) -> None:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await load_demo(session, today=TODAY)
    finally:
        await engine.dispose()
