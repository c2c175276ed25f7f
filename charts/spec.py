"""What the chart handler asks for: a :class:`ChartSpec` from a :class:`ChartDataSource`.

The data source (database queries, in the bot) turns a verified link's kind, params and
rights into one render function of :mod:`charts.render` with its arguments, labels
already translated. The handler checks the function against the kind's rule in
:data:`charts.kinds.KINDS`, renders through the cache and serves the PNG.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, ParamSpec, Protocol

from charts.kinds import KINDS, ChartKind, ChartRights

P = ParamSpec("P")
RENDERERS = frozenset(rule.renderer for rule in KINDS.values())
# Part of every fingerprint: raise it when charts.render draws differently, so that images
# cached on disk and in browsers (the ETag) are drawn anew.
DRAWING: Final = 2


class ChartNotFound(Exception):
    """The link is valid but names nothing to draw (a project since deleted, a year with no roadmap)."""


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """One call of a :mod:`charts.render` function, and the language of its labels.

    Build it with :meth:`of`, which type-checks the arguments against the function::

        ChartSpec.of(t.language, render.budget_vs_actual, rows, title, t.money,
                     series_labels=(t.context("budget", "Planned"), t("Actual"), t("Forecast")))
    """

    render: Callable[..., bytes]
    args: tuple[object, ...]
    kwargs: Mapping[str, object]
    language: str

    @classmethod
    def of(
        cls, language: str, render: Callable[P, bytes], /, *args: P.args, **kwargs: P.kwargs
    ) -> ChartSpec:
        if getattr(render, "__module__", None) != "charts.render" or (
            getattr(render, "__name__", None) not in RENDERERS
        ):
            raise TypeError(f"{render!r} is not one of the charts.render functions")
        return cls(render, tuple(args), MappingProxyType(dict(kwargs)), language)

    @property
    def renderer(self) -> str:
        """The render function's name, as in ``KINDS``."""
        return str(getattr(self.render, "__name__", ""))

    def draw(self) -> bytes:
        """Render the PNG (blocking: the cache calls this in a worker thread)."""
        return self.render(*self.args, **self.kwargs)

    def fingerprint(self) -> str:
        """SHA-256 of everything drawn: how, the function, the language and the data.

        Formatters (``t.money``, ``t.percent``) are callables and are left out: they must
        depend only on the language, as the translator's do.
        """
        data = [DRAWING, self.renderer, self.language, self.args, sorted(self.kwargs.items())]
        text = json.dumps(data, default=_plain, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChartDataSource(Protocol):
    """Implemented by the bot with database queries."""

    async def chart_data(
        self, kind: ChartKind, params: Mapping[str, str], rights: ChartRights
    ) -> ChartSpec:
        """The chart for a verified link; raise :class:`ChartNotFound` if there is nothing to draw.

        ``params`` are the link's own parameters (without ``r``, ``exp`` and ``sig``);
        ``rights`` is ``"money"`` or ``"progress"``. Read money only when it is ``"money"``.
        """
        ...


def _plain(value: object) -> object:
    """JSON for the values render arguments hold besides str, int, float, list and dict."""
    if callable(value):
        return "<callable>"
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(map(repr, value))
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")
