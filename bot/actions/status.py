"""Card verbs of the status card: submit, edit and refresh.

Rights are checked here on every action against the database, whatever the card
showed, and again inside the saving transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import SAVE_KEY, SaveState, Turn
from bot.views import confirmation_view, current_period, form_view
from cards.messages import build_notice_card
from cards.status import build_confirmation_card, build_status_card
from storage.db import write_unit
from storage.inputs import FORM_ERROR, parse_status_form
from storage.people import teams_ids
from storage.status import (
    NotAllowedError,
    ReportContext,
    UnknownProjectError,
    may_report,
    report_context,
    save_report,
    saved_by_activity,
)
from translations.markers import N_

log = logging.getLogger(__name__)
NOT_ALLOWED = N_(
    "Only the project's owner, their deputy or an admin can report on this project. Nothing was saved."
)
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _BadTarget(Exception):
    pass


def _target(turn: Turn, data: Mapping[str, Any]) -> tuple[int, str]:
    project_id, period = data.get("project_id"), data.get("period")
    if isinstance(project_id, str) and project_id.isdigit():
        project_id = int(project_id)
    if isinstance(project_id, bool) or not isinstance(project_id, int) or project_id <= 0:
        raise _BadTarget
    if not isinstance(period, str) or not _PERIOD.match(period) or period > current_period(turn):
        raise _BadTarget
    return project_id, period


def _unknown(turn: Turn) -> dict[str, Any]:
    return build_notice_card(
        turn.t("This card refers to a project I do not know. Type status for a new card."),
        turn.t,
        warning=True,
    )


async def _confirmation(turn: Turn, context: ReportContext) -> dict[str, Any]:
    allowed = may_report(turn.person, context.project, context.owner)
    editors = {d for d in context.deputy_ids} | (
        {context.owner.id} if context.owner and context.owner.id else set()
    )
    async with turn.services.sessions() as session:
        editor_ids = await teams_ids(editors, session=session)
    view = confirmation_view(context, turn.t, editor_ids=editor_ids, can_edit=allowed)
    return build_confirmation_card(view, turn.t)


async def _load(project_id: int, period: str, turn: Turn) -> ReportContext:
    async with turn.services.sessions() as session:
        return await report_context(project_id, period, session=session)


async def submit(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        project_id, period = _target(turn, data)
        context = await _load(project_id, period, turn)
    except (_BadTarget, UnknownProjectError):
        return _unknown(turn)
    metric_ids = {metric.id for metric in context.metrics if metric.id is not None}
    form = parse_status_form(dict(data), metric_ids=metric_ids, babel_locale=turn.t.babel_locale)
    if not may_report(turn.person, context.project, context.owner):
        form.errors[FORM_ERROR] = NOT_ALLOWED
    if form.errors or form.parsed is None:
        view = form_view(context, period, turn.t, typed=form.typed, errors=form.errors)
        return build_status_card(view, turn.t)
    values, activity_id = form.parsed, turn.activity.id

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
        form.errors[FORM_ERROR] = NOT_ALLOWED
        view = form_view(context, period, turn.t, typed=form.typed, errors=form.errors)
        return build_status_card(view, turn.t)
    except UnknownProjectError:
        return _unknown(turn)
    except DBAPIError:
        # The commit may have gone through before the error reached us: ask the database
        # before the reply says that nothing was saved.
        turn.context.turn_state[SAVE_KEY] = SaveState.uncertain
        found = await _saved_by(activity_id, project_id, period, turn)
        if found is None:
            del turn.context.turn_state[SAVE_KEY]
            raise
        saved = found
    turn.context.turn_state[SAVE_KEY] = SaveState.saved
    log.info("status saved for project %s period %s", project_id, period)
    return await _confirmation(turn, saved)


async def _saved_by(
    activity_id: str | None, project_id: int, period: str, turn: Turn
) -> ReportContext | None:
    """The report, if this activity's save is in the database."""
    if activity_id is None:
        return None
    async with turn.services.sessions() as session:
        if await saved_by_activity(activity_id, session=session) is None:
            return None
        return await report_context(project_id, period, session=session)


async def _context(turn: Turn, data: Mapping[str, Any]) -> tuple[ReportContext, str] | None:
    """The card's project and period, or None when the card names nothing we know."""
    try:
        project_id, period = _target(turn, data)
        return await _load(project_id, period, turn), period
    except (_BadTarget, UnknownProjectError):
        return None


async def edit(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    found = await _context(turn, data)
    if found is None:
        return _unknown(turn)
    context, period = found
    if context.current is None:
        return build_status_card(form_view(context, period, turn.t), turn.t)
    if not may_report(turn.person, context.project, context.owner):
        return await _confirmation(turn, context)
    return build_status_card(form_view(context, period, turn.t), turn.t)


async def refresh(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    """The view for whoever looks: an Edit button for editors, read-only for everyone else."""
    found = await _context(turn, data)
    if found is None:
        return _unknown(turn)
    context, period = found
    if context.current is None:
        if may_report(turn.person, context.project, context.owner):
            return build_status_card(form_view(context, period, turn.t), turn.t)
        return _unknown(turn)
    return await _confirmation(turn, context)
