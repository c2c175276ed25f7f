"""Signed, expiring links to a file: ``{PUBLIC_BASE_URL}/files/{kind}?{params}&r=&exp=&sig=``.

Signed like the chart links (``charts.signing``: HMAC-SHA256 of the kind, every
parameter, the rights and the expiry), under a domain of their own, so that no chart
link is ever a file link or the other way round. The person the file was offered to is
one of the signed parameters (``for``).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final
from urllib.parse import quote, urlencode

from charts.signing import (
    EXPIRES_PARAM,
    RIGHTS_PARAM,
    SIGNATURE_PARAM,
    BadSignature,
    ExpiredSignature,
    sign,
)

DOMAIN: Final = "roadmap-bot/file-url/v1"
FILE_ROUTE: Final = "/files/{kind}"
_KIND: Final = re.compile(r"[a-z][a-z_]{0,19}")  # workbook, deck, import_errors
_HEX_SIGNATURE: Final = re.compile(r"[0-9a-f]{64}")
_UNIX_TIME: Final = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class FileRequest:
    kind: str
    params: Mapping[str, str]  # read-only; never includes r, exp or sig
    rights: str
    expires_at: int


def signed_params(
    kind: str, params: Mapping[str, str], *, rights: str, expires_at: int, key: bytes
) -> dict[str, str]:
    """The params with ``r``, ``exp`` and ``sig``: a link's query, or a consent's context."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"bad file kind {kind!r}")
    signature = sign(
        params, kind=kind, rights=rights, expires_at=expires_at, key=key, domain=DOMAIN
    )
    return {
        **params,
        RIGHTS_PARAM: rights,
        EXPIRES_PARAM: str(expires_at),
        SIGNATURE_PARAM: signature,
    }


def file_url(
    base_url: str,
    kind: str,
    params: Mapping[str, str],
    *,
    rights: str,
    ttl_seconds: int,
    key: bytes,
    now: int,
) -> str:
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    signed = signed_params(kind, params, rights=rights, expires_at=now + ttl_seconds, key=key)
    query = urlencode(sorted(signed.items()), quote_via=quote)
    return f"{base_url.rstrip('/')}/files/{kind}?{query}"


def verify(query: Mapping[str, str], *, kind: str, key: bytes, now: int) -> FileRequest:
    """Check a file link's query (or a consent's context); raise ``BadSignature`` unless
    it is intact and live. A parameter given twice is refused rather than guessed at."""
    items = list(query.items())
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise BadSignature("a parameter is repeated")
    if not all(isinstance(value, str) for _, value in items):
        raise BadSignature("a parameter is not text")
    fields = dict(items)
    signature = fields.pop(SIGNATURE_PARAM, "")
    rights = fields.pop(RIGHTS_PARAM, "")
    expires = fields.pop(EXPIRES_PARAM, "")
    if (
        not _KIND.fullmatch(kind)
        or not _HEX_SIGNATURE.fullmatch(signature)
        or not _UNIX_TIME.fullmatch(expires)
        or rights not in ("money", "progress")
    ):
        raise BadSignature("the link is incomplete")
    expected = sign(
        fields, kind=kind, rights=rights, expires_at=int(expires), key=key, domain=DOMAIN
    )
    if not hmac.compare_digest(expected, signature):
        raise BadSignature("the signature does not match")
    if now >= int(expires):
        raise ExpiredSignature("the link has expired")
    return FileRequest(kind, MappingProxyType(fields), rights, int(expires))
