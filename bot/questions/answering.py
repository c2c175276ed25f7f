"""Answering a managers' question: the listener middleware of the question intents.

``answer`` reads the person's ``Rights`` in the session it answers in (channels and group
chats get progress-only rights), and gives the question's intent an ``Ask``: the
question, the rights, the page, today and this period, and the session. The intent's
``load`` (one module a question, in ``bot/intents/``) reads through ``storage.portfolio``
under those rights and returns an ``AnswerView``; charts are links signed for the same
rights. What several answers share (a project's row, a list with pages) is here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access import is_shared
from bot.context import Turn
from bot.questions.vocabulary import Question
from cards import labels
from cards.answers import MAX_ROWS_PER_PAGE
from cards.views import AnswerRow, AnswerSection, AnswerView, ChartImage
from charts.signing import chart_url
from scheduler.calendar import period_of, period_start
from storage import portfolio
from storage.history import standing_as_of
from storage.models import Project, Role, utcnow
from storage.portfolio import ProjectRow
from storage.rights import Rights, rights_for
from translations import Translator


@dataclass(frozen=True, slots=True)
class Ask:
    """One question being answered: who asks, with what rights, and which page."""

    turn: Turn
    session: AsyncSession
    question: Question
    rights: Rights
    page: int
    today: date
    period: str

    @property
    def t(self) -> Translator:
        return self.turn.t

    @property
    def shared(self) -> bool:
        """A channel or group chat: answered with progress-only rights, whoever asks."""
        return is_shared(self.turn)

    def no_money(self, title: str, *, owners: bool = False) -> AnswerView:
        """The answer to a money question this reader may not have here: why, and where.

        A manager or an admin (or, with ``owners``, an owner, for their own projects) who
        asks in a channel or group chat could have the answer in our 1:1 chat: they are
        told that budgets are not shown where everyone present reads them, and offered
        that chat. Anyone else is told who sees budgets.
        """
        t = self.t
        roles = {Role.admin, Role.manager} | ({Role.owner} if owners else set())
        if self.shared and self.turn.person.role in roles:
            link = personal_chat_link(self.turn)
            return AnswerView(
                title=title,
                note=t(
                    "Budgets and costs are not shown in shared conversations, where everyone "
                    "present would read them. Ask me in our 1:1 chat."
                ),
                links=[(t("Open our 1:1 chat"), link)] if link else [],
            )
        return AnswerView(
            title=title,
            note=t(
                "Budgets and costs are shown to managers and admins, and to owners for their own projects."
            ),
        )

    def chart(self, kind: str, params: dict[str, str], alt: str) -> ChartImage:
        settings = self.turn.services.settings
        url = chart_url(
            settings.base_url,
            kind,
            {**params, "lang": self.t.language},
            rights=self.rights.code,
            ttl_seconds=settings.chart_ttl_seconds,
            key=settings.chart_signing_key,
            now=int(time.time()),
        )
        return ChartImage(url=url, alt=alt)

    def more(self, total: int) -> dict[str, object] | None:
        if (self.page + 1) * MAX_ROWS_PER_PAGE >= total:
            return None
        return question_data(self.question, page=self.page + 1)

    def back(self) -> dict[str, object] | None:
        """The previous page's card data, on any page but the first."""
        return question_data(self.question, page=self.page - 1) if self.page > 0 else None

    def page_of(self, rows: list[Any]) -> list[Any]:
        start = self.page * MAX_ROWS_PER_PAGE
        return rows[start : start + MAX_ROWS_PER_PAGE]

    def page_label(self, total: int) -> str:
        if total <= MAX_ROWS_PER_PAGE:
            return ""
        first = self.page * MAX_ROWS_PER_PAGE + 1
        last = min(total, first + MAX_ROWS_PER_PAGE - 1)
        return self.t("Showing {first}–{last} of {total}.", first=first, last=last, total=total)


def question_data(question: Question, *, page: int = 0) -> dict[str, object]:
    """A question as a card button's data: answered again, in place, by ``answer_page``."""
    return {
        "intent": question.intent,
        "year": question.year,
        "area": question.area,
        "name": question.name,
        "dimension": question.dimension,
        "value": question.value,
        "as_of": question.as_of,
        "page": page,
    }


def personal_chat_link(turn: Turn) -> str | None:
    """A Teams deep link to the reader's 1:1 chat with the bot (``28:`` and the bot's app
    id, as the activity names the bot), or None where the activity does not name it so."""
    bot = turn.activity.recipient.id if turn.activity.recipient else None
    if not bot or not bot.startswith("28:"):
        return None
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote(bot, safe=':')}"


def project_text(t: Translator, project: Project, kind: Literal["description", "impact"]) -> str:
    """A project's description or impact text in the reader's language, or another
    language's marked as such (``Translator.text``)."""
    if kind == "description":
        return t.text(project.description_fi, project.description_sv, project.description_en)
    return t.text(project.impact_fi, project.impact_sv, project.impact_en)


def name_of(t: Translator, project: Project) -> str:
    return t.named(project)


def health_label(t: Translator, health: object) -> str:
    return t(labels.HEALTH[str(health)]) if str(health) in labels.HEALTH else "–"


