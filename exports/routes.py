"""``GET /files/{kind}``: verify the link, make the file, send it as an attachment.

Answers: 200 with the file; 403 for a changed, incomplete or expired link, or one whose
rights are not money (every file holds money); 404 for a link that names nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from charts.signing import BadSignature, ExpiredSignature
from exports.kinds import FileKinds, FileNotFound
from exports.links import verify
from storage.db import SessionFactory

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def file_handler(
    *,
    key: bytes,
    kinds: FileKinds,
    sessions: SessionFactory,
    clock: Callable[[], float] = time.time,
) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        kind = request.match_info.get("kind", "")
        try:
            link = verify(request.query, kind=kind, key=key, now=int(clock()))
        except ExpiredSignature:
            return _error(403, "link expired")
        except BadSignature:
            return _error(403, "invalid link")
        if link.rights != "money":
            return _error(403, "not allowed")
        try:
            made = await kinds.make(link.kind, link.params, sessions)
        except FileNotFound:
            return _error(404, "no such file")
        log.info("file %s made for person %s", link.kind, link.params.get("for", "?"))
        return web.Response(
            body=made.data,
            content_type=made.media_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(made.name)}",
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return serve
