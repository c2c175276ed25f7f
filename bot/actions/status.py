"""Card verbs of the status card: submit, edit and refresh.

Every verb builds its card under the same rights as the query layer (``bot.access``):
who the person is, and whether the conversation is their 1:1 chat or shared. The form
opens, and a report is saved, only for the project's owner, their deputy or an admin,
and only in the 1:1 chat; in a shared conversation the form goes to the 1:1 chat. A
refused verb gets a card that says why, and an audit entry. Rights and the period are
checked again inside the saving transaction.

Which periods a card can write to:
- none before the project's first roadmap year or the programme's start, nor after this
  month;
- a first report after its period closed is accepted and marked late;
- a report given in a closed period is frozen until an admin reopens the period.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import (
    OPEN_PERSONAL_CHAT,
    Refusal,
    audit_refusal,
    is_shared,
    refuse,
    send_to_personal_chat,
    turn_rights,
)
from bot.context import SAVE_KEY, SaveState, Turn
from bot.views import confirmation_view, current_period, form_view
from cards.common import VERB_STATUS_EDIT, VERB_STATUS_REFRESH, VERB_STATUS_SUBMIT
from cards.messages import build_notice_card
from cards.status import build_confirmation_card, build_status_card
from scheduler.calendar import parse_period, period_start
from storage.cycle import load_config, settings_of
from storage.db import write_unit
from storage.inputs import parse_status_form
from storage.people import teams_ids
from storage.status import (
    NoProjectPeriodError,
    NotAllowedError,
    PeriodFrozenError,
    ReportContext,
    UnknownProjectError,
    is_project_period,
    may_report,
    report_context,
    save_report,
    saved_by_activity,
)
from translations import Translator

log = logging.getLogger(__name__)
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ID = re.compile(r"^[0-9]{1,18}$")  # ASCII digits only: "²".isdigit() is true


class _BadTarget(Exception):
    pass


def _target(turn: Turn, data: Mapping[str, Any]) -> tuple[int, str]:
    project_id, period = data.get("project_id"), data.get("period")
    if isinstance(project_id, str) and _ID.match(project_id):
        project_id = int(project_id)
    if isinstance(project_id, bool) or not isinstance(project_id, int) or project_id <= 0:
        raise _BadTarget
    if not isinstance(period, str) or not _PERIOD.match(period) or period > current_period(turn):
        raise _BadTarget
    try:
        parse_period(period)  # the calendar's own rule, or every date on the card would fail
    except ValueError as error:
        raise _BadTarget from error
    return project_id, period


def _unknown(turn: Turn) -> dict[str, Any]:
    return build_notice_card(
        turn.t("This card refers to a project I do not know. Type status for a new card."),
        turn.t,
        warning=True,
    )


class _Card:
    """One verb's project and period, loaded with what every rule needs."""

    def __init__(
        self, turn: Turn, verb: str, context: ReportContext, period: str, in_range: bool
    ) -> None:
        self.turn, self.verb, self.context, self.period = turn, verb, context, period
        self.in_range = in_range
        self.editor = may_report(turn.person, context.project, context.owner)
        self.frozen = context.period_closed and context.current is not None

    @property
    def project_id(self) -> int:
        return self.context.project.id or 0

    def refusal(self) -> Refusal | None:
        """Why this person may not change this report here, or None when they may."""
        if not self.editor:
            return Refusal.not_editor
        if not self.in_range:
            return Refusal.no_project_period
        if self.frozen:
            return Refusal.period_frozen
        if is_shared(self.turn):
            return Refusal.shared_conversation
        return None


async def _load(turn: Turn, verb: str, data: Mapping[str, Any]) -> _Card | None:
    """The card's project and period, or None when the card names nothing we know."""
    try:
        project_id, period = _target(turn, data)
        async with turn.services.sessions() as session:
            context = await report_context(project_id, period, session=session)
            in_range = await is_project_period(project_id, period, session=session)
    except (_BadTarget, UnknownProjectError):
        return None
    return _Card(turn, verb, context, period, in_range)


async def _form(card: _Card, **typed: Any) -> dict[str, Any]:
    turn = card.turn
    async with turn.services.sessions() as session:
        settings = settings_of(await load_config(session=session))
    view = form_view(card.context, card.period, turn.t, due=settings.due(card.period), **typed)
    return build_status_card(view, turn.t)


async def _confirmation(card: _Card) -> dict[str, Any]:
    """The saved report as this reader may see it; an Edit button only where they may edit."""
    turn, context = card.turn, card.context
    editors = set(context.deputy_ids) | (
        {context.owner.id} if context.owner and context.owner.id else set()
    )
    async with turn.services.sessions() as session:
        editor_ids = await teams_ids(editors, session=session)
    view = confirmation_view(
        context,
        turn.t,
        rights=await turn_rights(turn),
        editor_ids=editor_ids,
        can_edit=card.refusal() is None,
    )
    return build_confirmation_card(view, turn.t)


async def _to_personal_chat(card: _Card, form: dict[str, Any], t: Translator) -> str:
    """Send the form to the 1:1 chat; the note that says where it went."""
    if await send_to_personal_chat(card.turn, [form]):
        return t("I sent the form to our 1:1 chat.")
    return t(OPEN_PERSONAL_CHAT)


async def submit(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    card = await _load(turn, VERB_STATUS_SUBMIT, data)
    if card is None:
        return _unknown(turn)
    context, period = card.context, card.period
    metric_ids = {metric.id for metric in context.metrics if metric.id is not None}
    form = parse_status_form(dict(data), metric_ids=metric_ids, babel_locale=turn.t.babel_locale)
    reason = card.refusal()
    if reason is Refusal.shared_conversation:  # keep what they typed: the form goes to 1:1
        note = await _to_personal_chat(card, await _form(card, typed=form.typed), turn.t)
        return await refuse(turn, card.verb, card.project_id, reason, note=note)
    if reason is Refusal.period_frozen:
        await audit_refusal(turn, card.verb, card.project_id, reason)
        return await _confirmation(card)
    if reason is not None:
        return await refuse(turn, card.verb, card.project_id, reason)
    if form.errors or form.parsed is None:
        return await _form(card, typed=form.typed, errors=form.errors)
    values, activity_id, project_id = form.parsed, turn.activity.id, card.project_id

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
    return await _confirmation(_Card(turn, card.verb, saved, period, card.in_range))


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


async def edit(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    card = await _load(turn, VERB_STATUS_EDIT, data)
    if card is None:
        return _unknown(turn)
    reason = card.refusal()
    if reason is Refusal.shared_conversation:
        note = await _to_personal_chat(card, await _form(card), turn.t)
        return await refuse(turn, card.verb, card.project_id, reason, note=note)
    if reason is Refusal.period_frozen:  # the frozen report, which says why
        await audit_refusal(turn, card.verb, card.project_id, reason)
        return await _confirmation(card)
    if reason is not None:
        return await refuse(turn, card.verb, card.project_id, reason)
    return await _form(card)


async def refresh(turn: Turn, data: Mapping[str, Any]) -> dict[str, Any]:
    """The view for whoever looks, under their rights: the form only for whoever may edit it
    here, the saved report (money only where their rights allow) for everyone else."""
    card = await _load(turn, VERB_STATUS_REFRESH, data)
    if card is None:
        return _unknown(turn)
    if card.context.current is not None:
        return await _confirmation(card)
    if card.refusal() is None:
        return await _form(card)
    month = turn.t.month(period_start(card.period))
    return build_notice_card(
        turn.t("No status has been reported for {month} yet.", month=month), turn.t
    )