def signed(t: Translator, value: int | Decimal, shown: str) -> str:
    """``shown`` (the absolute value as formatted) with the locale's plus or minus sign,
    so that a change never reads as a bare number: "+4", "−3", and 0 unsigned."""
    if value > 0:
        return t.plus_sign + shown
    if value < 0:
        return t.minus_sign + shown
    return shown


def variance_text(t: Translator, planned_cents: int, spend_cents: int) -> str:
    """ "120 000 € over plan (15 %)", or under it: the variance in euros and percent."""
    difference = spend_cents - planned_cents
    share = t.percent(round(100 * abs(difference) / planned_cents)) if planned_cents else "–"
    if difference > 0:
        return t("{amount} over plan ({percent})", amount=t.money(difference), percent=share)
    return t("{amount} under plan ({percent})", amount=t.money(-difference), percent=share)


def project_row(t: Translator, row: ProjectRow, *, money: bool = False) -> AnswerRow:
    p = row.project
    detail = f"{t(labels.STATE[str(p.state)])} · {row.owner}"
    value = (
        f"{health_label(t, p.health)} · {t.percent(p.progress)}"
        if p.health
        else t.percent(p.progress)
    )
    if money and row.planned_cents is not None:
        value += "\n" + t(
            "{actual} of {planned}",
            actual=t.money(row.actual_cents),
            planned=t.money(row.planned_cents),
        )
    return AnswerRow(
        f"{p.code} · {name_of(t, p)}",
        detail,
        value,
        labels.HEALTH_COLOURS.get(str(p.health), "Default"),
        project_id=p.id,
    )


MAX_RISK_TEXT = 200  # characters of an owner's risks on a list row


async def owners_risks(ask: Ask, rows: list[ProjectRow]) -> dict[int, str]:
    """Each project's risks and help needed, as its owner last wrote them (a report up to
    this month), shortened for a list row, under the reader's rights; absent when empty."""
    ids = [r.project.id for r in rows if r.project.id is not None]
    standings = await standing_as_of(
        ask.period, session=ask.session, zone=ask.turn.services.settings.zone, project_ids=ids
    )
    found: dict[int, str] = {}
    for row in rows:
        standing = standings.get(row.project.id or 0)
        text = " ".join(standing.risks.split()) if standing is not None else ""
        if text:
            text = ask.rights.text(row.project, text)
            if len(text) > MAX_RISK_TEXT:
                text = text[: MAX_RISK_TEXT - 1].rstrip() + "…"
            found[row.project.id or 0] = ask.t(
                "Risks and help needed ({month}): {text}",
                month=ask.t.month(period_start(standing.period)) if standing else "",
                text=text,
            )
    return found


def list_view(
    ask: Ask,
    title: str,
    rows: list[ProjectRow],
    *,
    empty: str,
    money: bool = False,
    facts: list[tuple[str, str]] | None = None,
    chart: ChartImage | None = None,
    heading: str = "",
    row: Callable[[ProjectRow], AnswerRow] | None = None,
) -> AnswerView:
    t = ask.t
    build = row or (lambda r: project_row(t, r, money=money))
    return AnswerView(
        title=title,
        facts=facts or [(t("Projects"), str(len(rows)))],
        chart=chart,
        sections=[
            AnswerSection(
                heading or t("Projects"),
                [build(r) for r in ask.page_of(rows)],
            )
        ]
        if rows
        else [],
        note="" if rows else empty,
        more=ask.more(len(rows)),
        back=ask.back(),
        page_label=ask.page_label(len(rows)),
    )


Load = Callable[[Ask], Awaitable[AnswerView]]

MAX_LONE_WORDS = 4  # "tori", "Kartalla", "Porvoo app": a name alone, not a sentence


async def lone_thing(turn: Turn, text: str) -> Question | None:
    """The question about the thing a few words name when they ask nothing: a budget area
    ("tori": its budget) or a project ("Kartalla": its card). None when they name neither,
    or several projects alike."""
    name = " ".join(text.split())
    if not name or len(name.split()) > MAX_LONE_WORDS or len(name) > 80:
        return None
    async with turn.services.sessions() as session:
        areas = await portfolio.budget_areas(None, session=session)
        folded = name.casefold()
        if any(
            folded in (key.casefold(), *(n.casefold() for n in names))
            for key, names in areas.items()
        ):
            return Question("budget", area=name)
        found = await portfolio.projects_named(name, session=session)
    if len(found) != 1:
        return None  # none, or several: not one thing
    return Question("project", name=found[0].code)


async def answer(turn: Turn, question: Question, load: Load, *, page: int = 0) -> AnswerView:
    """``load``'s answer to the question, under the person's rights in this conversation."""
    async with turn.services.sessions() as session:
        rights = await rights_for(turn.person, shared_conversation=is_shared(turn), session=session)
        now = utcnow()
        ask = Ask(
            turn,
            session,
            question,
            rights,
            max(page, 0),
            now.astimezone(turn.services.settings.zone).date(),
            period_of(now, turn.services.settings.zone),
        )
        return await load(ask)
