"""The chart kinds, and which viewer rights each one needs: the one table.

A viewer's rights are ``"money"`` (managers, admins, owners for their own projects) or
``"progress"`` (everyone else, and every shared conversation); they are the same codes
as ``storage.rights.Rights.code``. A kind that draws money needs ``"money"``; the
handler refuses it to a ``"progress"`` link even when the signature is valid, and
:func:`charts.signing.chart_url` refuses to make such a link at all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Literal, TypeGuard

ChartRights = Literal["money", "progress"]
RIGHTS: Final[frozenset[str]] = frozenset({"money", "progress"})


class ChartKind(enum.StrEnum):
    """The ``{kind}`` in ``/charts/{kind}.png``."""

    health = "health"
    budget = "budget"
    progress = "progress"
    impact = "impact"


@dataclass(frozen=True, slots=True)
class KindRule:
    renderer: str  # the name of the function in charts.render that draws this kind
    needs_money: bool


KINDS: Final[dict[ChartKind, KindRule]] = {
    ChartKind.health: KindRule("health_distribution", needs_money=False),
    ChartKind.progress: KindRule("progress_over_time", needs_money=False),
    ChartKind.budget: KindRule("budget_vs_actual", needs_money=True),
    ChartKind.impact: KindRule("impact_cost_matrix", needs_money=True),  # costs are money
}


def is_rights(value: str) -> TypeGuard[ChartRights]:
    return value in RIGHTS


def parse_kind(value: str) -> ChartKind | None:
    try:
        return ChartKind(value)
    except ValueError:
        return None


def may_view(kind: ChartKind, rights: ChartRights) -> bool:
    """Money rights see every kind; progress rights see only the kinds that draw no money."""
    return rights == "money" or not KINDS[kind].needs_money
