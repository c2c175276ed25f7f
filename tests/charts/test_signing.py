"""Chart links: only the exact link the bot signed, before it expires, is accepted."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from multidict import MultiDict

from charts.kinds import ChartKind
from charts.signing import BadSignature, ExpiredSignature, chart_url, sign, verify

KEY = b"k" * 32
NOW = 1_800_000_000
BASE = "https://bot.example.fi"
PARAMS = {"year": "2025", "lang": "sv", "area": "Digitaliseringsfärdplan åäö & co"}


def _link(
    kind: str = "budget",
    rights: str = "money",
    ttl: int = 600,
    params: dict[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    url = chart_url(
        BASE,
        kind,
        PARAMS if params is None else params,
        rights=rights,
        ttl_seconds=ttl,
        key=KEY,
        now=NOW,
    )
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def test_round_trip() -> None:
    path, query = _link()
    assert path == "/charts/budget.png"
    request = verify(query, kind="budget", key=KEY, now=NOW + 599)
    assert request.kind is ChartKind.budget
    assert dict(request.params) == PARAMS
    assert request.rights == "money"
    assert request.expires_at == NOW + 600


def test_url_form() -> None:
    url = chart_url(
        BASE + "/", "health", {"year": "2025"}, rights="progress", ttl_seconds=60, key=KEY, now=NOW
    )
    assert url.startswith(f"{BASE}/charts/health.png?year=2025&r=progress&exp={NOW + 60}&sig=")
    assert len(url.rsplit("sig=", 1)[1]) == 64


def test_the_same_request_gives_the_same_url() -> None:
    reordered = dict(reversed(PARAMS.items()))
    assert _link(params=reordered) == _link()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", "2026"),  # a parameter
        ("r", "progress"),  # the rights
        ("exp", str(NOW + 10_000)),  # the expiry, pushed later
        ("sig", "0" * 64),  # the signature
        ("extra", "1"),  # an added parameter
    ],
)
def test_any_change_is_refused(field: str, value: str) -> None:
    _path, query = _link()
    query[field] = value
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=KEY, now=NOW)


def test_another_kind_is_refused() -> None:
    _path, query = _link(kind="health", rights="progress")
    with pytest.raises(BadSignature):
        verify(query, kind="progress", key=KEY, now=NOW)


def test_another_key_is_refused() -> None:
    _path, query = _link()
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=b"x" * 32, now=NOW)


def test_a_dropped_parameter_is_refused() -> None:
    _path, query = _link()
    del query["area"]
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=KEY, now=NOW)


@pytest.mark.parametrize("field", ["sig", "r", "exp"])
def test_missing_fields_are_refused(field: str) -> None:
    _path, query = _link()
    del query[field]
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=KEY, now=NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [("sig", "ZZ" * 32), ("sig", ""), ("exp", "-5"), ("exp", "1e9"), ("r", "all")],
)
def test_malformed_fields_are_refused(field: str, value: str) -> None:
    _path, query = _link()
    query[field] = value
    with pytest.raises(BadSignature):
        verify(query, kind="budget", key=KEY, now=NOW)


def test_expired() -> None:
    _path, query = _link(ttl=600)
    verify(query, kind="budget", key=KEY, now=NOW + 599)
    with pytest.raises(ExpiredSignature):
        verify(query, kind="budget", key=KEY, now=NOW + 600)
    assert issubclass(ExpiredSignature, BadSignature)


def test_a_repeated_parameter_is_refused() -> None:
    _path, query = _link()
    doubled = MultiDict(query)
    doubled.add("year", "2026")
    with pytest.raises(BadSignature):
        verify(doubled, kind="budget", key=KEY, now=NOW)


def test_chart_url_refuses_a_money_chart_for_progress_rights() -> None:
    for kind in ("budget", "impact"):
        with pytest.raises(ValueError, match="money"):
            _link(kind=kind, rights="progress")
    _link(kind="health", rights="progress")
    _link(kind="progress", rights="money")


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "secrets"},
        {"rights": "admin"},
        {"ttl": 0},
        {"params": {"sig": "mine"}},
        {"params": {"r": "money"}},
    ],
)
def test_chart_url_refuses_bad_input(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        _link(**bad)  # type: ignore[arg-type]


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        sign({}, kind="health", rights="money", expires_at=NOW, key=b"short")


def test_params_must_be_strings() -> None:
    with pytest.raises(TypeError):
        sign({"year": 2025}, kind="health", rights="money", expires_at=NOW, key=KEY)  # type: ignore[dict-item]
