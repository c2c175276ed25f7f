"""Charts as PNG bytes: plain data and already translated labels in, a PNG out.

Every function builds its own :class:`~matplotlib.figure.Figure` on its own Agg canvas.
Nothing here uses pyplot or changes ``rcParams``, so renders may run in worker threads
at the same time. Each chart's ``figure`` attribute builds the laid-out figure without
saving it (``render.budget_vs_actual.figure(...)``), for tests that measure its texts.

Drawn for the size they are shown at. A card stretches the image to its width: about
450–500 px in Teams on a desktop, 350–400 px on a phone. Images are 720 px wide at
144 dpi, twice the narrowest width for high-density screens, so at 360 px a point is a
pixel, and no text is under 11 pt (11 px on a phone, 14 px on a desktop). Heights vary
by kind (taller for long budgets, never over Teams' 1024×1024). Labels that would
overlap are thinned or left out. Everything is in the programme's colours, in
matplotlib's bundled DejaVu Sans, which has å, ä and ö. Importing this module imports
matplotlib (about half a second), so import it when the app starts, not on the first
request.

Text from the data (project names, budget areas, titles) is drawn literally: a ``$`` never
starts matplotlib's math mode.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import statistics
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Generic, Literal, ParamSpec

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullLocator
from matplotlib.transforms import Bbox

DISPLAY_PX: Final = 360  # the narrowest a card shows an image (a phone)
DPI: Final = 144
WIDTH_PX: Final = 2 * DISPLAY_PX  # 1 pt = 2 px in the image = 1 px at DISPLAY_PX
WIDTH_PT: Final = WIDTH_PX / DPI * 72
HEIGHT_PX: Final = 450
MAX_PX: Final = 1024  # Teams shows images up to 1024×1024

BRAND: Final = "#0B5FA5"
HEALTH_COLOURS: Final[Mapping[str, str]] = {
    "on_track": "#2E7D32",
    "at_risk": "#F9A825",
    "off_track": "#C62828",
}
HEALTH_ORDER: Final = ("on_track", "at_risk", "off_track")
_OTHER_COLOURS: Final = ("#9AA5B1", "#616E7C", "#CBD2D9")  # e.g. "no report", "paused"
_LIGHT_FILLS: Final = frozenset({"#F9A825", "#CBD2D9", "#9AA5B1"})  # need dark text on top
PLANNED: Final = "#A9C8E8"  # brand blue, light
FORECAST_EDGE: Final = "#0B3E6B"  # brand blue, dark
SERIES: Final = ("#0B5FA5", "#6A4C93", "#00838F", "#D1701A", "#5D4037", "#AD1457", "#455A64")
_LINESTYLES: Final = ("-", "--", ":")

TEXT: Final = "#1F2933"
MUTED: Final = "#52606D"
GRID: Final = "#E4E7EB"
AXIS: Final = "#9AA5B1"
QUICK_WIN: Final = "#EAF4EA"  # high impact, low cost
COSTLY: Final = "#FBECEC"  # low impact, high cost

# Font sizes in points; a point is DPI / 72 * DISPLAY_PX / WIDTH_PX = 1 px at DISPLAY_PX.
TITLE_SIZE: Final = 14
LABEL_SIZE: Final = 12
TICK_SIZE: Final = 11
SMALL_SIZE: Final = 11
VALUE_GID: Final = "value"  # the gid of every value label, which must not overlap another

P = ParamSpec("P")


class Chart(Generic[P]):
    """A chart kind: called, it gives the PNG; its ``figure`` gives the laid-out Figure."""

    def __init__(self, figure: Callable[P, Figure]) -> None:
        self.figure = figure
        functools.update_wrapper(self, figure)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> bytes:
        return _png(self.figure(*args, **kwargs))


@Chart
def health_distribution(
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    title: str,
    *,
    no_data: str = "–",
) -> Figure:
    """A donut of projects by health, with the total in the middle and a legend of counts.

    ``counts`` is keyed by health (``on_track``, ``at_risk``, ``off_track``; other keys
    such as ``no_report`` are drawn in greys after them); ``labels`` has the same keys.
    """
    keys = [k for k in HEALTH_ORDER if k in counts] + [k for k in counts if k not in HEALTH_ORDER]
    values = [max(0, int(counts[k])) for k in keys]
    colours = _health_colours(keys)
    total = sum(values)
    fig = _figure(height_px=420)
    _title(fig, title)
    if total == 0:
        return _no_data(fig, no_data)
    chart, legend = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.0, 1.2)})
    shown = [(v, c) for v, c in zip(values, colours, strict=True) if v > 0]
    wedges, _texts = chart.pie(
        [v for v, _ in shown],
        colors=[c for _, c in shown],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.36, "edgecolor": "white", "linewidth": 2},
    )
    for wedge, (value, colour) in zip(wedges, shown, strict=True):
        if value / total < 0.07:
            continue
        angle = math.radians((wedge.theta1 + wedge.theta2) / 2)
        chart.text(
            0.82 * math.cos(angle),
            0.82 * math.sin(angle),
            str(value),
            ha="center",
            va="center",
            fontsize=LABEL_SIZE,
            fontweight="bold",
            color=TEXT if colour in _LIGHT_FILLS else "white",
            gid=VALUE_GID,
        )
    chart.text(
        0, 0, str(total), ha="center", va="center", fontsize=24, fontweight="bold", color=TEXT
    )
    chart.set_aspect("equal")
    legend.set_axis_off()
    legend.legend(
        [Patch(facecolor=c, edgecolor="none") for c in colours],
        [
            _plain(f"{_wrap(labels.get(k, k), 17, 2)}   {v}")
            for k, v in zip(keys, values, strict=True)
        ],
        loc="center left",
        frameon=False,
        fontsize=LABEL_SIZE,
        labelcolor=TEXT,
        handlelength=1.1,
        handleheight=1.1,
        labelspacing=0.9,
        borderaxespad=0,
    )
    return _finish(fig)


# A budget line's block, in points: its name, a bar a series, each with its value beside it.
_NAME_LINE_PT: Final = 16
_BAR_PITCH_PT: Final = 16
_BLOCK_GAP_PT: Final = 9
_HEADER_PT: Final = 88  # the title (two lines) and the legend above the bars


@Chart
def budget_vs_actual(
    rows: Sequence[tuple[str, int, int, int | None]],
    title: str,
    money_label: Callable[[int], str],
    *,
    series_labels: tuple[str, str, str],
    no_data: str = "–",
) -> Figure:
    """Planned, actual and forecast money per budget line, as horizontal bars.

    ``rows`` are ``(line name, planned, actual, forecast or None)`` in cents, drawn top to
    bottom in the given order; ``money_label`` formats cents, short
    (``Translator.money_compact``); ``series_labels`` name planned, actual and forecast.

    Each line's name stands above its bars, across the chart's whole width, and each bar
    has its amount at its end. When the lines are too many for that within 1024 px, the
    names go beside the bars and an axis gives the amounts instead.
    """
    has_forecast = any(row[3] is not None for row in rows)
    series = 3 if has_forecast else 2
    names = [_wrap(area, 44, 2) for area, *_ in rows]
    blocks = [
        (name.count("\n") + 1) * _NAME_LINE_PT + series * _BAR_PITCH_PT + _BLOCK_GAP_PT
        for name in names
    ]
    height_pt = _HEADER_PT + sum(blocks)
    spacious = height_pt * DPI / 72 <= MAX_PX
    fig = _figure(
        height_px=round(height_pt * DPI / 72) if spacious else min(MAX_PX, 150 + 40 * len(rows))
    )
    _title(fig, title)
    if not rows:
        return _no_data(fig, no_data)
    ax = fig.add_subplot()
    largest = max(max(p, a, f or 0) for _, p, a, f in rows) / 100
    bars: list[tuple[int, float, int]] = []  # (series, y, cents)
    if spacious:
        _style_axes(ax, grid="x")
        ax.grid(False)
        ax.spines["bottom"].set_visible(False)
        ax.xaxis.set_major_locator(NullLocator())
        ax.yaxis.set_major_locator(NullLocator())
        top = 0.0
        for name, block, (_, *amounts) in zip(names, blocks, rows, strict=True):
            name_pt = (name.count("\n") + 1) * _NAME_LINE_PT
            ax.text(  # its last line 3 pt above the first bar's top
                0, top + name_pt - 3, _plain(name), va="bottom", fontsize=LABEL_SIZE, color=TEXT
            )
            for j, cents in enumerate(amounts[:series]):
                y = top + name_pt + (j + 0.5) * _BAR_PITCH_PT
                if cents is not None:
                    bars.append((j, y, cents))
            top += block
        ax.set_ylim(top - _BLOCK_GAP_PT, 0)
        ax.set_xlim(0, max(largest, 1.0) / 0.74)  # room for the largest bar's amount
        thickness = _BAR_PITCH_PT * 0.72
    else:
        _style_axes(ax, grid="x")
        bar = 0.26
        for i, (_, *amounts) in enumerate(rows):
            for j, cents in enumerate(amounts[:series]):
                if cents is not None:
                    bars.append((j, i + (j - (series - 1) / 2) * bar, cents))
        ax.set_yticks(range(len(rows)), [_plain(_short(area, 18)) for area, *_ in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, max(largest, 1.0) * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10], integer=True))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: _plain(money_label(round(x * 100))))
        )
        ax.tick_params(axis="y", labelsize=TICK_SIZE, labelcolor=TEXT)
        thickness = bar * 0.92
    styles = ((PLANNED, PLANNED, None), (BRAND, BRAND, None), ("white", FORECAST_EDGE, "////"))
    for j, (face, edge, hatch) in enumerate(styles[:series]):
        mine = [(y, cents) for kind, y, cents in bars if kind == j]
        ax.barh(
            [y for y, _ in mine],
            [cents / 100 for _, cents in mine],
            height=thickness,
            color=face,
            edgecolor=edge,
            hatch=hatch,
            linewidth=1 if hatch else 0,
        )
    if spacious:
        for _, y, cents in bars:
            ax.text(
                cents / 100 + largest * 0.015,
                y,
                _plain(money_label(cents)),
                va="center_baseline",
                ha="left",
                fontsize=SMALL_SIZE,
                color=MUTED,
                gid=VALUE_GID,
            )
    # The legend starts where the bars do: in one row if it fits there (beside any names).
    names_pt = max((len(t.get_text()) for t in ax.get_yticklabels()), default=0) * TICK_SIZE * 0.62
    legend_pt = sum(len(label) * SMALL_SIZE * 0.62 + 30 for label in series_labels[:series])
    fits = legend_pt <= WIDTH_PT - names_pt - 30
    handles = [
        Patch(facecolor=PLANNED, edgecolor="none"),
        Patch(facecolor=BRAND, edgecolor="none"),
        Patch(facecolor="white", edgecolor=FORECAST_EDGE, hatch="////"),
    ][:series]
    ax.legend(
        handles,
        [_plain(label) for label in series_labels[:series]],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=series if fits else 1,
        frameon=False,
        fontsize=SMALL_SIZE,
        labelcolor=TEXT,
        borderaxespad=0.3,
        handlelength=1.2,
        columnspacing=1.2,
    )
    _finish(fig)
    if not spacious:
        _thin_labels(ax.get_yticklabels())
    return fig


@Chart
def progress_over_time(
    series: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    title: str,
    *,
    percent_label: Callable[[int], str] | None = None,
    period_label: Callable[[str], str] | None = None,
    no_data: str = "–",
) -> Figure:
    """Progress % per period, one line per series (project, theme, whole programme).

    ``series`` are ``(name, [(period "YYYY-MM", progress 0-100), ...])``; periods may
    differ between series and are drawn in order. ``percent_label`` formats a whole
    percent (``Translator.percent``), ``period_label`` a period on the axis
    (``Translator.period``: "10.2026", not "2026-10"). Meant for up to about ten lines.
    """
    percent = percent_label or _percent
    period_text = period_label or str
    periods = sorted({period for _, points in series for period, _ in points})
    fig = _figure(height_px=480)
    _title(fig, title)
    if not periods:
        return _no_data(fig, no_data)
    column = {period: i for i, period in enumerate(periods)}
    ax = fig.add_subplot()
    _style_axes(ax, grid="y")
    drawn = [(name, sorted(points)) for name, points in series if points]
    ends: list[tuple[float, float, str, str]] = []
    for i, (name, points) in enumerate(drawn):
        colour = SERIES[i % len(SERIES)]
        xs = [column[period] for period, _ in points]
        ys = [_clamp(value, 0, 100) for _, value in points]
        ax.plot(
            xs,
            ys,
            color=colour,
            linestyle=_LINESTYLES[(i // len(SERIES)) % len(_LINESTYLES)],
            linewidth=2.2,
            marker="o" if len(periods) <= 18 else None,
            markersize=5,
            markeredgecolor="white",
            markeredgewidth=1,
            label=_plain(_short(name, 30)),
            solid_capstyle="round",
        )
        ends.append((xs[-1], ys[-1], percent(round(ys[-1])), colour))
    ax.set_ylim(-3, 105)
    ax.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _plain(percent(round(y)))))
    step = max(1, math.ceil(len(periods) / 7))
    shown = list(range(len(periods) - 1, -1, -step))[::-1]  # always label the latest period
    ax.set_xticks(shown, [_plain(period_text(periods[i])) for i in shown])
    end_label_pt = max((len(text) for _, _, text, _ in ends), default=0) * LABEL_SIZE * 0.7 + 8
    plot_pt = WIDTH_PT - 60
    right_pad = (len(periods) - 0.7) * end_label_pt / max(plot_pt - end_label_pt, 1.0)
    ax.set_xlim(-0.3, len(periods) - 1 + (right_pad if len(ends) <= 4 else 0.3))
    if len(drawn) > 1:
        size = LABEL_SIZE if len(drawn) <= 4 else SMALL_SIZE
        longest = max(len(_short(name, 30)) for name, _ in drawn)
        column_pt = longest * size * 0.62 + 30  # about 0.62 em per character, and the line
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=max(1, min(len(drawn), int((WIDTH_PT - 20) // column_pt))),
            frameon=False,
            fontsize=size,
            labelcolor=TEXT,
            handlelength=1.6,
            borderaxespad=0.3,
        )
    _layout(fig)  # the end labels are spread apart in pixels, so lay out the axes first
    if len(ends) <= 4:
        (_, y0), (_, y1) = ax.transData.transform([(0, 0), (0, 1)])
        gap = LABEL_SIZE * 1.25 * DPI / 72 / abs(y1 - y0)  # a line of text, in percent
        for x, y, text, colour in _spread(ends, min_gap=gap):
            ax.annotate(
                _plain(text),
                (x, y),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                fontsize=LABEL_SIZE,
                fontweight="bold",
                color=colour,
                gid=VALUE_GID,
                annotation_clip=False,
            ).set_in_layout(False)
    _finish(fig)
    _thin_labels(ax.get_xticklabels())
    return fig


@Chart
def impact_cost_matrix(
    points: Sequence[tuple[str, float, int]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    money_label: Callable[[int], str] | None = None,
    no_data: str = "–",
    areas: tuple[str, str, str] | None = None,
) -> Figure:
    """The impact/cost matrix: cost in euros (x) against impact 1-5 (y).

    ``points`` are ``(short label, cost in euros, impact score 1-5)``. The cost axis is
    logarithmic when the costs span twenty times or more. Dashed lines split the plane at
    impact 3 and at the median cost; high impact for low cost is tinted green, low impact
    for high cost red. ``money_label`` formats cents, short (``Translator.money_compact``).
    ``areas`` names the green area, the red one and the dashed dividers in a legend above
    the plot. A point's label that would cover another is left out; the point stays.
    """
    money = money_label or _euros
    fig = _figure(height_px=640 if areas else 560)
    _title(fig, title)
    if not points:
        return _no_data(fig, no_data)
    ax = fig.add_subplot()
    _style_axes(ax, grid="both")
    costs = [max(0.0, float(cost)) for _, cost, _ in points]
    impacts = _separate_ties(costs, [_clamp(impact, 1, 5) for _, _, impact in points])
    low, high = min(costs), max(costs)
    log = low > 0 and high / low >= 20
    if log:
        ax.set_xscale("log")
        ax.set_xlim(low / 1.8, high * 1.8)
        decades = math.log10(high / low)
        subs = (1.0, 3.0) if decades <= 2 else (1.0,)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        pad = max((high - low) * 0.15, high * 0.1, 1.0)
        ax.set_xlim(max(0.0, low - pad), high + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _plain(money(round(x * 100)))))
    ax.set_ylim(0.4, 5.6)
    ax.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
    split = statistics.median(costs)
    left, right = ax.get_xlim()
    ax.add_patch(Rectangle((left, 3), split - left, 2.6, color=QUICK_WIN, zorder=0, lw=0))
    ax.add_patch(Rectangle((split, 0.4), right - split, 2.6, color=COSTLY, zorder=0, lw=0))
    ax.axhline(3, color=AXIS, linestyle=(0, (4, 4)), linewidth=1, zorder=1)
    ax.axvline(split, color=AXIS, linestyle=(0, (4, 4)), linewidth=1, zorder=1)
    ax.scatter(costs, impacts, s=70, color=BRAND, edgecolors="white", linewidths=1.2, zorder=3)
    ax.set_xlabel(_plain(_wrap(x_label, 44, 2)), fontsize=LABEL_SIZE, color=TEXT, labelpad=6)
    ax.set_ylabel(_plain(_wrap(y_label, 36, 2)), fontsize=LABEL_SIZE, color=TEXT, labelpad=6)
    if areas is not None:
        ax.legend(
            [
                Patch(facecolor=QUICK_WIN, edgecolor=AXIS, linewidth=0.5),
                Patch(facecolor=COSTLY, edgecolor=AXIS, linewidth=0.5),
                Line2D([], [], color=AXIS, linestyle=(0, (4, 4)), linewidth=1),
            ],
            [_plain(_wrap(label, 44, 2)) for label in areas],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=1,
            frameon=False,
            fontsize=SMALL_SIZE,
            labelcolor=TEXT,
            borderaxespad=0.3,
            handlelength=1.4,
            labelspacing=0.3,
        )
    _place_labels(fig, ax, [label for label, _, _ in points], costs, impacts)
    _thin_labels(ax.get_xticklabels())
    return fig


# Shared drawing


def _figure(*, height_px: int = HEIGHT_PX) -> Figure:
    fig = Figure(
        figsize=(WIDTH_PX / DPI, min(height_px, MAX_PX) / DPI),
        dpi=DPI,
        facecolor="white",
    )
    FigureCanvasAgg(fig)
    return fig


def _layout(fig: Figure) -> None:
    """Lay the figure out once, with the constrained layout, and keep the positions.

    The figure has no layout engine of its own: with one, ``savefig`` would draw
    everything twice, once to lay out and once to render.
    """
    ConstrainedLayoutEngine(w_pad=0.12, h_pad=0.1).execute(fig)


def _finish(fig: Figure) -> Figure:
    _layout(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """The PNG of a figure its chart function has laid out."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _title(fig: Figure, title: str) -> None:
    fig.suptitle(
        _plain(_wrap(title, 38, 2)),
        x=0.02,
        ha="left",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=TEXT,
    )


