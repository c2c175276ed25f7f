"""The intent table: every thing the bot does, one module each, found here.

To add a command: copy a small intent module (``deputy.py`` is one), give it its words in
fi, sv and en, its requirements and its handler, and add one line to ``INTENTS``. The
router, the help card, the proactive sender and the rights test (``tests/bot/
test_rights.py``) all read this table, so nothing else needs to know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from functools import lru_cache
from typing import Any

from bot.context import Turn
from bot.intents import (
    admin_notice,
    answer_page,
    at_risk,
    away,
    back,
    board_deck,
    breakdown,
    budget,
    changes,
    close_period,
    cycle_overview,
    cycle_settings,
    deputy,
    digest,
    digest_here,
    escalation,
    export,
    help,
    impact,
    indicators,
    language,
    late,
    my_projects,
    my_status,
    over_budget,
    pause_cycle,
    project,
    prompt_now,
    remind_now,
    reopen_period,
    report_edit,
    report_refresh,
    report_submit,
    resume_cycle,
    roadmap,
    status_prompt,
    summary,
    workbook_apply,
    workbook_import,
)
from bot.intents.registry import Intent, Load
from bot.questions.vocabulary import QUESTION_INTENTS
from cards.messages import build_help_card
from cards.views import HelpView
from scheduler.timetable import CycleSettings
from storage.models import Role
from translations import Translator

DEFAULT_SEND_TIME = CycleSettings().send_time

# In the help card's order: the person's own commands, then the admins', then questions.
INTENTS: tuple[Intent, ...] = (
    my_status.INTENT,
    language.INTENT,
    away.INTENT,
    back.INTENT,
    deputy.INTENT,
    help.INTENT,
    cycle_overview.INTENT,
    prompt_now.INTENT,
    remind_now.INTENT,
    close_period.INTENT,
    reopen_period.INTENT,
    pause_cycle.INTENT,
    resume_cycle.INTENT,
    cycle_settings.INTENT,
    digest_here.INTENT,
    export.INTENT,
    board_deck.INTENT,
    workbook_import.INTENT,
    workbook_apply.INTENT,
    summary.INTENT,
    roadmap.INTENT,
    budget.INTENT,
    project.INTENT,
    late.INTENT,
    at_risk.INTENT,
    over_budget.INTENT,
    breakdown.INTENT,
    impact.INTENT,
    changes.INTENT,
    indicators.INTENT,
    my_projects.INTENT,
    answer_page.INTENT,
    report_submit.INTENT,
    report_edit.INTENT,
    report_refresh.INTENT,
    status_prompt.INTENT,
    escalation.INTENT,
    digest.INTENT,
    admin_notice.INTENT,
)


class Table:
    """The lookups over ``INTENTS``, checked once when the bot starts."""

    def __init__(self, intents: tuple[Intent, ...]) -> None:
        self.intents = intents
        self.by_word: dict[str, Intent] = {}
        self.by_verb: dict[str, Intent] = {}
        self.by_attachment: dict[str, Intent] = {}
        self._kinds: dict[str, Intent] = {}
        self._kind_prefixes: list[tuple[str, Intent]] = []
        self.questions: dict[str, Load] = {}
        self.questions_by_name: dict[str, Intent] = {}
        for intent in intents:
            self._check(intent)
            for word in intent.words:
                self._unique(self.by_word, word, intent)
            for verb in intent.verbs:
                self._unique(self.by_verb, verb, intent)
            for content_type in intent.attachments:
                self._unique(self.by_attachment, content_type, intent)
            for kind in intent.kinds:
                if kind.endswith("*"):
                    self._kind_prefixes.append((kind[:-1], intent))
                else:
                    self._unique(self._kinds, kind, intent)
            if intent.question:
                assert intent.load is not None  # noqa: S101 (checked above)
                self.questions[intent.name] = intent.load
                self.questions_by_name[intent.name] = intent
        if set(self.questions) != set(QUESTION_INTENTS):
            raise ValueError(
                "question intents and the parser's vocabulary differ: "
                f"{sorted(set(self.questions) ^ set(QUESTION_INTENTS))}"
            )

    @staticmethod
    def _check(intent: Intent) -> None:
        """Each matcher has its handler, and a question has its cues."""
        wanted = [
            (bool(intent.words or intent.attachments), intent.reply, "words need reply"),
            (bool(intent.verbs), intent.act, "verbs need act"),
            (intent.question, intent.load, "a question needs load"),
            (bool(intent.kinds), intent.compose, "kinds need compose"),
            (intent.personal_only and bool(intent.words), intent.sent_privately, "sent_privately"),
        ]
        for declared, handler, why in wanted:
            if declared and not handler:
                raise ValueError(f"intent {intent.name}: {why}")

    @staticmethod
    def _unique(index: dict[str, Intent], key: str, intent: Intent) -> None:
        if key in index:
            raise ValueError(f"{key!r} belongs to both {index[key].name} and {intent.name}")
        index[key] = intent

    def for_kind(self, kind: str) -> Intent | None:
        """The intent that builds an outbox message of this kind."""
        found = self._kinds.get(kind)
        if found is not None:
            return found
        return next((i for prefix, i in self._kind_prefixes if kind.startswith(prefix)), None)

    def help_view(
        self,
        t: Translator,
        *,
        role: Role,
        not_understood: str | None = None,
        suggestions: Sequence[str] = (),
        send_time: time = DEFAULT_SEND_TIME,
    ) -> HelpView:
        """What this person may ask and do, in the table's order. A command's ``{time}``
        is the cycle's configured ``send_time``, as the reader's locale writes it."""
        usable = [i for i in self.intents if i.may_use(role)]
        by_name = {i.name: i for i in usable}
        status = my_status.INTENT.help
        full = help.INTENT.help
        clock = t.clock(send_time)
        return HelpView(
            help_command=full.usage[t.language] if full else "",
            examples=[e for i in usable if i.question for e in i.examples],
            commands=[
                (i.help.shown(t.language, clock=clock), i.help.text) for i in usable if i.help
            ],
            status_command=status.usage[t.language] if status else "",
            not_understood=not_understood,
            suggestions=[
                by_name[s].examples[0] for s in suggestions if s in by_name and by_name[s].examples
            ],
        )

    def help_card(self, turn: Turn, *, send_time: time) -> Mapping[str, Any]:
        """The help card for this person (built once per language, role and send time)."""
        return _plain_help(self, turn.t, role=turn.person.role, send_time=send_time)

    def not_understood_card(
        self, turn: Turn, text: str, suggestions: Sequence[str]
    ) -> dict[str, Any]:
        view = self.help_view(
            turn.t,
            role=turn.person.role,
            not_understood=text,
            suggestions=suggestions,
        )
        return build_help_card(view, turn.t)


@lru_cache(maxsize=32)
def _plain_help(table: Table, t: Translator, *, role: Role, send_time: time) -> Mapping[str, Any]:
    return build_help_card(table.help_view(t, role=role, send_time=send_time), t)


table = Table(INTENTS)
