"""The status card's Submit: save the owner's monthly report.

The guard has loaded the card's project and period and applied the report's rules
(``report="edit"``): only the owner, their deputy or an admin, in the 1:1 chat, for a
period the project has and that is not frozen. Rights and the period are checked again
inside the saving transaction. A rejected form comes back with what was typed.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import Refusal, refusal_card, refuse
from bot.context import SAVE_KEY, SaveState
from bot.forms import StatusForm, parse_status_form
from bot.intents.registry import Intent, Request
from bot.reports import (
    ReportCard,
    confirmation_card,
    form_card,
    form_to_personal_chat,
    unknown_project_card,
)
from cards.common import VERB_STATUS_SUBMIT
from storage.db import write_unit
from storage.status_reports import (
    NoProjectPeriodError,
    NotAllowedError,
    PeriodFrozenError,
    ReportContext,
    UnknownProjectError,
    report_context,
    save_report,
    saved_by_activity,
)

log = logging.getLogger(__name__)


def _parsed(request: Request, card: ReportCard) -> StatusForm:
    metrics = {metric.id for metric in card.context.metrics}
    return parse_status_form(
        dict(request.data), metric_ids=metrics, babel_locale=request.t.babel_locale
    )


async def refused(request: Request, reason: Refusal) -> dict[str, Any]:
    """In a shared conversation, what they typed goes on to the 1:1 chat; a frozen report
    is shown as it stands, which says why."""
    card = request.report
    assert card is not None  # noqa: S101 (report intents are given one)
    if reason is Refusal.shared_conversation:
        form = await form_card(card, typed=_parsed(request, card).typed)
        return refusal_card(request.turn, reason, note=await form_to_personal_chat(card, form))
    return await confirmation_card(card, request.rights)


async def act(request: Request) -> dict[str, Any]:
    card, turn = request.report, request.turn
    assert card is not None  # noqa: S101 (report intents are given one)
    form = _parsed(request, card)
    if form.errors or form.parsed is None:
        return await form_card(card, typed=form.typed, errors=form.errors)
    values, activity_id, project_id, period = (
        form.parsed,
        turn.activity.id,
        card.project_id,
        card.period,
    )

    async def save(*, session: AsyncSession) -> ReportContext:
        # the confirmation is read in the same unit: it shows this save, not a later one
        await save_report(
            person=turn.person,
            project_id=project_id,
            period=period,
            values=values,
            activity_id=activity_id,
            session=session,
        )
        return await report_context(project_id, period, session=session)

    try:
        saved = await write_unit(turn.services.sessions, save)
    except NotAllowedError:
        return await refuse(turn, card.verb, project_id, Refusal.not_editor)
    except NoProjectPeriodError:
        return await refuse(turn, card.verb, project_id, Refusal.no_project_period)
    except PeriodFrozenError:  # closed while the form was open
        return await refuse(turn, card.verb, project_id, Refusal.period_frozen)
    except UnknownProjectError:
        return unknown_project_card(turn)
    except DBAPIError:
        # The commit may have gone through before the error reached us: ask the database
        # before the reply says that nothing was saved.
        turn.context.turn_state[SAVE_KEY] = SaveState.uncertain
        found = await _saved_by(request, activity_id, project_id, period)
        if found is None:
            del turn.context.turn_state[SAVE_KEY]
            raise
        saved = found
    turn.context.turn_state[SAVE_KEY] = SaveState.saved
    log.info("status saved for project %s period %s", project_id, period)
    return await confirmation_card(card.saved(saved), request.rights)


async def _saved_by(
    request: Request, activity_id: str | None, project_id: int, period: str
) -> ReportContext | None:
    """The report, if this activity's save is in the database."""
    if activity_id is None:
        return None
    async with request.turn.services.sessions() as session:
        if await saved_by_activity(activity_id, session=session) is None:
            return None
        return await report_context(project_id, period, session=session)


INTENT = Intent(
    name="report_submit",
    verbs=frozenset({VERB_STATUS_SUBMIT}),
    shows_money=True,
    report="edit",
    act=act,
    refused=refused,
)
