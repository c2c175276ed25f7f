"""``GET /charts/{kind}.png``: verify the link, ask the data source, serve the cached PNG.

Register it in ``create_app``::

    app.router.add_get(CHART_ROUTE, chart_handler(key=..., data_source=..., cache=ChartCache()))

Answers: 200 ``image/png``; 403 with a short JSON body for a changed, incomplete or
expired link, or a money chart on a progress-only link; 404 for an unknown kind or a
link that names nothing (:class:`~charts.spec.ChartNotFound`); 304 when Teams already has
this exact image (``If-None-Match``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from charts.cache import ChartCache
from charts.kinds import KINDS, may_view, parse_kind
from charts.signing import BadSignature, ExpiredSignature, verify
from charts.spec import ChartDataSource, ChartNotFound

log = logging.getLogger(__name__)
CHART_ROUTE = "/charts/{kind}.png"
CACHE_CONTROL = "private, max-age=300"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def chart_handler(
    *,
    key: bytes,
    data_source: ChartDataSource,
    cache: ChartCache,
    clock: Callable[[], float] = time.time,
) -> Handler:
    """The handler for :data:`CHART_ROUTE`; ``key`` is the chart signing key."""

    async def chart(request: web.Request) -> web.StreamResponse:
        kind = parse_kind(request.match_info.get("kind", ""))
        if kind is None:
            return _error(404, "unknown chart")
        try:
            link = verify(request.query, kind=kind.value, key=key, now=int(clock()))
        except ExpiredSignature:
            return _error(403, "link expired")
        except BadSignature:
            return _error(403, "invalid link")
        if not may_view(link.kind, link.rights):
            log.warning("refused a %s chart on a %s link", link.kind.value, link.rights)
            return _error(403, "not allowed")
        try:
            spec = await data_source.chart_data(link.kind, link.params, link.rights)
        except ChartNotFound:
            return _error(404, "nothing to draw")
        if spec.renderer != KINDS[link.kind].renderer:
            # A data source bug; never draw what the kind's rights rule did not vet.
            log.error("data source gave %s for a %s chart", spec.renderer, link.kind.value)
            return _error(500, "chart unavailable")
        parts = (
            link.kind.value,
            json.dumps(sorted(link.params.items()), ensure_ascii=False),
            link.rights,
            spec.language,
            spec.fingerprint(),
        )
        etag = f'"{cache.key(parts)}"'
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        png = await cache.get_or_render(parts, spec.draw)
        headers["X-Content-Type-Options"] = "nosniff"
        return web.Response(body=png, content_type="image/png", headers=headers)

    return chart


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": message}, status=status, headers={"Cache-Control": "no-store"}
    )
