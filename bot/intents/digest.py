"""The managers' digest after a period closes: answers received, health, what changed,
who is late, and the year's budget (left out where the digest is posted in a channel or
group chat, which everyone there reads)."""

from __future__ import annotations

from typing import Any

from bot.intents.escalation import missing_views
from bot.intents.registry import Intent, Outgoing
from cards.cycle_cards import build_digest_card
from cards.views import DigestView, HealthChange
from scheduler import timetable
from scheduler.calendar import period_start
from storage import digest as digests


async def compose(out: Outgoing) -> dict[str, Any]:
    message, t = out.message, out.t
    data = await digests.digest(message.period, session=out.session)
    return build_digest_card(
        DigestView(
            period_start=period_start(message.period),
            expected=data.expected,
            received=data.received,
            health=data.health,
            changes=[
                HealthChange(
                    c.project.code,
                    t.named(c.project),
                    c.before_health,
                    c.after_health,
                    c.before_progress,
                    c.after_progress,
                )
                for c in data.changes
            ],
            late=missing_views(data.late, t),
            planned_cents=None if out.shared else data.planned_cents,
            actual_cents=None if out.shared else data.actual_cents,
        ),
        t,
    )


INTENT = Intent(
    name="digest", kinds=frozenset({timetable.DIGEST}), shows_money=True, compose=compose
)
