"""The intent registry's types: what an intent declares, and the request it is given.

Every thing the bot does is one intent, declared in one module of ``bot/intents/`` and
listed once in ``bot.intents.INTENTS``. An intent declares, side by side:

* its **matchers**: command ``words`` in every language, ``question`` (the parser's cues
  for it are in ``bot/questions/vocabulary.py``), card ``verbs``, or outbox ``kinds``;
* its **requirements**: ``admin_only``, ``personal_only``, ``shows_money``, ``report``.
  The guard (``bot.intents.guard``) enforces them before the handler runs, and audits a
  refusal; a handler never checks rights itself;
* its **handler**: ``reply`` for a message, ``act`` for a card verb (it returns the card
  that replaces the one acted on), ``load`` for a question (plain data in, an
  ``AnswerView`` out, built by ``cards.answers.build_answer_card``), ``compose`` for an
  outbox message;
* its line on the **help card**, shown only to whoever may use it.

The router, the proactive sender, the help card and the rights test all read the same
table (``bot.intents.table``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bot.context import Turn
from cards.messages import build_notice_card
from storage.models import Role

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.questions.answering import Ask
    from bot.reports import ReportCard
    from cards.views import AnswerView
    from scheduler.timetable import CycleSettings
    from storage.models import OutboxMessage
    from storage.rights import Rights
    from translations import Translator


@dataclass(frozen=True, slots=True)
class Request:
    """One activity for one intent: who, where, what they sent, and with which rights."""

    turn: Turn
    rights: Rights  # the query layer's rights for this person in this conversation
    text: str = ""  # a message: what follows the command word
    data: Mapping[str, Any] = field(default_factory=dict)  # a card action's data
    verb: str = ""
    # ``report`` intents: the card's project and period, with what the rules say of it
    report: ReportCard | None = None

    @property
    def t(self) -> Translator:
        return self.turn.t

    async def notice(self, text: str, *, warning: bool = False) -> None:
        """Answer with a short notice card (``text`` translated already)."""
        await self.turn.send_card(build_notice_card(text, self.turn.t, warning=warning))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An outbox message being built: for whom, in which conversation, in what language."""

    message: OutboxMessage
    t: Translator
    shared: bool  # a channel or group chat: everyone there reads it
    session: AsyncSession
    cycle_settings: Callable[[], Awaitable[CycleSettings]]  # cached while a fan-out runs


Reply = Callable[[Request], Awaitable[None]]
Act = Callable[[Request], Awaitable[dict[str, Any]]]
Load = Callable[["Ask"], Awaitable["AnswerView"]]
Compose = Callable[[Outgoing], Awaitable[dict[str, Any]]]
Refused = Callable[[Request, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Help:
    """A line of the help card: the command as typed in each language, and what it does."""

    usage: Mapping[str, str]  # language -> "tila", "status", "status"
    text: str  # msgid

    def shown(self, language: str, *, clock: str) -> str:
        """The command as the help card shows it: ``{time}`` as the locale writes the
        cycle's configured send time ("9.00" in Finnish, "09:00" in English)."""
        return self.usage[language].replace("{time}", clock)


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    # matchers
    words: frozenset[str] = frozenset()  # command words in fi, sv and en, lower case
    question: bool = False  # a managers' question the parser recognises by its cues
    verbs: frozenset[str] = frozenset()  # card verbs (Action.Execute, Action.Submit)
    kinds: frozenset[str] = frozenset()  # outbox kinds; "prefix*" matches "prefix1", ...
    attachments: frozenset[str] = frozenset()  # content types of a file sent to the bot
    # requirements, enforced by the guard
    admin_only: bool = False
    manager_only: bool = False  # managers and admins
    admin_when: Callable[[Request], bool] | None = None  # admin-only for these requests
    personal_only: bool = False  # its cards go only to the 1:1 chat
    shows_money: bool = False  # its cards may carry euro amounts (the rights rule applies)
    report: Literal["edit", "view"] | None = None  # acts on one project's report card
    # handlers
    reply: Reply | None = None
    act: Act | None = None
    load: Load | None = None
    compose: Compose | None = None
    refused: Refused | None = None  # the card for a refused report edit that keeps its data
    # the help card
    help: Help | None = None
    examples: tuple[str, ...] = ()  # a question's examples on the help card (msgids)
    sent_privately: str = ""  # personal_only: the note left in a shared conversation

    def may_use(self, role: Role) -> bool:
        """Whether this person may use it, as far as their role tells (the help card's test)."""
        if role == Role.admin:
            return True
        if self.admin_only:
            return False
        return role == Role.manager or not self.manager_only