def _no_data(fig: Figure, text: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _plain(_wrap(text, 34, 3)),
        ha="center",
        va="center",
        fontsize=15,
        color=MUTED,
        transform=ax.transAxes,
    )
    return _finish(fig)


def _style_axes(ax: Axes, *, grid: Literal["x", "y", "both"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(AXIS)
    ax.tick_params(colors=MUTED, labelsize=TICK_SIZE, length=0, pad=6)
    ax.grid(axis=grid, color=GRID, linewidth=1)
    ax.set_axisbelow(True)


def _thin_labels(labels: Sequence[Text]) -> None:
    """Hide tick labels evenly, keeping the last one, until no two shown ones touch.

    Measured on the laid-out figure, so it holds for any label text and language.
    """
    shown = [label for label in labels if label.get_visible() and label.get_text()]
    if len(shown) < 2:
        return
    boxes = [label.get_window_extent().expanded(1.15, 1.1) for label in shown]
    for every in range(1, len(shown) + 1):
        kept = list(range(len(shown) - 1, -1, -every))
        if all(_overlap(boxes[a], boxes[b]) == 0 for a, b in itertools.pairwise(kept)):
            break
    for i, label in enumerate(shown):
        label.set_visible(i in kept)


def _health_colours(keys: Sequence[str]) -> list[str]:
    colours: list[str] = []
    others = 0
    for key in keys:
        if key in HEALTH_COLOURS:
            colours.append(HEALTH_COLOURS[key])
        else:
            colours.append(_OTHER_COLOURS[others % len(_OTHER_COLOURS)])
            others += 1
    return colours


def _spread(
    ends: Sequence[tuple[float, float, str, str]], *, min_gap: float
) -> list[tuple[float, float, str, str]]:
    """End-of-line labels nudged apart vertically so they do not overlap."""
    ordered = sorted(ends, key=lambda end: end[1])
    placed: list[tuple[float, float, str, str]] = []
    for x, y, text, colour in ordered:
        if placed and x == placed[-1][0] and y - placed[-1][1] < min_gap:
            y = placed[-1][1] + min_gap
        placed.append((x, y, text, colour))
    return placed


def _separate_ties(costs: Sequence[float], impacts: Sequence[int]) -> list[float]:
    """Points at the same place are nudged up and down a little so each one shows."""
    seen: dict[tuple[float, int], int] = {}
    nudged: list[float] = []
    for cost, impact in zip(costs, impacts, strict=True):
        spot = (round(cost, 2), impact)
        n = seen.get(spot, 0)
        seen[spot] = n + 1
        nudged.append(impact + (0.0 if n == 0 else (0.14 * ((n + 1) // 2)) * (-1) ** n))
    return nudged


# Offsets (points) and alignments tried, in order, for a label beside its point.
_Spot = tuple[int, int, Literal["left", "center", "right"], Literal["bottom", "center", "top"]]
_LABEL_SPOTS: Final[tuple[_Spot, ...]] = (
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
    (0, 9, "center", "bottom"),
    (0, -9, "center", "top"),
    (7, 7, "left", "bottom"),
    (-7, 7, "right", "bottom"),
    (7, -7, "left", "top"),
    (-7, -7, "right", "top"),
    (0, 20, "center", "bottom"),
    (0, -20, "center", "top"),
)


def _place_labels(
    fig: Figure, ax: Axes, labels: Sequence[str], xs: Sequence[float], ys: Sequence[float]
) -> None:
    """Put each label where it overlaps no point, no other label and stays in the plot.

    A label that cannot be placed without touching another label, or without covering
    much of a point, is left out: its point stays.
    """
    _layout(fig)  # positions are measured in pixels, so lay out the axes first
    frame = ax.get_window_extent()
    centres = ax.transData.transform(list(zip(xs, ys, strict=True)))
    radius = 5.0 * DPI / 72
    dots = [
        Bbox.from_bounds(cx - radius, cy - radius, 2 * radius, 2 * radius) for cx, cy in centres
    ]
    placed: list[Bbox] = []
    order = sorted(range(len(labels)), key=lambda i: (-ys[i], xs[i]))
    for i in order:
        note = ax.annotate(
            _plain(_short(labels[i], 22)),
            (xs[i], ys[i]),
            xytext=_LABEL_SPOTS[0][:2],
            textcoords="offset points",
            fontsize=SMALL_SIZE,
            color=TEXT,
            zorder=4,
            gid=VALUE_GID,
        )
        note.set_in_layout(False)
        best = (math.inf, _LABEL_SPOTS[0])
        for spot in _LABEL_SPOTS:
            box = _try_spot(note, spot)
            if any(_overlap(box, other) for other in placed):
                continue
            overlap = sum(_overlap(box, dot) for dot in dots) + _outside(box, frame)
            if overlap < best[0]:
                best = (overlap, spot)
            if overlap == 0:
                break
        box = _try_spot(note, best[1])
        if best[0] > 0.05 * box.width * box.height:  # unreadable in a crowd: the point stays
            note.remove()
        else:
            placed.append(box)


def _try_spot(note: Annotation, spot: _Spot) -> Bbox:
    dx, dy, ha, va = spot
    note.xyann = (dx, dy)
    note.set_horizontalalignment(ha)
    note.set_verticalalignment(va)
    return note.get_window_extent().expanded(1.04, 1.1)


def _overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def _outside(box: Bbox, frame: Bbox) -> float:
    inside = _overlap(box, frame)
    return (box.width * box.height - inside) * 4  # leaving the plot is worse than touching


# Text


def _plain(text: str) -> str:
    """Drawn literally: matplotlib would read text between two ``$`` as math."""
    return text.replace("$", r"\$")


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], _short(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, int(value)))


def _percent(value: int) -> str:
    return f"{value}%"


def _euros(cents: int) -> str:
    return f"{round(cents / 100):,}".replace(",", "\u00a0") + "\u00a0€"


__all__ = [
    "BRAND",
    "HEALTH_COLOURS",
    "budget_vs_actual",
    "health_distribution",
    "impact_cost_matrix",
    "progress_over_time",
]
