"""``cycle`` (fi ``kierros``, sv ``omgång``): this period's cycle, for admins.

Who has answered, who has not, and each scheduled step with its time and whether it ran.
"""

from __future__ import annotations

from typing import Any

from bot.intents.registry import Help, Intent, Request
from cards.cycle_cards import build_cycle_status_card
from cards.views import CycleStatusView, MissingProject
from scheduler import timetable
from scheduler.calendar import period_of, period_start
from storage import cycle_store
from storage import digest as digests
from storage.models import utcnow
from translations import Translator
from translations.markers import N_

STEP_LABELS = {
    timetable.PROMPT: N_("Prompt"),
    timetable.ESCALATION: N_("Escalation"),
    timetable.CLOSE: N_("Period closes"),
    timetable.DIGEST: N_("Digest"),
}


def _step_label(kind: str, t: Translator) -> str:
    if timetable.is_reminder(kind):
        return t("Reminder {number}", number=kind.removeprefix(timetable.REMINDER_PREFIX))
    return t(STEP_LABELS.get(kind, kind))


async def overview_card(request: Request) -> dict[str, Any]:
    turn, t = request.turn, request.t
    zone = turn.services.settings.zone
    period = period_of(utcnow(), zone)
    async with turn.services.sessions() as session:
        config = await cycle_store.load_config(session=session)
        settings = cycle_store.settings_of(config)
        runs = {run.kind: run.trigger for run in await cycle_store.runs(period, session=session)}
        expected = len(await cycle_store.expected_projects(session=session))
        received = await cycle_store.report_count(period, session=session)
        missing = await digests.missing(period, session=session)

    def state(kind: str) -> str:
        if kind not in runs:
            return "pending"
        return "missed" if runs[kind] == "missed" else "done"

    view = CycleStatusView(
        period_start=period_start(period),
        due=settings.due(period),
        paused=config.paused,
        expected=expected,
        received=received,
        missing=[
            MissingProject(m.project.code, t.named(m.project), m.owner_name, "") for m in missing
        ],
        steps=[
            (_step_label(step.kind, t), t.datetime(step.moment(zone)), state(step.kind))
            for step in timetable.cycle_steps(period, settings)
        ],
    )
    return build_cycle_status_card(view, t)


async def reply(request: Request) -> None:
    await request.turn.send_card(await overview_card(request))


INTENT = Intent(
    name="cycle",
    words=frozenset({"cycle", "kierros", "omgång", "cykel"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {"fi": "kierros", "sv": "omgång", "en": "cycle"},
        N_("This period's cycle: who has answered and what is scheduled."),
    ),
)
