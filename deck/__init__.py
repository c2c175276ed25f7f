"""The city board's deck, made from the data: python-pptx slides with native charts.

``build_deck`` is what the CLI (``python -m deck``, later ``roadmap deck``) and the Teams
intent call. It reads everything through ``storage.deck`` in the session it is given and
runs no SQL itself. The deck is for managers and admins: a caller that serves anyone else
refuses first (the Teams intent does); ``shows_money=False`` leaves every money figure and
the budget slides out, for a caller that wants a progress-only deck.
"""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from deck import template as templates
from deck.sections import Sections, day_label
from deck.shapes import Builder
from storage.deck import DeckData, deck_data
from translations import LANGUAGES, Translator

__all__ = ["DeckData", "build_deck", "render"]


async def build_deck(
    *,
    session: AsyncSession,
    year: int,
    language: str,
    as_of: str | None,
    template: Path | None,
    shows_money: bool,
    zone: ZoneInfo,
    city: str = "",
    board_date: date | None = None,
    now: datetime | None = None,
) -> bytes:
    """The deck asking approval for roadmap ``year`` (following up ``year - 1``), as pptx bytes.

    ``as_of`` is a month (``YYYY-MM``): the portfolio as it stood at its end. Raises
    ``storage.deck.NoProgrammeError`` / ``NoRoadmapError`` when there is nothing to show,
    ``deck.template.TemplateError`` for a template that can't be used, and ValueError for
    a language that is not fi, sv or en.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    data = await deck_data(
        session=session,
        year=year,
        as_of=as_of,
        shows_money=shows_money,
        zone=zone,
        now=now or datetime.now(UTC),
    )
    # laying out and writing take a second or two of CPU: off the event loop, so that a
    # bot serving the deck keeps answering meanwhile
    return await asyncio.to_thread(
        partial(
            render,
            data,
            Translator(language, zone),
            template=template,
            city=city,
            board_date=board_date,
        )
    )


def render(
    data: DeckData,
    t: Translator,
    *,
    template: Path | None,
    city: str = "",
    board_date: date | None = None,
) -> bytes:
    """The deck of ``data`` in ``t``'s language: no database, pure layout."""
    chosen = templates.load(template)
    meeting = (
        board_date
        or (data.proposal.approved_on if data.proposal and data.proposal.approved_on else None)
        or data.as_of_day
    )
    builder = Builder(chosen, footer="")
    sections = Sections(builder, data, t)
    builder.footer = " · ".join(
        part
        for part in (
            t("City board, {date}", date=day_label(meeting, t)),
            sections.as_of_text(),
        )
        if part
    )
    sections.title(city, meeting)
    sections.agenda()
    sections.background()
    sections.indicators()
    sections.follow_up_overview()
    sections.follow_up_projects()
    sections.late_or_at_risk()
    sections.totals_by_state()
    sections.completed()
    if data.shows_money:
        sections.budget(data.year - 1, data.follow_up_budget)
        sections.budget(data.year, data.proposal_budget)
    sections.proposal_projects()
    sections.proposal_analysis()
    if data.shows_money:
        sections.matrix()
    total = (
        sum(line.planned_cents for line in data.proposal_budget)
        if data.shows_money and data.proposal_budget
        else None
    )
    sections.decision(total)
    sections.appendix()
    buffer = io.BytesIO()
    chosen.presentation.save(buffer)
    return buffer.getvalue()
