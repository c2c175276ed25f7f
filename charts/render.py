"""Charts as PNG bytes: plain data and already translated labels in, a PNG out.

Every function builds its own :class:`~matplotlib.figure.Figure` on its own Agg canvas.
Nothing here uses pyplot or changes ``rcParams``, so renders may run in worker threads
at the same time. Images are 800×450 pixels (taller for long budget tables, never over
1024×1024), in the programme's colours, and every text is drawn with matplotlib's bundled
DejaVu Sans, which has å, ä and ö. Importing this module imports matplotlib (about half
a second), so import it when the app starts, not on the first request.

Text from the data (project names, budget areas, titles) is drawn literally: a ``$`` never
starts matplotlib's math mode.
"""

from __future__ import annotations

import io
import math
import statistics
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullLocator
from matplotlib.transforms import Bbox

DPI: Final = 100
WIDTH_PX: Final = 800
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

TITLE_SIZE: Final = 16
LABEL_SIZE: Final = 12
TICK_SIZE: Final = 11.5
SMALL_SIZE: Final = 10.5


def health_distribution(
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    title: str,
    *,
    no_data: str = "–",
) -> bytes:
    """A donut of projects by health, with the total in the middle and a legend of counts.

    ``counts`` is keyed by health (``on_track``, ``at_risk``, ``off_track``; other keys
    such as ``no_report`` are drawn in greys after them); ``labels`` has the same keys.
    """
    keys = [k for k in HEALTH_ORDER if k in counts] + [k for k in counts if k not in HEALTH_ORDER]
    values = [max(0, int(counts[k])) for k in keys]
    colours = _health_colours(keys)
    total = sum(values)
    fig = _figure()
    _title(fig, title)
    if total == 0:
        return _no_data(fig, no_data)
    chart, legend = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.0, 1.0)})
    shown = [(v, c) for v, c in zip(values, colours, strict=True) if v > 0]
    wedges, _texts = chart.pie(
        [v for v, _ in shown],
        colors=[c for _, c in shown],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.36, "edgecolor": "white", "linewidth": 2.5},
    )
    for wedge, (value, colour) in zip(wedges, shown, strict=True):
        if value / total < 0.06:
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
        )
    chart.text(
        0, 0, str(total), ha="center", va="center", fontsize=30, fontweight="bold", color=TEXT
    )
    chart.set_aspect("equal")
    legend.set_axis_off()
    legend.legend(
        [Patch(facecolor=c, edgecolor="none") for c in colours],
        [
            _plain(f"{_short(labels.get(k, k), 28)}   {v}")
            for k, v in zip(keys, values, strict=True)
        ],
        loc="center left",
        frameon=False,
        fontsize=14,
        labelcolor=TEXT,
        handlelength=1.1,
        handleheight=1.1,
        labelspacing=1.0,
    )
    return _png(fig)


def budget_vs_actual(
    rows: Sequence[tuple[str, int, int, int | None]],
    title: str,
    money_label: Callable[[int], str],
    *,
    series_labels: tuple[str, str, str],
    no_data: str = "–",
) -> bytes:
    """Planned, actual and forecast money per budget area, as grouped horizontal bars.

    ``rows`` are ``(area name, planned, actual, forecast or None)`` in cents, drawn top to
    bottom in the given order; ``money_label`` formats cents (``Translator.money``);
    ``series_labels`` name planned, actual and forecast (translated).
    """
    height = min(MAX_PX, max(HEIGHT_PX, 170 + 62 * len(rows)))
    fig = _figure(height_px=height)
    _title(fig, title)
    if not rows:
        return _no_data(fig, no_data)
    ax = fig.add_subplot()
    _style_axes(ax, grid="x")
    bar = 0.26
    has_forecast = any(row[3] is not None for row in rows)
    largest = max(max(p, a, f or 0) for _, p, a, f in rows) / 100
    planned = [(i - bar, cents) for i, (_, cents, _, _) in enumerate(rows)]
    actual = [(float(i), cents) for i, (_, _, cents, _) in enumerate(rows)]
    forecast = [(i + bar, cents) for i, (_, _, _, cents) in enumerate(rows) if cents is not None]
    thickness = bar * 0.92
    ax.barh(*_bars(planned), height=thickness, color=PLANNED)
    ax.barh(*_bars(actual), height=thickness, color=BRAND)
    if has_forecast:
        ax.barh(
            *_bars(forecast),
            height=thickness,
            color="white",
            edgecolor=FORECAST_EDGE,
            hatch="////",
            linewidth=1,
        )
    for y, cents in (*planned, *actual, *forecast):
        ax.text(
            cents / 100 + largest * 0.012,
            y,
            _plain(money_label(cents)),
            va="center",
            ha="left",
            fontsize=SMALL_SIZE,
            color=MUTED,
        )
    ax.set_yticks(range(len(rows)), [_plain(_wrap(area, 22, 2)) for area, *_ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, max(largest, 1.0) * 1.22)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _plain(money_label(round(x * 100)))))
    ax.tick_params(axis="y", labelsize=LABEL_SIZE, labelcolor=TEXT)
    handles = [
        Patch(facecolor=PLANNED, edgecolor="none"),
        Patch(facecolor=BRAND, edgecolor="none"),
        Patch(facecolor="white", edgecolor=FORECAST_EDGE, hatch="////"),
    ][: 3 if has_forecast else 2]
    ax.legend(
        handles,
        [_plain(label) for label in series_labels[: len(handles)]],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=3,
        frameon=False,
        fontsize=LABEL_SIZE,
        labelcolor=TEXT,
        borderaxespad=0.3,
        handlelength=1.4,
    )
    return _png(fig)


