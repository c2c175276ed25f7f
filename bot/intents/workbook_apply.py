"""The import report's Apply: the kept workbook, written in one transaction, or nothing.

Only the admin who sent the file (``admin_only``, and the kept file is looked up under
their own id), on the same file (its SHA-256 is on the button), and within the hour. The
file is checked again against the database as it is now: if anything it would change has
changed since the report, nothing is written and the admin is told to send it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.intents.registry import Intent, Request
from bot.intents.workbook_import import report_view
from cards.imports import VERB_WORKBOOK_APPLY, build_import_report_card
from cards.messages import build_notice_card
from storage import imports
from storage.db import write_unit
from storage.models import utcnow
from storage.workbook import Plan, PlanOutdated, WorkbookRefused, apply_plan, read_workbook

VALID_FOR = timedelta(hours=1)


async def act(request: Request) -> dict[str, Any]:
    turn, t, data = request.turn, request.t, request.data
    import_id, digest = data.get("import_id"), data.get("digest")
    gone = build_notice_card(
        t("That file is no longer waiting to be applied. Send it again."), t, warning=True
    )
    if isinstance(import_id, bool) or not isinstance(import_id, int) or turn.person.id is None:
        return gone
    person_id = turn.person.id

    async def apply(*, session: AsyncSession) -> tuple[Plan, str] | None:
        pending = await imports.waiting(
            import_id, person_id, since=utcnow() - VALID_FOR, session=session
        )
        if pending is None or pending.digest != digest:
            return None
        plan = await read_workbook(pending.data, language=t.language, session=session)
        if plan.errors:
            raise PlanOutdated("the file no longer checks")
        await apply_plan(plan, session=session, actor=person_id)
        await imports.forget(import_id, session=session)
        return plan, pending.file_name

    try:
        done = await write_unit(turn.services.sessions, apply)
    except (PlanOutdated, WorkbookRefused):
        return build_notice_card(
            t(
                "The portfolio changed since the file was checked, so nothing was applied. Send the file again."
            ),
            t,
            warning=True,
        )
    if done is None:
        return gone
    plan, name = done
    view = replace(report_view(plan, name, apply=None), applied=True)
    return build_import_report_card(view, t)


INTENT = Intent(
    name="workbook_apply",
    verbs=frozenset({VERB_WORKBOOK_APPLY}),
    admin_only=True,
    shows_money=True,
    act=act,
)
