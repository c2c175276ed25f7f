"""Slides, text boxes, tables and charts, laid out so that no text runs out of its shape.

Every text is measured before it is placed (``deck.measure``): a title gets smaller before
it wraps to a third line, a box's text is cut with an ellipsis when it can't fit, and a
table is split over as many slides as its rows need, its header repeated. Charts are
python-pptx chart objects with their data inside, so the office can restyle them and
correct a number in PowerPoint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Pt

from deck import measure
from deck.template import Frame, Template

EMU_PER_PT: Final = measure.EMU_PER_POINT
# python-pptx 1.0's annotations are partial (and add_chart's return type is wrong): its
# chart data and colour constructors are untyped, so they are called through Any.
_RGB: Any = RGBColor
_CATEGORY_DATA: Any = CategoryChartData
_XY_DATA: Any = XyChartData


def _rgb(red: int, green: int, blue: int) -> RGBColor:
    colour: RGBColor = _RGB(red, green, blue)
    return colour


INK: Final = _rgb(0x1F, 0x29, 0x33)
MUTED: Final = _rgb(0x5B, 0x67, 0x70)
ALERT: Final = _rgb(0xB0, 0x1E, 0x1E)
HEADER_FILL: Final = _rgb(0x1F, 0x4E, 0x79)
STRIPE_FILL: Final = _rgb(0xEE, 0xF2, 0xF6)
WHITE: Final = _rgb(0xFF, 0xFF, 0xFF)
SERIES_COLOURS: Final = {
    "completed": _rgb(0x4F, 0x6D, 0x8F),
    "on_track": _rgb(0x2E, 0x7D, 0x32),
    "at_risk": _rgb(0xE0, 0x9A, 0x16),
    "off_track": _rgb(0xC6, 0x28, 0x28),
    "no_report": _rgb(0x9E, 0x9E, 0x9E),
    "planned": _rgb(0xB0, 0xBE, 0xC5),
    "paused": _rgb(0x8D, 0x6E, 0x63),
    "cancelled": _rgb(0x5D, 0x40, 0x37),
}
# Text frames and cells: the insets the measurements assume (points).
BOX_INSET: Final = 3.6
CELL_INSET_X: Final = 3.6
CELL_INSET_Y: Final = 2.2
ROW_SLACK: Final = 2.0  # a row's extra height beyond its lines, for the renderer's rounding
TITLE_POINTS: Final = (28.0, 24.0, 20.0, 18.0)


def pt(emu: int) -> float:
    return emu / EMU_PER_PT


def emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


@dataclass
class Builder:
    """Adds slides to the template's presentation; knows its frame and its fonts."""

    template: Template
    footer: str

    @property
    def frame(self) -> Frame:
        return self.template.frame

    def _font(self, frame: TextFrame, points: float, bold: bool, colour: RGBColor) -> None:
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(points)
                run.font.bold = bold
                run.font.color.rgb = colour
                if self.template.own_fonts:
                    run.font.name = measure.FONT_NAME

    def _title(self, slide: Slide, text: str) -> None:
        title = slide.shapes.title
        if title is None:  # a layout without a title: a text box where the title would be
            frame = self.frame
            self.text(
                slide, text, frame.left, frame.top // 6, frame.width, frame.top * 2 // 3, 24, True
            )
            return
        width = pt(int(title.width or 0)) - 2 * BOX_INSET
        room = pt(int(title.height or 0)) - 2 * BOX_INSET
        points = TITLE_POINTS[-1]
        for size in TITLE_POINTS:
            if measure.height(len(measure.wrap(text, width, size, True)), size) <= room:
                points = size
                break
        lines = max(1, int(room // (points * measure.LINE_SPACING)))
        title.text_frame.text = measure.clip(text, width, points, lines, True)
        title.text_frame.word_wrap = True
        title.text_frame.auto_size = MSO_AUTO_SIZE.NONE
        _insets(title.text_frame, BOX_INSET, BOX_INSET)
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(points)
                run.font.bold = True
                if self.template.own_fonts:
                    run.font.name = measure.FONT_NAME

    def slide(self, title: str, *, note: str = "", kind: str = "content") -> Slide:
        layout = {
            "content": self.template.content,
            "section": self.template.section,
            "title": self.template.title,
        }[kind]
        slide: Slide = self.template.presentation.slides.add_slide(layout)
        for shape in list(slide.placeholders):  # the layout's other placeholders stay empty
            if shape.placeholder_format.idx != 0:
                shape._element.getparent().remove(shape._element)
        self._title(slide, title)
        return slide

    def finish(self, slide: Slide, note: str = "") -> None:
        """The footer line: the deck's date and data, and the slide's footnote."""
        frame = self.frame
        top = frame.top + frame.height + emu(4)
        text = f"{self.footer} · {note}" if note else self.footer
        self.text(
            slide,
            text,
            frame.left,
            top,
            frame.width,
            frame.slide_height - top - emu(6),
            9,
            colour=MUTED,
        )

    def text(
        self,
        slide: Slide,
        text: str,
        left: int,
        top: int,
        width: int,
        height: int,
        points: float,
        bold: bool = False,
        *,
        colour: RGBColor = INK,
        min_points: float | None = None,
        anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    ) -> None:
        """A text box; the text gets smaller (to ``min_points``) and is then cut to fit."""
        inner_width = pt(width) - 2 * BOX_INSET
        room = pt(height) - 2 * BOX_INSET
        size = points
        floor = min_points if min_points is not None else points
        while (
            size > floor
            and measure.height(len(measure.wrap(text, inner_width, size, bold)), size) > room
        ):
            size -= 1
        lines = max(1, int(room // (size * measure.LINE_SPACING)))
        paragraphs = [measure.clip(p, inner_width, size, lines, bold) for p in text.split("\n")]
        kept: list[str] = []
        used = 0
        for paragraph in paragraphs:
            need = len(measure.wrap(paragraph, inner_width, size, bold))
            if used + need > lines:
                if lines - used > 0:
                    kept.append(measure.clip(paragraph, inner_width, size, lines - used, bold))
                break
            kept.append(paragraph)
            used += need
        box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = anchor
        _insets(frame, BOX_INSET, BOX_INSET)
        frame.text = "\n".join(kept)
        self._font(frame, size, bold, colour)

    def table(
        self,
        slide: Slide,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        top: int,
        points: float,
        *,
        left: int | None = None,
        width: int | None = None,
        alert_rows: Sequence[int] = (),
        total_row: bool = False,
    ) -> int:
        """A table of ``rows`` (which fit: see ``table_pages``); returns its bottom."""
        frame = self.frame
        left = frame.left if left is None else left
        width = frame.width if width is None else width
        widths = column_widths(columns, width)
        heights = [row_height([c.header for c in columns], widths, points, True)] + [
            row_height(row, widths, points) for row in rows
        ]
        shape = slide.shapes.add_table(
            len(rows) + 1, len(columns), Emu(left), Emu(top), Emu(width), emu(sum(heights))
        )
        # The cells are written as one piece of DrawingML: through python-pptx's cell
        # properties, each of a hundred cells costs several milliseconds.
        body = [
            _row_xml(
                [c.header for c in columns],
                columns,
                heights[0],
                points,
                True,
                WHITE,
                HEADER_FILL,
                self.template.own_fonts,
            )
        ]
        for r, row in enumerate(rows, start=1):
            body.append(
                _row_xml(
                    row,
                    columns,
                    heights[r],
                    points,
                    total_row and r == len(rows),
                    ALERT if (r - 1) in alert_rows else INK,
                    STRIPE_FILL if r % 2 == 0 else WHITE,
                    self.template.own_fonts,
                )
            )
        grid = "".join(f'<a:gridCol w="{int(emu(w))}"/>' for w in widths)
        old: Any = shape._element.graphic.graphicData.tbl  # python-pptx's, to be replaced
        new: Any = parse_xml(
            f"<a:tbl {nsdecls('a')}><a:tblGrid>{grid}</a:tblGrid>{''.join(body)}</a:tbl>"
        )
        new.insert(0, old.tblPr)  # its properties and table style, moved over
        old.getparent().replace(old, new)
        shape.table.first_row = True
        return top + int(emu(sum(heights)))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for an ``a:t``: escaped, without the control characters XML can't hold."""
    return escape(_NOT_XML.sub("", text))


def _row_xml(
    cells: Sequence[str],
    columns: Sequence[Column],
    height_pt: float,
    points: float,
    bold: bool,
    colour: RGBColor,
    fill: RGBColor,
    own_fonts: bool,
) -> str:
    size = round(points * 100)
    font = f'<a:latin typeface="{measure.FONT_NAME}"/>' if own_fonts else ""
    run_properties = (
        f'<a:rPr lang="en-US" sz="{size}" b="{int(bold)}" dirty="0">'
        f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>{font}</a:rPr>'
    )
    margins = (
        f'marL="{int(emu(CELL_INSET_X))}" marR="{int(emu(CELL_INSET_X))}" '
        f'marT="{int(emu(CELL_INSET_Y))}" marB="{int(emu(CELL_INSET_Y))}" anchor="t"'
    )
    parts = [f'<a:tr h="{int(emu(height_pt))}">']
    for text, column in zip(cells, columns, strict=True):
        align = "r" if column.numeric else "l"
        paragraphs = "".join(
            f'<a:p><a:pPr algn="{align}"/><a:r>{run_properties}<a:t>{_xml_text(line)}</a:t></a:r></a:p>'
            if line
            else f'<a:p><a:pPr algn="{align}"/><a:endParaRPr lang="en-US" sz="{size}" dirty="0"/></a:p>'
            for line in text.split("\n")
        )
        parts.append(
            f'<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>{paragraphs}</a:txBody>'
            f'<a:tcPr {margins}><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>'
        )
    parts.append("</a:tr>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    weight: float  # share of the table's width
    numeric: bool = False
    max_lines: int = 3


def column_widths(columns: Sequence[Column], width_emu: int) -> list[float]:
    """Each column's width in points, in proportion to its weight."""
    total = sum(c.weight for c in columns)
    return [pt(width_emu) * c.weight / total for c in columns]


def row_height(
    row: Sequence[str], widths: Sequence[float], points: float, bold: bool = False
) -> float:
    """The height of a row, in points: its tallest cell's lines, the insets and the slack."""
    lines = max(
        len(measure.wrap(text, width - 2 * CELL_INSET_X, points, bold))
        for text, width in zip(row, widths, strict=True)
    )
    return measure.height(lines, points) + 2 * CELL_INSET_Y + ROW_SLACK


def fit_cells(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width_emu: int, points: float
) -> list[list[str]]:
    """Rows with each cell cut to its column's ``max_lines``."""
    widths = column_widths(columns, width_emu)
    return [
        [
            measure.clip(text, width - 2 * CELL_INSET_X, points, column.max_lines)
            for text, width, column in zip(row, widths, columns, strict=True)
        ]
        for row in rows
    ]


def table_pages(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width_emu: int,
    height_emu: int,
    points: float,
) -> list[list[list[str]]]:
    """The rows, cut to fit, split into pages that each fit ``height_emu`` under the header."""
    widths = column_widths(columns, width_emu)
    fitted = fit_cells(columns, rows, width_emu, points)
    room = pt(height_emu) - row_height([c.header for c in columns], widths, points, True)
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    for row in fitted:
        need = row_height(row, widths, points)
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += need
    return pages


def _shapes(slide: Slide) -> Any:
    return slide.shapes


def _insets(frame: TextFrame, x: float, y: float) -> None:
    frame.margin_left = frame.margin_right = emu(x)
    frame.margin_top = frame.margin_bottom = emu(y)


def _style_chart(chart: object, points: float, legend: bool) -> None:
    chart.has_title = False  # type: ignore[attr-defined]  # the slide says what it shows
    chart.font.size = Pt(points)  # type: ignore[attr-defined]
    chart.font.name = measure.FONT_NAME  # type: ignore[attr-defined]
    chart.has_legend = legend  # type: ignore[attr-defined]
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM  # type: ignore[attr-defined]
        chart.legend.include_in_layout = False  # type: ignore[attr-defined]


def bar_chart(
    slide: Slide,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], RGBColor | None]],
    box: tuple[int, int, int, int],
    *,
    kind: XL_CHART_TYPE = XL_CHART_TYPE.COLUMN_CLUSTERED,
    number_format: str = "0",
    points: float = 11,
    labels: bool = True,
) -> object:
    """A bar or column chart with its data inside."""
    data = _CATEGORY_DATA(number_format=number_format)
    data.categories = list(categories)
    for name, values, _colour in series:
        data.add_series(name, list(values))
    left, top, width, height = box
    chart = _shapes(slide).add_chart(kind, Emu(left), Emu(top), Emu(width), Emu(height), data).chart
    _style_chart(chart, points, legend=len(series) > 1)
    plot = chart.plots[0]
    plot.has_data_labels = labels
    if labels:
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(points - 1)
    for chart_series, (_name, _values, colour) in zip(plot.series, series, strict=True):
        if colour is not None:
            chart_series.format.fill.solid()
            chart_series.format.fill.fore_color.rgb = colour
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.minimum_scale = 0
    chart.value_axis.tick_labels.number_format = number_format
    chart.value_axis.tick_labels.number_format_is_linked = False
    if kind in (XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.BAR_STACKED):
        chart.category_axis.reverse_order = True  # the first category on top, as in a table
    chart.value_axis.tick_labels.font.size = Pt(points - 1)
    chart.category_axis.tick_labels.font.size = Pt(points - 1)
    return chart


def scatter_chart(
    slide: Slide,
    points_xy: Sequence[tuple[str, float, float]],
    series_name: str,
    box: tuple[int, int, int, int],
    *,
    x_title: str,
    y_title: str,
    x_format: str,
    points: float = 11,
) -> object:
    """An XY scatter: one point per (label, x, y), each labelled."""
    data = _XY_DATA()
    series = data.add_series(series_name, number_format="0")
    for _label, x, y in points_xy:
        series.add_data_point(x, y)
    left, top, width, height = box
    chart = (
        _shapes(slide)
        .add_chart(XL_CHART_TYPE.XY_SCATTER, Emu(left), Emu(top), Emu(width), Emu(height), data)
        .chart
    )
    _style_chart(chart, points, legend=False)
    plot_series = chart.plots[0].series[0]
    plot_series.marker.size = 8
    plot_series.format.line.fill.background()  # points only, no connecting line
    # points of one impact score lie on one line: their labels go above, below, above…
    # in the order of cost, so that neighbours' labels don't overlap
    order = sorted(range(len(points_xy)), key=lambda i: (points_xy[i][2], points_xy[i][1]))
    places = {}
    for rank, index in enumerate(order):
        places[index] = XL_LABEL_POSITION.ABOVE if rank % 2 == 0 else XL_LABEL_POSITION.BELOW
    for index, (label, _x, _y) in enumerate(points_xy):
        data_label = plot_series.points[index].data_label
        data_label.position = places[index]
        frame = data_label.text_frame
        frame.text = label
        frame.paragraphs[0].runs[0].font.size = Pt(points - 3)
    value_axis, category_axis = chart.value_axis, chart.category_axis
    xs = [x for _label, x, _y in points_xy]
    if min(xs) > 0 and max(xs) / min(xs) > 20:
        # costs from a few thousand euros to a million: a log scale keeps the points apart
        scaling = category_axis._element.find(qn("c:scaling"))
        scaling.insert(0, parse_xml(f'<c:logBase {nsdecls("c")} val="10"/>'))
    value_axis.minimum_scale, value_axis.maximum_scale = 0, 5.5
    value_axis.major_unit = 1
    category_axis.tick_labels.number_format = x_format
    category_axis.tick_labels.number_format_is_linked = False
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    for axis, title in ((category_axis, x_title), (value_axis, y_title)):
        axis.has_title = True
        axis.axis_title.text_frame.text = title
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(points)
        axis.tick_labels.font.size = Pt(points - 1)
    return chart


def line_chart(
    slide: Slide,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    box: tuple[int, int, int, int],
    *,
    number_format: str = "0",
    points: float = 10,
    maximum: float | None = None,
) -> object:
    data = _CATEGORY_DATA(number_format=number_format)
    data.categories = list(categories)
    for name, values in series:
        data.add_series(name, list(values))
    left, top, width, height = box
    chart = (
        _shapes(slide)
        .add_chart(XL_CHART_TYPE.LINE_MARKERS, Emu(left), Emu(top), Emu(width), Emu(height), data)
        .chart
    )
    _style_chart(chart, points, legend=len(series) > 1)
    chart.value_axis.minimum_scale = 0
    if maximum is not None:
        chart.value_axis.maximum_scale = maximum
    chart.value_axis.tick_labels.font.size = Pt(points - 1)
    chart.category_axis.tick_labels.font.size = Pt(points - 1)
    return chart
