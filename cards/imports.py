"""The report on a sent workbook: per sheet what would change, every error, and Apply."""

from __future__ import annotations

from typing import Any

from cards.common import new_card, subtle, title
from cards.elements import ActionExecute, Fact, FactSet, TextBlock, render
from cards.views import ImportReportView
from translations import Translator

VERB_WORKBOOK_APPLY = "workbook.apply"
MAX_LISTED = 30  # errors or warnings on the card; the rest are counted


def _listed(lines: list[str], t: Translator) -> list[Any]:
    shown = [TextBlock(text=f"• {line}", wrap=True, spacing="None") for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        more = len(lines) - MAX_LISTED
        shown.append(subtle(t.plural("…and {count} more.", "…and {count} more.", more)))
    return shown


def build_import_report_card(view: ImportReportView, t: Translator) -> dict[str, Any]:
    heading = t("Applied: {file}", file=view.file_name) if view.applied else view.file_name
    card = new_card(t, heading)
    body: list[Any] = [title(heading)]
    body.append(
        FactSet(
            facts=[
                Fact(
                    title=sheet,
                    value=t(
                        "{added} added, {changed} changed, {removed} removed, {unchanged} unchanged",
                        added=added,
                        changed=changed,
                        removed=removed,
                        unchanged=unchanged,
                    ),
                )
                for sheet, added, changed, removed, unchanged in view.sheets
            ]
        )
    )
    if view.errors:
        body.append(
            TextBlock(
                text=t("Nothing was changed: correct these and send the file again."),
                wrap=True,
                color="Attention",
                weight="Bolder",
            )
        )
        body += _listed(view.errors, t)
    if view.warnings:
        body.append(TextBlock(text=t("Warnings"), wrap=True, weight="Bolder", spacing="Medium"))
        body += _listed(view.warnings, t)
    if view.apply is not None:
        body.append(subtle(t("Nothing is changed until you apply the file, within an hour.")))
        card.actions = [
            ActionExecute(title=t("Apply"), verb=VERB_WORKBOOK_APPLY, data=dict(view.apply))
        ]
    card.body = body
    return render(card)
