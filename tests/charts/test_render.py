"""Every chart is a valid PNG that Teams can show, in the programme's colours, in any language."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib.axes import Axes
from PIL import Image

from charts import render
from translations import Translator

Chart = Callable[[], bytes]
LABELS = {"on_track": "Aikataulussa", "at_risk": "Riskissä", "off_track": "Myöhässä"}
PERIODS = [f"2025-{month:02d}" for month in range(1, 13)]


def _money(cents: int) -> str:
    return f"{cents // 100:,} €".replace(",", "\u00a0")


def _budget(
    rows: Sequence[tuple[str, int, int, int | None]], title: str = "Talousarvio 2025"
) -> bytes:
    return render.budget_vs_actual(
        rows, title, _money, series_labels=("Suunniteltu", "Toteutunut", "Ennuste")
    )


SAMPLES: dict[str, Chart] = {
    "health": lambda: render.health_distribution(
        {"on_track": 18, "at_risk": 7, "off_track": 3}, LABELS, "Hankkeiden tilanne"
    ),
    "budget": lambda: _budget(
        [
            ("Data ja analytiikka", 15_000_000, 9_800_000, 14_200_000),
            ("TOSI", 50_000_000, 31_250_000, 52_000_000),
            ("Digitaalinen perusta", 600_000_000, 402_000_000, None),
        ]
    ),
    "progress": lambda: render.progress_over_time(
        [
            ("Kartalla", list(zip(PERIODS, range(5, 100, 8), strict=True))),
            ("Hulevesikaivot", list(zip(PERIODS[3:], range(0, 90, 10), strict=True))),
        ],
        "Edistyminen",
    ),
    "impact": lambda: render.impact_cost_matrix(
        [("Kartalla", 5700.0, 4), ("Kybermittari", 2800.0, 3), ("Tietoallas", 150_000.0, 2)],
        "Vaikuttavuus ja kustannus",
        "Kustannus",
        "Vaikuttavuus (1–5)",
    ),
}
EMPTY: dict[str, Chart] = {
    "health": lambda: render.health_distribution({}, {}, "Tilanne", no_data="Ei vielä tietoja"),
    "health-zeros": lambda: render.health_distribution({"on_track": 0}, LABELS, "Tilanne"),
    "budget": lambda: _budget([]),
    "progress": lambda: render.progress_over_time([], "Edistyminen"),
    "progress-no-points": lambda: render.progress_over_time([("Kartalla", [])], "Edistyminen"),
    "impact": lambda: render.impact_cost_matrix([], "Vaikuttavuus", "Kustannus", "Vaikuttavuus"),
}
NORDIC = "Åtgärd för språkservice – Vöyrin ääkköset ÅÄÖ åäö"
NORDIC_SAMPLES: dict[str, Chart] = {
    "health": lambda: render.health_distribution(
        {"on_track": 2, "at_risk": 1, "no_report": 1},
        {"on_track": "På rätt spår", "at_risk": "Risk för försening", "no_report": "Ingen rapport"},
        NORDIC,
    ),
    "budget": lambda: _budget([(NORDIC, 100_000, 50_000, 90_000), ("Ä", 1, 0, None)], NORDIC),
    "progress": lambda: render.progress_over_time(
        [(NORDIC, [("2025-01", 10), ("2025-02", 40)]), ("Öljy", [("2025-02", 5)])], NORDIC
    ),
    "impact": lambda: render.impact_cost_matrix(
        [(NORDIC, 100.0, 5), ("Åbo", 100.0, 5), ("Ähtäri", 20_000.0, 1)],
        NORDIC,
        "Kostnad",
        "Verkan",
    ),
}


def _image(png: bytes) -> Image.Image:
    """The PNG decoded, after checking it is one Teams accepts."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as checked:
        checked.verify()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width <= 1024 and image.height <= 1024
    return image.convert("RGB")


def _colours(image: Image.Image) -> set[tuple[int, ...]]:
    return {
        tuple(colour) if isinstance(colour, tuple) else (int(colour),)
        for _count, colour in image.getcolors(maxcolors=1 << 20) or []
    }


def _rgb(hex_colour: str) -> tuple[int, ...]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


@pytest.mark.parametrize("name", SAMPLES)
def test_each_chart_is_a_png_teams_can_show(name: str) -> None:
    image = _image(SAMPLES[name]())
    assert image.width == 720  # twice a phone's 360 px, for high-density screens
    assert 300 <= image.height <= 1024
    assert len(_colours(image)) > 50  # drawn, antialiased: not a blank canvas


