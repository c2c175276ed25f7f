"""Signed, expiring chart URLs.

A card shows a chart as ``{PUBLIC_BASE_URL}/charts/{kind}.png?{params}&r={rights}&exp={unix}&sig={hex}``.
The signature is HMAC-SHA256, under the bot's chart signing key, of a canonical encoding
of the kind, every parameter, the viewer's rights and the expiry. Changing any of them,
adding or dropping a parameter, or using the link after it expires gives
:class:`BadSignature`. The rights travel in the link because Teams fetches the image
without telling the bot who is looking: the link itself is the permission.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final
from urllib.parse import quote, urlencode

from charts.kinds import ChartKind, ChartRights, is_rights, may_view, parse_kind

RIGHTS_PARAM: Final = "r"
EXPIRES_PARAM: Final = "exp"
SIGNATURE_PARAM: Final = "sig"
RESERVED: Final = frozenset({RIGHTS_PARAM, EXPIRES_PARAM, SIGNATURE_PARAM})
MIN_KEY_BYTES: Final = 32
_DOMAIN: Final = "roadmap-bot/chart-url/v1"  # a signature made here means nothing elsewhere
_HEX_SIGNATURE: Final = re.compile(r"[0-9a-f]{64}")
_UNIX_TIME: Final = re.compile(r"[0-9]{1,12}")


class BadSignature(Exception):
    """The link was changed, is incomplete, or has expired."""


class ExpiredSignature(BadSignature):
    """The link was signed by us but its time is up."""


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """A verified chart link: what to draw, for whom, until when."""

    kind: ChartKind
    params: Mapping[str, str]  # read-only; never includes r, exp or sig
    rights: ChartRights
    expires_at: int


def sign(
    params: Mapping[str, str],
    *,
    kind: str,
    rights: str,
    expires_at: int,
    key: bytes,
    domain: str = _DOMAIN,
) -> str:
    """The hex HMAC-SHA256 of the kind, params, rights and expiry (unix seconds), under
    ``domain``: a signature made for one kind of link means nothing for another."""
    _check_key(key)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items()):
        raise TypeError("chart params are strings: they travel in the URL")
    if RESERVED & params.keys():
        raise ValueError(f"chart params may not use the names {sorted(RESERVED)}")
    if not is_rights(rights):
        raise ValueError(f"rights must be 'money' or 'progress', not {rights!r}")
    message = json.dumps(
        [domain, kind, sorted(params.items()), rights, int(expires_at)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(query: Mapping[str, str], *, kind: str, key: bytes, now: int) -> ChartRequest:
    """Check a chart link's query string; raise :class:`BadSignature` unless it is intact and live.

    ``query`` may be aiohttp's ``request.query`` (a multidict): a parameter given twice is
    refused rather than guessed at. ``kind`` is the ``{kind}`` from the path.
    """
    items = list(query.items())
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise BadSignature("a parameter is repeated")
    fields = dict(items)
    signature = fields.pop(SIGNATURE_PARAM, "")
    rights = fields.pop(RIGHTS_PARAM, "")
    expires = fields.pop(EXPIRES_PARAM, "")
    chart_kind = parse_kind(kind)
    if (
        chart_kind is None
        or not _HEX_SIGNATURE.fullmatch(signature)
        or not _UNIX_TIME.fullmatch(expires)
        or not is_rights(rights)
    ):
        raise BadSignature("the link is incomplete")
    expected = sign(fields, kind=kind, rights=rights, expires_at=int(expires), key=key)
    if not hmac.compare_digest(expected, signature):
        raise BadSignature("the signature does not match")
    if now >= int(expires):
        raise ExpiredSignature("the link has expired")
    return ChartRequest(chart_kind, MappingProxyType(fields), rights, int(expires))


def chart_url(
    base_url: str,
    kind: str,
    params: Mapping[str, str],
    *,
    rights: str,
    ttl_seconds: int,
    key: bytes,
    now: int,
) -> str:
    """A signed link to one chart, valid for ``ttl_seconds`` from ``now`` (unix seconds).

    ``base_url`` is ``Settings.public_base_url`` (HTTPS, no trailing slash). Refuses a
    kind that does not exist and a money chart for ``"progress"`` rights, so such a link
    is never put on a card.
    """
    chart_kind = parse_kind(kind)
    if chart_kind is None:
        raise ValueError(f"unknown chart kind {kind!r}")
    if not is_rights(rights):
        raise ValueError(f"rights must be 'money' or 'progress', not {rights!r}")
    if not may_view(chart_kind, rights):
        raise ValueError(f"a {chart_kind.value} chart needs money rights")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    expires_at = now + ttl_seconds
    signature = sign(params, kind=chart_kind.value, rights=rights, expires_at=expires_at, key=key)
    query = urlencode(
        [
            *sorted(params.items()),
            (RIGHTS_PARAM, rights),
            (EXPIRES_PARAM, str(expires_at)),
            (SIGNATURE_PARAM, signature),
        ],
        quote_via=quote,
    )
    return f"{base_url.rstrip('/')}/charts/{chart_kind.value}.png?{query}"


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the chart signing key must be at least {MIN_KEY_BYTES} bytes")
