"""Projects counted by theme, level, need source, benefit or director, and the projects of one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view, question_data
from cards import labels
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from storage.matching import best
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    dimension = ask.question.dimension or "theme"
    year = ask.question.year
    groups = await portfolio.breakdown(dimension, year, session=ask.session)

    def label(group: portfolio.Group) -> str:
        if group.label:
            return t.pick(*group.label)
        return t(labels.FIXED.get(dimension, {}).get(group.key, group.key))

    if ask.question.value:
        wanted = _best_group(ask.question.value, groups, label)
        if wanted is not None:
            rows = await portfolio.projects_in_group(
                dimension, wanted.key, year, ask.rights, session=ask.session
            )
            return list_view(
                ask,
                label(wanted),
                rows,
                empty=t("No projects."),
                facts=[(t("Projects"), str(len(rows)))],
            )
    title_text = (
        t("{grouping} · Roadmap {year}", grouping=t(labels.DIMENSION[dimension]), year=year)
        if year
        else t(labels.DIMENSION[dimension])
    )
    choices = [
        AnswerRow(
            label(g),
            value=str(g.count),
            question=question_data(replace(ask.question, dimension=dimension, value=label(g))),
        )
        for g in groups
    ]
    return AnswerView(
        title=title_text,
        facts=[(t("Projects"), str(sum(g.count for g in groups)))],
        sections=[AnswerSection(t(labels.DIMENSION[dimension]), choices)] if choices else [],
        note=t("Tap one to see its projects."),
    )


def _best_group(
    text: str, groups: list[portfolio.Group], label: Callable[[portfolio.Group], str]
) -> portfolio.Group | None:
    names = {
        index: " / ".join([label(group), *(group.label or ()), group.key.replace("_", " ")])
        for index, group in enumerate(groups)
    }
    found = best(text, names, cutoff=60)
    return groups[found] if found is not None else None


INTENT = Intent(
    name="breakdown",
    question=True,
    shows_money=False,
    load=load,
    examples=(
        N_("projects by theme, level, need source, benefit or director"),
        N_("projects of the finance director"),
    ),
)