@pytest.mark.parametrize("name", EMPTY)
def test_empty_data_still_gives_a_titled_png(name: str) -> None:
    image = _image(EMPTY[name]())
    colours = _colours(image)
    assert len(colours) > 2  # the title and the no-data text
    assert _rgb(render.BRAND) not in colours
    assert not colours & {_rgb(c) for c in render.HEALTH_COLOURS.values()}


@pytest.mark.parametrize("name", NORDIC_SAMPLES)
def test_finnish_and_swedish_letters_render(name: str) -> None:
    # A glyph missing from the font is a UserWarning, an error under this test config.
    _image(NORDIC_SAMPLES[name]())


def test_health_uses_the_health_colours() -> None:
    colours = _colours(_image(SAMPLES["health"]()))
    for colour in ("#2E7D32", "#F9A825", "#C62828"):
        assert _rgb(colour) in colours


def test_budget_and_progress_use_the_brand_blue() -> None:
    assert _rgb("#0B5FA5") in _colours(_image(SAMPLES["budget"]()))
    assert _rgb("#0B5FA5") in _colours(_image(SAMPLES["progress"]()))


def test_impact_matrix_tints_the_quick_wins() -> None:
    colours = _colours(_image(SAMPLES["impact"]()))
    assert _rgb(render.QUICK_WIN) in colours
    assert _rgb(render.BRAND) in colours


def test_impact_matrix_has_a_legend_for_its_coloured_areas() -> None:
    points = [("Kartalla", 5700.0, 4), ("Kybermittari", 2800.0, 3), ("Tietoallas", 150_000.0, 2)]
    plain = _image(render.impact_cost_matrix(points, "Matriisi", "Kustannus", "Vaikuttavuus"))
    legend = _image(
        render.impact_cost_matrix(
            points,
            "Matriisi",
            "Kustannus",
            "Vaikuttavuus",
            areas=("Suuri vaikuttavuus", "Pieni vaikuttavuus", "Rajat"),
        )
    )

    def top(image: Image.Image, colour: str) -> int:
        """The first row with a pixel of the colour."""
        wanted = _rgb(colour)
        pixels = image.load()
        assert pixels is not None
        return next(
            y for y in range(image.height) for x in range(image.width) if pixels[x, y] == wanted
        )

    # Without a legend the red area begins only at impact 3, far below the green one's top;
    # with one, the legend's two swatches stand one above the other above the plot.
    assert top(plain, render.COSTLY) - top(plain, render.QUICK_WIN) > 100
    assert 0 < top(legend, render.COSTLY) - top(legend, render.QUICK_WIN) < 40


def test_a_long_budget_grows_but_stays_within_teams_limit() -> None:
    rows = [(f"Alue {i}", 100_000 * i, 50_000 * i, None) for i in range(40)]
    image = _image(_budget(rows))
    assert (image.width, image.height) == (720, 1024)


def test_dollar_signs_are_text_not_math() -> None:
    # Unescaped, matplotlib would parse this as math and fail on the unknown command.
    title = r"Cost $\notacommand$ in total"
    _image(render.health_distribution({"on_track": 1}, {"on_track": title}, title))
    _image(render.impact_cost_matrix([(title, 5.0, 3)], title, title, title))


def test_renders_are_deterministic_across_threads() -> None:
    expected = {name: chart() for name, chart in SAMPLES.items()}
    jobs = list(SAMPLES.items()) * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: (job[0], job[1]()), jobs))
    for name, png in results:
        assert png == expected[name], name


def test_progress_periods_on_the_axis_are_written_as_the_locale_writes_a_month(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not "2025-10": the axis shows what ``period_label`` makes of each period."""
    ticks: list[str] = []
    set_xticks = Axes.set_xticks

    def recording(self: Axes, positions: Any, labels: Any = None, **kwargs: Any) -> Any:
        ticks.extend(str(label) for label in labels or ())
        return set_xticks(self, positions, labels, **kwargs)

    monkeypatch.setattr(Axes, "set_xticks", recording)
    fi = Translator("fi", ZoneInfo("Europe/Helsinki"))
    series = [("Kartalla", [(period, 5 * n) for n, period in enumerate(PERIODS)])]
    render.progress_over_time(series, "Edistyminen", period_label=fi.period)
    assert ticks and "12.2025" in ticks  # the latest period is always labelled
    assert not any(re.fullmatch(r"\d{4}-\d{2}", tick) for tick in ticks)
