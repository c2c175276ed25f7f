"""Welcome, help and short notices."""

from __future__ import annotations

from typing import Any

from cards.common import STATUS_COMMAND, imback, new_card, subtle, title
from cards.elements import ActionOpenUrl, ActionSubmit, TextBlock, render
from cards.views import FileLinkView, HelpView, WelcomeView
from translations import Translator


# (command word per language, description) in the order the help card lists them.
def build_not_understood_card(view: HelpView, t: Translator) -> dict[str, Any]:
    """A short card for a message that asked nothing: what was not understood, one or two
    questions it came closest to (each a button that asks it), and a button for the help."""
    card = new_card(t, t("Roadmap Bot help"))
    body: list[Any] = [
        TextBlock(
            text=t('I did not understand "{text}".', text=view.not_understood or ""),
            wrap=True,
            color="Warning",
        )
    ]
    actions = [
        ActionSubmit(title=t(example), data=imback(t(example))) for example in view.suggestions
    ]
    if actions:
        body.append(TextBlock(text=t("Did you mean:"), wrap=True))
    else:
        body.append(
            TextBlock(
                text=t(
                    "Ask for example: {examples}.",
                    examples=", ".join(t(example) for example in view.examples[:3]),
                ),
                wrap=True,
            )
        )
    if view.help_command:
        actions.append(ActionSubmit(title=t("Everything I can do"), data=imback(view.help_command)))
    card.body = body
    card.actions = actions
    return render(card)


def build_help_card(view: HelpView, t: Translator) -> dict[str, Any]:
    """Everything this person may ask and do; the short card when a message asked nothing."""
    if view.not_understood is not None:
        return build_not_understood_card(view, t)
    card = new_card(t, t("Roadmap Bot help"))
    body: list[Any] = [
        title(t("Roadmap Bot help")),
        TextBlock(
            text=t(
                "I collect the roadmap projects' monthly status and answer questions about the roadmap."
            ),
            wrap=True,
        ),
    ]
    body.append(
        TextBlock(text=t("Ask me about the roadmap"), weight="Bolder", wrap=True, spacing="Medium")
    )
    for example in view.examples:
        body.append(TextBlock(text=f"• {t(example)}", wrap=True, spacing="None"))
    body.append(TextBlock(text=t("Commands"), weight="Bolder", wrap=True, spacing="Medium"))
    for word, description in view.commands:  # stacked: a long command never squeezes
        body.append(TextBlock(text=f"**{word}**", wrap=True, spacing="Small"))
        body.append(TextBlock(text=t(description), wrap=True, spacing="None"))
    body.append(subtle(t("Commands work in Finnish, Swedish and English.")))
    card.body = body
    card.actions = [ActionSubmit(title=t("Open my status card"), data=imback(view.status_command))]
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
            0, ActionSubmit(title=t("Open my status card"), data=imback(STATUS_COMMAND[t.language]))
        )
    card.actions = actions
    return render(card)


def build_notice_card(text: str, t: Translator, *, warning: bool = False) -> dict[str, Any]:
    card = new_card(t, text)
    card.body = [TextBlock(text=text, wrap=True, color="Warning" if warning else "Default")]
    return render(card)


def build_file_link_card(view: FileLinkView, t: Translator) -> dict[str, Any]:
    card = new_card(t, view.title)
    card.body = [
        title(view.title),
        TextBlock(text=view.file_name, wrap=True),
        subtle(t("The link works until {time}.", time=t.datetime(view.expires_at))),
    ]
    card.actions = [ActionOpenUrl(title=t("Download"), url=view.url)]
    return render(card)
