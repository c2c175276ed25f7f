"""The monthly status card and its reminders, sent from the outbox to the owner's 1:1 chat.

Built when sent, not when queued: a project answered in the meantime is skipped, and a
deputy sees whom they stand in for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.intents.registry import Intent, Outgoing
from bot.reports import after_close
from bot.views import form_view
from cards.status_cards import build_status_card
from scheduler import timetable
from scheduler.dispatcher import SkipMessage
from storage.status_reports import report_context


async def compose(out: Outgoing) -> dict[str, Any]:
    message, t = out.message, out.t
    if message.project_id is None:
        raise SkipMessage("no project")
    if out.shared:
        raise SkipMessage("status forms go only to a 1:1 chat")
    context = await report_context(message.project_id, message.period, session=out.session)
    if context.current is not None:
        raise SkipMessage("answered already")
    settings = await out.cycle_settings()
    after = await after_close(message.period, settings, t.zone, session=out.session)
    view = form_view(
        context,
        message.period,
        t,
        due=settings.due(message.period),
        next_period_opens=after.next_period_opens,
        open_period=after.open_period,
    )
    banner = None
    if timetable.is_reminder(message.kind):
        banner = t("Reminder: your status report is still missing.")
    if message.payload.get("as_deputy") and context.owner:
        banner = t("You are deputising for {owner}, who is away.", owner=context.owner.name)
    return build_status_card(replace(view, banner=banner), t)


INTENT = Intent(
    name="status_prompt",
    kinds=frozenset({timetable.PROMPT + "*", timetable.REMINDER_PREFIX + "*"}),
    personal_only=True,
    shows_money=True,
    compose=compose,
)
