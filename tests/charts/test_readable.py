"""Every chart kind can be read where a card shows it: 360 px wide on a phone.

A card stretches a chart to its own width, so a text's height on screen is its size in
the image times the display width over the image width. The charts are drawn with the
demo's kind of data (five budget lines from 150 k€ to 6 M€, a roadmap year of thirty
projects, a year of monthly progress) and the app's own labels in Finnish, Swedish and
English, and measured on the laid-out figure: every text at least 11 px high at 360 px,
no value label over another, no two tick labels of an axis touching, nothing past the
image's edge.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cards import labels
from charts import render
from translations import LANGUAGES, Translator

DISPLAY_PX = 360  # a phone; a desktop card is 450-500 px, so everything is larger there
MIN_TEXT_PX = 11

# (code, one-time cost + a year's running cost in euros, impact 1-5), as the demo's
# roadmap 2025 and its completed projects.
ROADMAP_2025 = [
    ("DR24-07", 51_000.0, 4), ("DR24-08", 72_000.0, 4), ("DR24-09", 98_000.0, 4),
    ("DR24-10", 79_000.0, 4), ("DR24-11", 103_000.0, 5), ("DR25-01", 220_000.0, 5),
    ("DR25-02", 22_000.0, 3), ("DR25-03", 175_000.0, 4), ("DR25-04", 25_000.0, 3),
    ("DR25-05", 25_500.0, 3), ("DR25-06", 100_000.0, 4), ("DR25-07", 35_000.0, 3),
    ("DR25-08", 34_000.0, 3), ("DR25-10", 480_000.0, 5), ("DR25-11", 19_000.0, 3),
    ("DR25-12", 29_000.0, 2), ("DR25-13", 270_000.0, 4), ("DR25-14", 42_000.0, 3),
    ("DR25-15", 34_000.0, 3), ("DR25-16", 110_000.0, 4), ("DR25-17", 55_000.0, 3),
    ("DR25-18", 20_000.0, 3), ("DR25-19", 76_000.0, 4), ("DR25-20", 30_000.0, 3),
    ("DR25-21", 132_000.0, 4), ("DR25-22", 30_000.0, 3),
]  # fmt: skip
COMPLETED = [
    ("DR24-01", 3_100.0, 4), ("DR24-02", 2_800.0, 3), ("DR24-03", 5_700.0, 4),
    ("DR24-06", 12_400.0, 4), ("DR24-12", 16_500.0, 3), ("DR24-19", 120_000.0, 4),
]  # fmt: skip
# (fi, sv, en name, planned, actual, forecast) in cents: the demo's 2025 budget lines.
BUDGET_2025: list[tuple[str, str, str, int, int, int]] = [
    ("Data & Analytiikka", "Data och analys", "Data & Analytics", 15_000_000, 13_842_000, 16_100_000),
    ("TOSI", "TOSI", "TOSI", 50_000_000, 47_125_000, 53_400_000),
    ("TORI", "TORI", "TORI", 80_000_000, 82_690_000, 86_300_000),
    ("Digitaalinen perusta", "Digital grund", "Digital foundation", 600_000_000, 591_230_000, 636_000_000),
    (
        "Arvio vuoden 2025 digiohjelmasta",
        "Uppskattning av digitaliseringsprogrammet 2025",
        "Estimate for the 2025 digital programme",
        50_000_000, 46_380_000, 51_900_000,
    ),
]  # fmt: skip
PERIODS = [f"2025-{month:02d}" for month in range(1, 13)]
PROJECT = ("Kartalla-palvelun uudistus", "Förnyelse av Kartalla-tjänsten", "Kartalla renewal")
THEMES = [
    ("Sujuvat palvelut", "Smidiga tjänster", "Smooth services", [4, 9, 15, 22, 30, 37, 41, 48, 55, 61, 66, 70]),
    ("Tiedolla johtaminen", "Kunskapsledning", "Knowledge-based management", [0, 3, 8, 12, 19, 27, 33, 38, 42, 50, 56, 63]),
    ("Digitaalinen perusta", "Digital grund", "Digital foundation", [10, 14, 20, 24, 31, 35, 40, 47, 53, 58, 64, 69]),
]  # fmt: skip

Draw = Callable[[Translator], Figure]


def _health(t: Translator) -> Figure:
    counts = {"on_track": 41, "at_risk": 9, "off_track": 4, "no_report": 15}
    names = {key: t(label) for key, label in labels.HEALTH.items()} | {"no_report": t("No report")}
    return render.health_distribution.figure(
        counts, names, f"{t('Roadmap {year}', year=2025)}: {t('Projects by health')}"
    )


def _budget(t: Translator, rows: int = len(BUDGET_2025)) -> Figure:
    return render.budget_vs_actual.figure(
        [
            (t.pick(fi, sv, en), plan, actual, fore)
            for fi, sv, en, plan, actual, fore in BUDGET_2025
        ][:rows],
        t("Budget {year}", year=2025),
        t.money_compact,
        series_labels=(t("Planned"), t("Actual"), t("Forecast")),
    )


def _long_budget(t: Translator) -> Figure:
    """More lines than fit with their amounts: the names go beside the bars."""
    lines = BUDGET_2025 * 4
    return render.budget_vs_actual.figure(
        [
            (f"{t.pick(fi, sv, en)} {i + 1}", plan, actual, fore)
            for i, (fi, sv, en, plan, actual, fore) in enumerate(lines)
        ],
        t("Budget {year}", year=2025),
        t.money_compact,
        series_labels=(t("Planned"), t("Actual"), t("Forecast")),
    )


def _progress(t: Translator) -> Figure:
    points = list(zip(PERIODS, [5, 9, 14, 22, 30, 34, 34, 41, 52, 58, 63, 71], strict=True))
    return render.progress_over_time.figure(
        [(t.pick(*PROJECT), points)], t("Progress over time"), percent_label=t.percent
    )


def _themes(t: Translator) -> Figure:
    return render.progress_over_time.figure(
        [(t.pick(fi, sv, en), list(zip(PERIODS, values, strict=True))) for fi, sv, en, values in THEMES],
        t("Progress over time"),
        percent_label=t.percent,
    )  # fmt: skip


def _impact(t: Translator, points: list[tuple[str, float, int]], title: str) -> Figure:
    return render.impact_cost_matrix.figure(
        points,
        title,
        t("One-time cost + one year's running cost (€)"),
        t("Estimated impact (1–5)"),
        money_label=t.money_compact,
        areas=(
            t("High impact, lower cost"),
            t("Lower impact, higher cost"),
            t("Dividers: impact 3 and the median cost"),
        ),
    )


CHARTS: dict[str, Draw] = {
    "health": _health,
    "budget": _budget,
    "budget-one-line": lambda t: _budget(t, rows=1),
    "budget-many-lines": _long_budget,
    "progress": _progress,
    "progress-themes": _themes,
    "impact-roadmap": lambda t: _impact(
        t, ROADMAP_2025, t("Roadmap {year}: impact against cost", year=2025)
    ),
    "impact-completed": lambda t: _impact(
        t, COMPLETED, t("Completed projects: impact against cost")
    ),
    "no-data": lambda t: render.budget_vs_actual.figure(
        [], t("Budget {year}", year=2025), t.money_compact, series_labels=("", "", ""),
        no_data=t("No data"),
    ),
}  # fmt: skip


def _unshown_ticks(axis: Axis) -> set[int]:
    """Ids of the tick labels the axis has but does not draw: their ticks are off the view."""
    low, high = sorted(axis.get_view_interval())
    return {
        id(tick.label1)
        for tick in axis.get_major_ticks()
        if not low - 1e-9 <= tick.get_loc() <= high + 1e-9
    }


def _drawn_texts(fig: Figure) -> list[Text]:
    """Every text the PNG shows: visible, not empty, and not a label of an unshown tick."""
    fig.canvas.draw()
    unshown = {i for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for i in _unshown_ticks(axis)}
    return [
        text
        for text in fig.findobj(Text)
        if isinstance(text, Text)
        and text.get_visible()
        and text.get_text().strip()
        and id(text) not in unshown
    ]


def _display_px(text: Text, fig: Figure) -> float:
    """The text's size in pixels when the card shows the image DISPLAY_PX wide."""
    return float(text.get_fontsize()) * fig.dpi / 72 * DISPLAY_PX / (fig.get_figwidth() * fig.dpi)


