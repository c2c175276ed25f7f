"""GET /charts/{kind}.png on a real server: signed links in, PNGs out, money only for money rights."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from PIL import Image

from charts import render
from charts.cache import ChartCache
from charts.kinds import ChartKind, ChartRights
from charts.routes import CHART_ROUTE, chart_handler
from charts.signing import chart_url, sign
from charts.spec import ChartNotFound, ChartSpec

KEY = b"chart-signing-key-for-tests-0123456789"
NOW = 1_800_000_000


@dataclass
class FakeDataSource:
    """Answers like the bot's database would; records what it was asked."""

    calls: list[tuple[ChartKind, dict[str, str], ChartRights]] = field(default_factory=list)
    on_track: int = 5
    wrong_renderer: bool = False

    async def chart_data(
        self, kind: ChartKind, params: Mapping[str, str], rights: ChartRights
    ) -> ChartSpec:
        self.calls.append((kind, dict(params), rights))
        if params.get("project") == "404":
            raise ChartNotFound(params["project"])
        language = params.get("lang", "en")
        if kind is ChartKind.budget or self.wrong_renderer:
            rows = [("TORI", 80_000_000, 61_000_000, 78_500_000)]
            return ChartSpec.of(
                language,
                render.budget_vs_actual,
                rows,
                "Budget",
                str,
                series_labels=("P", "A", "F"),
            )
        if kind is ChartKind.health:
            counts = {"on_track": self.on_track, "at_risk": 2, "off_track": 1}
            return ChartSpec.of(language, render.health_distribution, counts, {}, "Tilanne")
        if kind is ChartKind.progress:
            series = [("Kartalla", [("2025-01", 10), ("2025-02", 30)])]
            return ChartSpec.of(language, render.progress_over_time, series, "Edistyminen")
        points = [("Kartalla", 5700.0, 4)]
        return ChartSpec.of(language, render.impact_cost_matrix, points, "Matriisi", "€", "1-5")


@dataclass
class Charts:
    url: str
    http: ClientSession
    source: FakeDataSource
    cache: ChartCache
    renders: list[str]

    def link(self, kind: str = "health", rights: str = "progress", **params: str) -> str:
        return chart_url(
            self.url,
            kind,
            params or {"lang": "fi"},
            rights=rights,
            ttl_seconds=600,
            key=KEY,
            now=NOW,
        )

    async def get(self, url: str, **kwargs: Any) -> tuple[int, str, bytes, Mapping[str, str]]:
        async with self.http.get(url, **kwargs) as response:
            return response.status, response.content_type, await response.read(), response.headers


