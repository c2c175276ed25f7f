"""Welcome, help and short notices."""

from __future__ import annotations

from typing import Any

from cards.common import imback, new_card, subtle, title
from cards.elements import ActionSubmit, Column, ColumnSet, TextBlock, render
from cards.views import WelcomeView
from translations import Translator
from translations.markers import N_

# (command word per language, description) in the order the help card lists them.
COMMANDS: tuple[tuple[dict[str, str], str], ...] = (
    (
        {"fi": "tila", "sv": "status", "en": "status"},
        N_("Open your status card for each project you own or are deputy for."),
    ),
    (
        {"fi": "kieli fi | sv | en", "sv": "språk fi | sv | en", "en": "language fi | sv | en"},
        N_("Choose the language I answer you in; auto follows your Teams."),
    ),
    (
        {"fi": "poissa PVM · paikalla", "sv": "borta DATUM · tillbaka", "en": "away DATE · back"},
        N_("Tell me you are away: your deputy gets your status cards meanwhile."),
    ),
    (
        {"fi": "sijainen NIMI", "sv": "ersättare NAMN", "en": "deputy NAME"},
        N_("Name your deputy."),
    ),
    ({"fi": "ohje", "sv": "hjälp", "en": "help"}, N_("Show this help.")),
)
ADMIN_COMMANDS: tuple[tuple[dict[str, str], str], ...] = (
    (
        {"fi": "kierros", "sv": "cykel", "en": "cycle"},
        N_("This period's cycle: who has answered and what is scheduled."),
    ),
    (
        {
            "fi": "kysy nyt · muistuta nyt",
            "sv": "fråga nu · påminn nu",
            "en": "prompt now · remind now",
        },
        N_("Send the status card or a reminder now to everyone who hasn't answered."),
    ),
    (
        {"fi": "sulje jakso", "sv": "stäng period", "en": "close period"},
        N_("Close this period: later changes are recorded as late."),
    ),
    (
        {"fi": "avaa jakso 10/2026", "sv": "öppna period 10/2026", "en": "reopen period 2026-10"},
        N_("Reopen a closed period, so that its reports can be changed again."),
    ),
    (
        {
            "fi": "tauota kierros · jatka kierrosta",
            "sv": "pausa cykeln · återuppta cykeln",
            "en": "pause cycle · resume cycle",
        },
        N_("Pause or resume the scheduled messages."),
    ),
    (
        {
            "fi": "kierros aseta aika 09:00",
            "sv": "cykel ställ tid 09:00",
            "en": "cycle set time 09:00",
        },
        N_("Change the cycle's times: time, day, due, reminders, escalation, close, digest."),
    ),
    (
        {"fi": "kooste tänne", "sv": "sammandrag hit", "en": "digest here"},
        N_("Post the managers' digest in this channel or chat."),
    ),
)


# What a manager can ask; examples shown on the help card.
QUESTION_EXAMPLES = (
    N_("summary"),
    N_("roadmap 2025"),
    N_("budget 2025"),
    N_("show Kartalla"),
    N_("what is late?"),
    N_("what is at risk?"),
    N_("what's over budget?"),
    N_("projects by theme, level, need source, benefit or director"),
    N_("projects of the finance director"),
    N_("impact of completed projects"),
    N_("what changed since last month?"),
    N_("indicators"),
    N_("my projects"),
)
QUESTION_WORDS = {
    "summary": N_("summary"),
    "roadmap": N_("roadmap 2025"),
    "budget": N_("budget 2025"),
    "project": N_("show Kartalla"),
    "late": N_("what is late?"),
    "at_risk": N_("what is at risk?"),
    "over_budget": N_("what's over budget?"),
    "breakdown": N_("projects by theme, level, need source, benefit or director"),
    "impact": N_("impact of completed projects"),
    "changes": N_("what changed since last month?"),
    "indicators": N_("indicators"),
    "my_projects": N_("my projects"),
}


def build_help_card(
    t: Translator,
    *,
    not_understood: str | None = None,
    admin: bool = False,
    suggestions: list[str] | None = None,
) -> dict[str, Any]:
    card = new_card(t, t("Roadmap Bot help"))
    body: list[Any] = [title(t("Roadmap Bot help"))]
    if not_understood is not None:
        body.append(
            TextBlock(
                text=t(
                    'I did not understand "{text}". Here is what I can do:', text=not_understood
                ),
                wrap=True,
                color="Warning",
            )
        )
    else:
        body.append(
            TextBlock(
                text=t(
                    "I collect the roadmap projects' monthly status and answer questions about the roadmap."
                ),
                wrap=True,
            )
        )
    if suggestions:
        body.append(
            TextBlock(
                text=t(
                    "Did you mean: {words}?",
                    words=", ".join(t(QUESTION_WORDS.get(s, s)) for s in suggestions),
                ),
                wrap=True,
            )
        )
    body.append(
        TextBlock(text=t("Ask me about the roadmap"), weight="Bolder", wrap=True, spacing="Medium")
    )
    for example in QUESTION_EXAMPLES:
        body.append(TextBlock(text=f"• {t(example)}", wrap=True, spacing="None"))
    body.append(TextBlock(text=t("Commands"), weight="Bolder", wrap=True, spacing="Medium"))
    for words, description in COMMANDS + (ADMIN_COMMANDS if admin else ()):
        word = words[t.language]
        body.append(
            ColumnSet(
                columns=[
                    Column(width="auto", items=[TextBlock(text=f"**{word}**", wrap=True)]),
                    Column(width="stretch", items=[TextBlock(text=t(description), wrap=True)]),
                ]
            )
        )
    body.append(subtle(t("Commands work in Finnish, Swedish and English.")))
    card.body = body
    card.actions = [
        ActionSubmit(title=t("Open my status card"), data=imback(COMMANDS[0][0][t.language]))
    ]
    return render(card)


def build_welcome_card(view: WelcomeView, t: Translator) -> dict[str, Any]:
    card = new_card(t, t("Welcome to Roadmap Bot"))
    body: list[Any] = [
        title(t("Hello {name}!", name=view.name) if view.name else t("Welcome to Roadmap Bot")),
        TextBlock(
            text=t(
                "I am the digital programme's roadmap assistant. Every month I ask project "
                "owners for a short status update, and I answer questions about the roadmap's "
                "progress, budgets and impact."
            ),
            wrap=True,
        ),
    ]
    if view.is_owner:
        body.append(
            TextBlock(
                text=t(
                    "Projects you report on: {count}. Open your status card whenever you like: "
                    "it takes two minutes.",
                    count=view.project_count,
                ),
                wrap=True,
            )
        )
    body.append(subtle(t("Type help to see everything I can do.")))
    card.body = body
    actions = [
        ActionSubmit(
            title=t("Help"), data=imback({"fi": "ohje", "sv": "hjälp"}.get(t.language, "help"))
        )
    ]
    if view.is_owner:
        actions.insert(
            0, ActionSubmit(title=t("Open my status card"), data=imback(COMMANDS[0][0][t.language]))
        )
    card.actions = actions
    return render(card)


def build_notice_card(text: str, t: Translator, *, warning: bool = False) -> dict[str, Any]:
    card = new_card(t, text)
    card.body = [TextBlock(text=text, wrap=True, color="Warning" if warning else "Default")]
    return render(card)
