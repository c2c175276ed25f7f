"""The rules of one project's report card: whose it is, which period, and who may change it.

A status card's verbs name a project and a period. ``load_report_card`` reads them with
what every rule needs, and ``ReportCard.refusal`` says why this person may not change the
report here, if they may not. The guard (``bot.intents.guard``) applies it to every intent
that declares ``report="edit"``; the save checks rights and the period again inside its
transaction.

Which periods a card can write to:
- none before the project's first roadmap year or the programme's start, nor after this
  month;
- a first report after its period closed is accepted and marked late;
- a report given in a closed period is frozen until an admin reopens the period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import OPEN_PERSONAL_CHAT, Refusal, is_shared, send_to_personal_chat
from bot.context import Turn
from bot.views import confirmation_view, current_period, form_view
from cards.messages import build_notice_card
from cards.status_cards import build_confirmation_card, build_status_card
from scheduler.calendar import parse_period, period_of, period_start
from scheduler.timetable import CycleSettings
from storage.cycle_store import cycle_settings, is_closed
from storage.models import utcnow
from storage.people import teams_ids
from storage.rights import Rights
from storage.status_reports import (
    ReportContext,
    UnknownProjectError,
    is_project_period,
    may_report,
    report_context,
)

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


def unknown_project_card(turn: Turn) -> dict[str, Any]:
    return build_notice_card(
        turn.t("This card refers to a project I do not know. Type status for a new card."),
        turn.t,
        warning=True,
    )


class ReportCard:
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
        return self.context.project.id

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

    def saved(self, context: ReportContext) -> ReportCard:
        """The same card after a save, with the report as stored."""
        return ReportCard(self.turn, self.verb, context, self.period, self.in_range)


async def load_report_card(turn: Turn, verb: str, data: Mapping[str, Any]) -> ReportCard | None:
    """The card's project and period, or None when the card names nothing we know."""
    try:
        project_id, period = _target(turn, data)
        async with turn.services.sessions() as session:
            context = await report_context(project_id, period, session=session)
            in_range = await is_project_period(project_id, period, session=session)
    except (_BadTarget, UnknownProjectError):
        return None
    return ReportCard(turn, verb, context, period, in_range)


@dataclass(frozen=True, slots=True)
class AfterClose:
    """What a closed period's card says instead of a due date."""

    next_period_opens: date  # the first day, today or later, a later period's cards go out
    open_period: date | None  # the start of a later period that is open for reports now


async def after_close(
    period: str, settings: CycleSettings, zone: ZoneInfo, *, session: AsyncSession
) -> AfterClose:
    """When reports open again after ``period``: its card may be read months later, when
    the month after it has long opened, and this month may be open, or closed too."""
    now = utcnow()
    today, current = now.astimezone(zone).date(), period_of(now, zone)
    open_period = None
    if (
        current > period
        and settings.opens(current) <= today
        and not await is_closed(current, session=session)
    ):
        open_period = period_start(current)
    return AfterClose(settings.next_opening(period, today), open_period)


async def form_card(card: ReportCard, **typed: Any) -> dict[str, Any]:
    """The status form for the card's project and period (with what was typed, if any)."""
    turn = card.turn
    async with turn.services.sessions() as session:
        settings = await cycle_settings(session=session)
        after = await after_close(
            card.period, settings, turn.services.settings.zone, session=session
        )
    view = form_view(
        card.context,
        card.period,
        turn.t,
        due=settings.due(card.period),
        next_period_opens=after.next_period_opens,
        open_period=after.open_period,
        **typed,
    )
    return build_status_card(view, turn.t)


async def confirmation_card(card: ReportCard, rights: Rights) -> dict[str, Any]:
    """The saved report as this reader may see it; an Edit button only where they may edit."""
    turn, context = card.turn, card.context
    editors = set(context.deputy_ids) | (
        {context.owner.id} if context.owner and context.owner.id else set()
    )
    async with turn.services.sessions() as session:
        editor_ids = await teams_ids(editors, session=session)
        after = None
        if context.period_closed:
            settings = await cycle_settings(session=session)
            zone = turn.services.settings.zone
            after = await after_close(card.period, settings, zone, session=session)
    view = confirmation_view(
        context,
        turn.t,
        rights=rights,
        editor_ids=editor_ids,
        can_edit=card.refusal() is None,
        next_period_opens=after.next_period_opens if after else None,
        open_period=after.open_period if after else None,
    )
    return build_confirmation_card(view, turn.t)


async def form_to_personal_chat(card: ReportCard, form: dict[str, Any]) -> str:
    """Send the form to the 1:1 chat; the note that says where it went."""
    t = card.turn.t
    if await send_to_personal_chat(card.turn, [form]):
        return t("I sent the form to our 1:1 chat.")
    return t(OPEN_PERSONAL_CHAT)
