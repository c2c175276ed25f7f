"""An HTTP proxy between the Playground and the bot that rewrites activities (a locale or
a user the Playground cannot send)."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


class ActivityProxy:
    """HTTP proxy between the Playground and the bot that rewrites activities.

    The Playground hard-codes ``locale: "en-US"`` and always sends as the
    yml's ``currentUser``.  Point the Playground at :attr:`url` instead of the
    bot and set :attr:`locale` (and/or :attr:`rewrite`) at any time; every
    activity POSTed to the bot afterwards is changed on the way.  Replies go
    straight from the bot to the Playground (``serviceUrl``), so the UI is
    unaffected.  Use as a context manager; it serves from a daemon thread.
    """

    def __init__(self, target_url: str, *, locale: str | None = None) -> None:
        parsed = urllib.parse.urlsplit(target_url)
        if parsed.scheme != "http" or parsed.hostname is None:
            raise ValueError(f"need an http:// bot URL, got {target_url!r}")
        self._target_host = parsed.hostname
        self._target_port = parsed.port or 80
        self._path = parsed.path or "/"
        self.locale = locale
        self.rewrite: Rewrite | None = None
        self.forwarded: list[dict[str, Any]] = []
        self._server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler, self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Give this to :func:`start_playground` as the bot endpoint."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self._path}"

    def apply(self, activity: dict[str, Any]) -> dict[str, Any]:
        """The rewrite applied to each activity (locale first, then ``rewrite``)."""
        if self.locale:
            activity["locale"] = self.locale
            for entity in activity.get("entities") or []:
                if isinstance(entity, dict) and entity.get("type") == "clientInfo":
                    entity["locale"] = self.locale
        if self.rewrite is not None:
            activity = self.rewrite(activity)
        return activity

    def forward(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        if method == "POST" and body:
            try:
                activity = json.loads(body)
            except ValueError:
                activity = None
            if isinstance(activity, dict):
                activity = self.apply(activity)
                self.forwarded.append(activity)
                body = json.dumps(activity).encode()
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "authorization")}
        conn = http.client.HTTPConnection(self._target_host, self._target_port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=keep)
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type", ""), resp.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ActivityProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        proxy: ActivityProxy,
    ) -> None:
        super().__init__(address, handler)
        self.proxy = proxy


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        assert isinstance(self.server, _ProxyServer)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, content_type, payload = self.server.proxy.forward(
                self.command, self.path, dict(self.headers.items()), body
            )
        except OSError as exc:
            status, content_type, payload = 502, "text/plain", str(exc).encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _handle
    do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output quiet
