"""Answers to managers' questions: one builder for every intent's view."""

from __future__ import annotations

from typing import Any

from cards.common import new_card, subtle, title
from cards.elements import (
    ActionExecute,
    ActionOpenUrl,
    Column,
    ColumnSet,
    Container,
    Fact,
    FactSet,
    Image,
    TappableColumnSet,
    TextBlock,
    render,
)
from cards.views import AnswerRow, AnswerView
from translations import Translator

VERB_MORE = "answer.more"
VERB_PROJECT = "answer.project"
MAX_ROWS_PER_PAGE = 15


MAX_SIDE_BY_SIDE = 20  # characters of a value line shown beside a row's name, in an "auto" column


def _too_long_beside(value: str) -> bool:
    """A value this long beside the name would squeeze the name until words break."""
    return max(len(line) for line in value.split("\n")) > MAX_SIDE_BY_SIDE


def _row_set(columns: list[Any], row: AnswerRow, t: Translator) -> ColumnSet:
    """A list row; tapping it opens its project's card, or answers its question."""
    if row.project_id is not None:
        data: dict[str, object] = {"verb": VERB_PROJECT, "project_id": row.project_id}
        verb = VERB_PROJECT
    elif row.question is not None:
        data, verb = {"verb": VERB_MORE, **row.question}, VERB_MORE
    else:
        return ColumnSet(columns=columns, spacing="Small", separator=True)
    return TappableColumnSet(
        columns=columns,
        spacing="Small",
        separator=True,
        select_action=ActionExecute(title=t("Open"), verb=verb, data=data),
    )


def build_answer_card(view: AnswerView, t: Translator) -> dict[str, Any]:
    card = new_card(t, view.title)
    body: list[Any] = [title(view.title)]
    if view.subtitle:
        body.append(subtle(view.subtitle))
    if view.facts:
        body.append(FactSet(facts=[Fact(title=label, value=value) for label, value in view.facts]))
    if view.chart is not None:
        body.append(Image(url=view.chart.url, altText=view.chart.alt, size="Stretch"))
    for section in view.sections:
        items: list[Any] = [
            TextBlock(text=section.heading, weight="Bolder", wrap=True, spacing="Medium")
        ]
        for row in section.rows:
            left: list[Any] = [
                TextBlock(text=row.title, wrap=True, weight="Bolder", spacing="None")
            ]
            # One block a line: renderers differ on a lone "\n" (the Web Chat's reads it
            # as a space), and a block is a line everywhere.
            left.extend(
                TextBlock(text=line, wrap=True, isSubtle=True, spacing="None", size="Small")
                for line in row.detail.split("\n")
                if line
            )
            if row.value and _too_long_beside(row.value):  # stacked: names keep their width
                left.append(TextBlock(text=row.value, wrap=True, color=row.colour, spacing="Small"))
            columns = [Column(width="stretch", items=left)]
            if row.value and not _too_long_beside(row.value):
                columns.append(
                    Column(
                        width="auto",
                        items=[
                            TextBlock(
                                text=row.value,
                                wrap=True,
                                color=row.colour,
                                horizontalAlignment="Right",
                            )
                        ],
                    )
                )
            items.append(_row_set(columns, row, t))
        body.append(Container(items=items))
    if view.note:
        body.append(subtle(view.note))
    if view.page_label:
        body.append(subtle(view.page_label))
    card.body = body
    actions = [
        ActionExecute(title=label, verb=VERB_PROJECT, data={"verb": VERB_PROJECT, **data})
        for label, data in view.choices[:6]
    ]
    actions.extend(
        ActionExecute(title=label, verb=VERB_MORE, data={"verb": VERB_MORE, **data})
        for label, data in view.steps[:3]
    )
    actions.extend(ActionOpenUrl(title=label, url=url) for label, url in view.links)
    if view.more is not None:
        actions.append(
            ActionExecute(
                title=t("Show more"), verb=VERB_MORE, data={"verb": VERB_MORE, **view.more}
            )
        )
    if view.back is not None:
        actions.append(
            ActionExecute(
                title=t("Previous page"), verb=VERB_MORE, data={"verb": VERB_MORE, **view.back}
            )
        )
    if actions:
        card.actions = actions
    return render(card)
