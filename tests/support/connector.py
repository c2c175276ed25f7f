"""A local fake Bot Framework connector: a real aiohttp server that records every call.

The SDK sends replies through msrest in worker threads, so a client-side mock would
not see them; this server does. It can also be told to fail the next calls.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    activity_id: str | None
    body: Any


@dataclass
class FakeConnector:
    roster: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer, in order
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/")).rstrip("/") + "/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_post("/v3/conversations", self._create_conversation)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def _failure(self) -> web.Response | None:
        if self.fail_next:
            return web.json_response({"error": {"code": "Throttled"}}, status=self.fail_next.pop(0))
        return None

    async def _record(self, request: web.Request) -> Call:
        body = await request.json() if request.can_read_body else None
        call = Call(
            request.method,
            request.path,
            request.match_info.get("cid", ""),
            request.match_info.get("aid"),
            body,
        )
        self.calls.append(call)
        return call

    async def _send(self, request: web.Request) -> web.Response:
        failure = self._failure()
        await self._record(request)
        if failure is not None:
            return failure
        return web.json_response({"id": f"sent-{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"id": request.match_info["aid"]})

    async def _paged_members(self, request: web.Request) -> web.Response:
        await self._record(request)
        start = int(request.query.get("continuationToken") or 0)
        page = self.roster[start : start + self.page_size]
        following = start + self.page_size
        body: dict[str, Any] = {"members": page}
        if following < len(self.roster):
            body["continuationToken"] = str(following)
        return web.json_response(body)

    async def _member(self, request: web.Request) -> web.Response:
        """One member of the roster by Teams id, as Teams answers it; 404 for a stranger."""
        await self._record(request)
        for member in self.roster:
            if member.get("id") == request.match_info["mid"]:
                return web.json_response(member)
        return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"id": f"a:new-{next(self._ids)}", "activityId": "x"})

    # What the user would see --------------------------------------------------------
    def sent(self) -> list[dict[str, Any]]:
        """Activities the bot posted (not updates), in order."""
        return [c.body for c in self.calls if c.method == "POST" and "/activities" in c.path]

    def cards(self) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for activity in self.sent()
            for attachment in activity.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]