@pytest.fixture
async def charts(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Charts]:
    renders: list[str] = []
    for name in (
        "health_distribution",
        "budget_vs_actual",
        "progress_over_time",
        "impact_cost_matrix",
    ):
        monkeypatch.setattr(render, name, _counting(getattr(render, name), renders))
    source = FakeDataSource()
    cache = ChartCache()
    app = web.Application()
    app.router.add_get(
        CHART_ROUTE,
        chart_handler(key=KEY, data_source=source, cache=cache, clock=lambda: NOW + 1.5),
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield Charts(str(server.make_url("")).rstrip("/"), http, source, cache, renders)
    await server.close()


def _counting(function: Callable[..., bytes], renders: list[str]) -> Callable[..., bytes]:
    @functools.wraps(function)  # keeps the name and module ChartSpec.of checks
    def counted(*args: Any, **kwargs: Any) -> bytes:
        renders.append(function.__name__)
        return function(*args, **kwargs)

    return counted


def _png_size(body: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.mark.parametrize(
    ("kind", "rights"),
    [
        ("health", "progress"),
        ("progress", "progress"),
        ("budget", "money"),
        ("impact", "money"),
        ("health", "money"),
    ],
)
async def test_a_valid_link_gives_the_png(charts: Charts, kind: str, rights: str) -> None:
    status, content_type, body, headers = await charts.get(
        charts.link(kind, rights, lang="sv", year="2025")
    )
    assert (status, content_type) == (200, "image/png")
    assert headers["Cache-Control"] == "private, max-age=300"
    assert _png_size(body)[0] == render.WIDTH_PX  # twice the width of a phone's card
    assert charts.source.calls == [(ChartKind(kind), {"lang": "sv", "year": "2025"}, rights)]


async def test_a_changed_link_is_refused(charts: Charts) -> None:
    url = charts.link(year="2025").replace("year=2025", "year=2024")
    status, content_type, body, headers = await charts.get(url)
    assert (status, content_type, body) == (403, "application/json", b'{"error": "invalid link"}')
    assert headers["Cache-Control"] == "no-store"
    assert charts.source.calls == []


async def test_a_link_with_other_rights_is_refused(charts: Charts) -> None:
    url = charts.link("health", "progress").replace("r=progress", "r=money")
    status, _type, _body, _headers = await charts.get(url)
    assert status == 403
    assert charts.source.calls == []


async def test_an_expired_link_is_refused(charts: Charts) -> None:
    url = chart_url(
        charts.url, "health", {"lang": "fi"}, rights="progress", ttl_seconds=1, key=KEY, now=NOW
    )
    status, _type, body, _headers = await charts.get(url)
    assert (status, body) == (403, b'{"error": "link expired"}')
    assert charts.source.calls == []


@pytest.mark.parametrize("kind", ["budget", "impact"])
async def test_money_is_never_drawn_for_progress_rights(charts: Charts, kind: str) -> None:
    # A correctly signed link cannot grant what the kind table forbids.
    expires = NOW + 600
    signature = sign({"lang": "fi"}, kind=kind, rights="progress", expires_at=expires, key=KEY)
    url = f"{charts.url}/charts/{kind}.png?lang=fi&r=progress&exp={expires}&sig={signature}"
    status, _type, body, _headers = await charts.get(url)
    assert (status, body) == (403, b'{"error": "not allowed"}')
    assert charts.source.calls == [] and charts.renders == []


async def test_an_unknown_kind_is_not_found(charts: Charts) -> None:
    expires = NOW + 600
    signature = sign({}, kind="salaries", rights="money", expires_at=expires, key=KEY)
    url = f"{charts.url}/charts/salaries.png?r=money&exp={expires}&sig={signature}"
    status, content_type, body, _headers = await charts.get(url)
    assert (status, content_type, body) == (404, "application/json", b'{"error": "unknown chart"}')
    assert charts.source.calls == []


async def test_a_link_to_nothing_is_not_found(charts: Charts) -> None:
    status, _type, body, _headers = await charts.get(charts.link(project="404"))
    assert (status, body) == (404, b'{"error": "nothing to draw"}')


async def test_two_identical_requests_render_once(charts: Charts) -> None:
    url = charts.link(lang="fi", year="2025")
    first, second = await asyncio.gather(charts.get(url), charts.get(url))
    assert first[0] == second[0] == 200 and first[2] == second[2]
    status, _type, body, _headers = await charts.get(url)
    assert (status, body) == (200, first[2])
    assert charts.renders == ["health_distribution"]
    assert len(charts.source.calls) == 3  # the data is read every time: it may have changed


async def test_changed_data_is_drawn_again(charts: Charts) -> None:
    url = charts.link()
    _status, _type, before, _headers = await charts.get(url)
    charts.source.on_track = 6
    _status, _type, after, _headers = await charts.get(url)
    assert before != after
    assert charts.renders == ["health_distribution"] * 2


async def test_each_language_is_its_own_chart(charts: Charts) -> None:
    await charts.get(charts.link(lang="fi"))
    await charts.get(charts.link(lang="sv"))
    assert len(charts.renders) == 2


async def test_an_image_teams_already_has_is_not_sent_again(charts: Charts) -> None:
    url = charts.link()
    _status, _type, _body, headers = await charts.get(url)
    status, _type, body, _headers = await charts.get(
        url, headers={"If-None-Match": headers["ETag"]}
    )
    assert (status, body) == (304, b"")


async def test_a_data_source_that_answers_with_the_wrong_chart_draws_nothing(
    charts: Charts,
) -> None:
    charts.source.wrong_renderer = True  # a budget chart for a health link: money
    status, _type, body, _headers = await charts.get(charts.link("health", "progress"))
    assert (status, body) == (500, b'{"error": "chart unavailable"}')
    assert charts.renders == []
