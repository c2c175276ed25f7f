"""The escalation: the responsible directors (and a copy to the admins) are told which of
their projects have not reported, once the due date has passed."""

from __future__ import annotations

from typing import Any

from bot.intents.registry import Intent, Outgoing
from cards.cycle_cards import build_escalation_card
from cards.views import EscalationView, MissingProject
from scheduler import timetable
from scheduler.calendar import period_start
from scheduler.dispatcher import SkipMessage
from storage import digest as digests
from translations import Translator


def missing_views(rows: list[digests.Missing], t: Translator) -> list[MissingProject]:
    return [
        MissingProject(
            code=row.project.code,
            name=t.named(row.project),
            owner=row.owner_name,
            director=t.pick(row.director.title_fi, row.director.title_sv, row.director.title_en)
            if row.director
            else "",
        )
        for row in rows
    ]


async def compose(out: Outgoing) -> dict[str, Any]:
    message = out.message
    ids = [int(i) for i in message.payload.get("project_ids", [])]
    rows = await digests.missing(message.period, session=out.session, project_ids=ids)
    if not rows:
        raise SkipMessage("everyone has answered since")
    settings = await out.cycle_settings()
    return build_escalation_card(
        EscalationView(
            period_start=period_start(message.period),
            due=settings.due(message.period),
            projects=missing_views(rows, out.t),
            copy=bool(message.payload.get("copy")),
        ),
        out.t,
    )


INTENT = Intent(name="escalation", kinds=frozenset({timetable.ESCALATION}), compose=compose)
