"""The access log, with the secrets in request targets redacted.

aiohttp's stock access log writes the whole request line. A chart link carries its
permission in the query: ``/charts/budget.png?…&r=money&exp=…&sig=…`` can be replayed by
anyone who reads the log until it expires, with the rights it was signed for. So the log
keeps the path and the harmless parameters (which chart, until when) and writes
``REDACTED`` for the value of ``sig`` and of any parameter whose name says it is a
credential (``token``, ``code``, ``key``, ``password``…). The Referer gets the same
treatment, and every logged value loses its control characters, since all of it comes
from the client.

The app installs it through ``web.Application(handler_args=...)``, so every runner that
serves the app (``web.run_app``, the tests' ``TestServer``) logs this way.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from bot.middleware import TURN_KEY, safe_for_log
from charts.signing import SIGNATURE_PARAM

REDACTED = "REDACTED"
TARGET_LIMIT = 400  # characters of a request target kept in one log line
# A parameter is secret if its name contains one of these (over-redacting is harmless).
_SECRET_NAME = re.compile(
    rf"{SIGNATURE_PARAM}|token|secret|pass|key|code|auth|credential|session", re.IGNORECASE
)


def redact_target(target: str) -> str:
    """``target`` (a request target or URL, still percent-encoded) with secret query values
    replaced by ``REDACTED``; the path, the fragment and the other parameters are kept."""
    head, question, rest = target.partition("?")
    if not question:
        return target
    query, hash_sign, fragment = rest.partition("#")
    pairs = []
    for pair in query.split("&"):
        name, equals, _value = pair.partition("=")
        secret = equals and _SECRET_NAME.search(unquote_plus(name))
        pairs.append(f"{name}={REDACTED}" if secret else pair)
    return f"{head}?{'&'.join(pairs)}{hash_sign}{fragment}"


class RedactingAccessLogger(AbstractAccessLogger):
    """One line a request, in the common log's order, without the secrets of the target::

    127.0.0.1 "GET /charts/health.png?lang=fi&r=progress&exp=1800000600&sig=REDACTED HTTP/1.1"
    200 40213 0.012s "-" "SkypeSpaces/1.0"

    A ``POST /api/messages`` line ends with its turn: ``turn 1f3a… type=message name=
    conversation=a:1…``.
    """

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        headers = request.headers
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs "%s" "%s"%s',
            safe_for_log(request.remote or "-"),
            safe_for_log(request.method, 16),
            safe_for_log(redact_target(request.raw_path), TARGET_LIMIT),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            safe_for_log(redact_target(headers.get("Referer", "-")), TARGET_LIMIT),
            safe_for_log(headers.get("User-Agent", "-")),
            # the turn the request carried (bot.hosting), already safe: one line a turn
            f" {request[TURN_KEY]}" if TURN_KEY in request else "",
        )

    @property
    def enabled(self) -> bool:
        # skip building the line when nobody reads the access log at INFO
        return self.logger.isEnabledFor(logging.INFO)