def _overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0.5 and height > 0.5 else 0.0


@functools.cache
def _drawn(name: str, language: str) -> tuple[Figure, list[Text]]:
    """The chart, drawn once for the three tests below, and the texts it shows."""
    fig = CHARTS[name](Translator(language, ZoneInfo("Europe/Helsinki")))
    return fig, _drawn_texts(fig)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHARTS)
def test_every_text_is_at_least_11_px_at_phone_width(name: str, language: str) -> None:
    fig, texts = _drawn(name, language)
    assert texts
    small = {
        text.get_text(): round(_display_px(text, fig), 1)
        for text in texts
        if _display_px(text, fig) < MIN_TEXT_PX
    }
    assert not small, f"px at {DISPLAY_PX} px wide: {small}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHARTS)
def test_value_labels_do_not_overlap(name: str, language: str) -> None:
    _fig, texts = _drawn(name, language)
    values = [text for text in texts if text.get_gid() == render.VALUE_GID]
    if name.startswith(("budget", "health", "impact")) and name != "budget-many-lines":
        assert len(values) >= 3, "the chart has lost its value labels"
    boxes = [(text.get_text(), text.get_window_extent()) for text in values]
    clashes = [
        (a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if _overlap(box_a, box_b)
    ]  # fmt: skip
    assert not clashes


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHARTS)
def test_no_text_covers_another_or_leaves_the_image(name: str, language: str) -> None:
    """Tick labels too: thinned where they would run into each other, in any language."""
    fig, texts = _drawn(name, language)
    boxes = [(text.get_text(), text.get_window_extent()) for text in texts]
    clashes = [
        (a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if _overlap(box_a, box_b)
    ]  # fmt: skip
    assert not clashes
    image = fig.bbox
    outside = [
        text.get_text()
        for text in texts
        if not image.contains(*text.get_window_extent().p0)
        or not image.contains(*text.get_window_extent().p1)
    ]
    assert not outside