def progress_over_time(
    series: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    title: str,
    *,
    percent_label: Callable[[int], str] | None = None,
    period_label: Callable[[str], str] | None = None,
    no_data: str = "–",
) -> bytes:
    """Progress % per period, one line per series (project, theme, whole programme).

    ``series`` are ``(name, [(period "YYYY-MM", progress 0-100), ...])``; periods may
    differ between series and are drawn in order. ``percent_label`` formats a whole
    percent (``Translator.percent``), ``period_label`` a period on the axis
    (``Translator.period``: "10.2026", not "2026-10"). Meant for up to about ten lines.
    """
    percent = percent_label or _percent
    period_text = period_label or str
    periods = sorted({period for _, points in series for period, _ in points})
    fig = _figure()
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
            linewidth=2.6,
            marker="o" if len(periods) <= 18 else None,
            markersize=6,
            markeredgecolor="white",
            markeredgewidth=1.2,
            label=_plain(_short(name, 30)),
            solid_capstyle="round",
        )
        ends.append((xs[-1], ys[-1], percent(round(ys[-1])), colour))
    if len(ends) <= 4:
        for x, y, text, colour in _spread(ends, min_gap=7.0):
            ax.annotate(
                _plain(text),
                (x, y),
                xytext=(9, 0),
                textcoords="offset points",
                va="center",
                fontsize=LABEL_SIZE,
                fontweight="bold",
                color=colour,
            )
    ax.set_ylim(-3, 105)
    ax.yaxis.set_major_locator(FixedLocator([0, 25, 50, 75, 100]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _plain(percent(round(y)))))
    step = max(1, math.ceil(len(periods) / 7))
    shown = list(range(len(periods) - 1, -1, -step))[::-1]  # always label the latest period
    ax.set_xticks(shown, [_plain(period_text(periods[i])) for i in shown])
    right_pad = 0.9 if len(ends) <= 4 else 0.3
    ax.set_xlim(-0.3, len(periods) - 1 + right_pad + (0.4 if len(periods) == 1 else 0))
    if len(drawn) > 1:
        size = LABEL_SIZE if len(drawn) <= 6 else SMALL_SIZE
        longest = max(len(_short(name, 30)) for name, _ in drawn)
        column_px = longest * size * 0.62 * DPI / 72 + 60  # about 0.62 em per character
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=max(1, min(len(drawn), int((WIDTH_PX - 120) // column_px))),
            frameon=False,
            fontsize=size,
            labelcolor=TEXT,
            handlelength=1.8,
            borderaxespad=0.3,
        )
    return _png(fig)


def impact_cost_matrix(
    points: Sequence[tuple[str, float, int]],
    title: str,
    x_label: str,
    y_label: str,
    *,
    money_label: Callable[[int], str] | None = None,
    no_data: str = "–",
    areas: tuple[str, str, str] | None = None,
) -> bytes:
    """The board deck's impact/cost matrix: cost in euros (x) against impact 1-5 (y).

    ``points`` are ``(short label, cost in euros, impact score 1-5)``. The cost axis is
    logarithmic when the costs span twenty times or more. Dashed lines split the plane at
    impact 3 and at the median cost; high impact for low cost is tinted green, low impact
    for high cost red. ``money_label`` formats cents (``Translator.money``). ``areas`` names
    the green area, the red one and the dashed dividers in a legend above the plot.
    """
    money = money_label or _euros
    fig = _figure()
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
        subs = (1.0, 2.0, 5.0) if decades <= 2 else (1.0, 3.0) if decades <= 3 else (1.0,)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        pad = max((high - low) * 0.15, high * 0.1, 1.0)
        ax.set_xlim(max(0.0, low - pad), high + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _plain(money(round(x * 100)))))
    ax.set_ylim(0.4, 5.6)
    ax.yaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
    split = statistics.median(costs)
    left, right = ax.get_xlim()
    ax.add_patch(Rectangle((left, 3), split - left, 2.6, color=QUICK_WIN, zorder=0, lw=0))
    ax.add_patch(Rectangle((split, 0.4), right - split, 2.6, color=COSTLY, zorder=0, lw=0))
    ax.axhline(3, color=AXIS, linestyle=(0, (4, 4)), linewidth=1, zorder=1)
    ax.axvline(split, color=AXIS, linestyle=(0, (4, 4)), linewidth=1, zorder=1)
    ax.scatter(costs, impacts, s=110, color=BRAND, edgecolors="white", linewidths=1.5, zorder=3)
    ax.set_xlabel(_plain(x_label), fontsize=LABEL_SIZE, color=TEXT, labelpad=8)
    ax.set_ylabel(_plain(y_label), fontsize=LABEL_SIZE, color=TEXT, labelpad=8)
    if areas is not None:
        ax.legend(
            [
                Patch(facecolor=QUICK_WIN, edgecolor=AXIS, linewidth=0.5),
                Patch(facecolor=COSTLY, edgecolor=AXIS, linewidth=0.5),
                Line2D([], [], color=AXIS, linestyle=(0, (4, 4)), linewidth=1),
            ],
            [_plain(label) for label in areas],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=3,
            frameon=False,
            fontsize=SMALL_SIZE,
            labelcolor=TEXT,
            borderaxespad=0.3,
            handlelength=1.4,
        )
    _place_labels(fig, ax, [label for label, _, _ in points], costs, impacts)
    return _png(fig)


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


def _png(fig: Figure) -> bytes:
    _layout(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _title(fig: Figure, title: str) -> None:
    fig.suptitle(
        _plain(_wrap(title, 54, 2)),
        x=0.02,
        ha="left",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=TEXT,
    )


def _no_data(fig: Figure, text: str) -> bytes:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _plain(_wrap(text, 50, 3)),
        ha="center",
        va="center",
        fontsize=15,
        color=MUTED,
        transform=ax.transAxes,
    )
    return _png(fig)


def _style_axes(ax: Axes, *, grid: Literal["x", "y", "both"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(AXIS)
    ax.tick_params(colors=MUTED, labelsize=TICK_SIZE, length=0, pad=6)
    ax.grid(axis=grid, color=GRID, linewidth=1)
    ax.set_axisbelow(True)


def _bars(bars: Sequence[tuple[float, int]]) -> tuple[list[float], list[float]]:
    """Positions and lengths in euros, for ``barh``."""
    return [y for y, _ in bars], [cents / 100 for _, cents in bars]


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

    A label that cannot be placed without covering much of another is left out.
    """
    _layout(fig)  # positions are measured in pixels, so lay out the axes first
    frame = ax.get_window_extent()
    centres = ax.transData.transform(list(zip(xs, ys, strict=True)))
    radius = 6.0 * DPI / 72
    taken = [
        Bbox.from_bounds(cx - radius, cy - radius, 2 * radius, 2 * radius) for cx, cy in centres
    ]
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
        )
        note.set_in_layout(False)
        best = (math.inf, _LABEL_SPOTS[0])
        for spot in _LABEL_SPOTS:
            box = _try_spot(note, spot)
            overlap = sum(_overlap(box, other) for other in taken) + _outside(box, frame)
            if overlap < best[0]:
                best = (overlap, spot)
            if overlap == 0:
                break
        box = _try_spot(note, best[1])
        if best[0] > 0.05 * box.width * box.height:  # unreadable in a crowd: the point stays
            note.remove()
        else:
            taken.append(box)


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
