"""A status card's refresh (Universal Actions' ``refresh``, and a replayed action).

The view is for whoever looks, under their rights (``report="view"``): the form only for
whoever may edit it here, the saved report (money only where their rights allow) for
everyone else.
"""

from __future__ import annotations

from typing import Any

from bot.intents.registry import Intent, Request
from bot.reports import confirmation_card, form_card
from cards.common import VERB_STATUS_REFRESH
from cards.messages import build_notice_card
from scheduler.calendar import period_start


async def act(request: Request) -> dict[str, Any]:
    card, t = request.report, request.t
    assert card is not None  # noqa: S101 (report intents are given one)
    if card.context.current is not None:
        return await confirmation_card(card, request.rights)
    if card.refusal() is None:
        return await form_card(card)
    month = t.month(period_start(card.period))
    return build_notice_card(t("No status has been reported for {month} yet.", month=month), t)


INTENT = Intent(
    name="report_refresh",
    verbs=frozenset({VERB_STATUS_REFRESH}),
    shows_money=True,
    report="view",
    act=act,
)
