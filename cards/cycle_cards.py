"""Cards of the monthly cycle: escalation, digest and the admins' cycle status."""

from __future__ import annotations

from typing import Any

from cards.common import heading, new_card, subtle, title
from cards.elements import Column, ColumnSet, Fact, FactSet, TextBlock, render
from cards.labels import HEALTH as HEALTH_LABELS
from cards.views import CycleStatusView, DigestView, EscalationView, MissingProject
from translations import Translator

MAX_ROWS = 40
STEP_MARKS = {
    "done": "✅",
    "missed": "⚠️",
    "pending": "⏳",
}  # keeps every card well under Teams' size limit


def _project_rows(projects: list[MissingProject], t: Translator) -> list[Any]:
    rows: list[Any] = [
        ColumnSet(
            columns=[
                Column(
                    width="stretch", items=[TextBlock(text=f"**{p.code}** {p.name}", wrap=True)]
                ),
                Column(width="stretch", items=[TextBlock(text=p.owner, wrap=True, isSubtle=True)]),
            ],
            spacing="Small",
        )
        for p in projects[:MAX_ROWS]
    ]
    if len(projects) > MAX_ROWS:
        more = len(projects) - MAX_ROWS
        rows.append(subtle(t.plural("…and {count} more.", "…and {count} more.", more)))
    return rows


def build_escalation_card(view: EscalationView, t: Translator) -> dict[str, Any]:
    month = t.month(view.period_start)
    card = new_card(t, t("Status reports missing for {month}", month=month))
    intro = (
        t(
            "Copy for the admins: these projects have not reported for {month}, due {date}.",
            month=month,
            date=t.date(view.due),
        )
        if view.copy
        else t(
            "These projects you are responsible for have not reported for {month}. The answers were due {date}. Could you remind their owners?",
            month=month,
            date=t.date(view.due),
        )
    )
    card.body = [
        title(t("Status reports missing for {month}", month=month)),
        TextBlock(text=intro, wrap=True),
        *_project_rows(view.projects, t),
    ]
    return render(card)


def build_digest_card(view: DigestView, t: Translator) -> dict[str, Any]:
    month = t.month(view.period_start)
    card = new_card(t, t("Roadmap digest for {month}", month=month))
    share = t.percent(round(100 * view.received / view.expected)) if view.expected else "–"
    facts = [
        Fact(
            title=t("Reports received"),
            value=t(
                "{received} of {expected} ({share})",
                received=view.received,
                expected=view.expected,
                share=share,
            ),
        ),
        *[
            Fact(title=t(HEALTH_LABELS[key]), value=str(view.health.get(key, 0)))
            for key in HEALTH_LABELS
        ],
    ]
    if view.actual_cents is not None and view.planned_cents is not None:
        facts.append(
            Fact(
                title=t("Budget used"),
                value=t(
                    "{actual} of {planned}",
                    actual=t.money(view.actual_cents),
                    planned=t.money(view.planned_cents),
                ),
            )
        )
    body: list[Any] = [title(t("Roadmap digest for {month}", month=month)), FactSet(facts=facts)]
    if view.changes:
        body.append(heading(t("Changed since last month")))
        for change in view.changes[:MAX_ROWS]:
            before = t(HEALTH_LABELS[change.before]) if change.before in HEALTH_LABELS else "–"
            line = t(
                "**{code}** {name}: health {before} → {after}, progress {progress_before} → "
                "{progress_after}",
                code=change.code,
                name=change.name,
                before=before,
                after=t(HEALTH_LABELS[change.after]),
                progress_before=t.percent(change.progress_before)
                if change.progress_before is not None
                else "–",
                progress_after=t.percent(change.progress_after),
            )
            body.append(TextBlock(text=line, wrap=True, spacing="Small"))
    if view.late:
        body.append(heading(t("Late: no report this month")))
        body += _project_rows(view.late, t)
    card.body = body
    return render(card)


def build_cycle_status_card(view: CycleStatusView, t: Translator) -> dict[str, Any]:
    month = t.month(view.period_start)
    card = new_card(t, t("Monthly cycle for {month}", month=month))
    body: list[Any] = [
        title(t("Monthly cycle for {month}", month=month)),
        subtle(t("Answers are due {date}.", date=t.date(view.due))),
    ]
    if view.paused:
        body.append(
            TextBlock(
                text=t("The cycle is paused: nothing is sent until it is resumed."),
                color="Warning",
                wrap=True,
            )
        )
    body.append(
        FactSet(
            facts=[
                Fact(
                    title=t("Reports received"),
                    value=t(
                        "{received} of {expected}", received=view.received, expected=view.expected
                    ),
                ),
                *[
                    Fact(title=step, value=f"{STEP_MARKS[state]} {when}")
                    for step, when, state in view.steps
                ],
            ]
        )
    )
    if view.missing:
        body.append(heading(t("Not answered yet")))
        body += _project_rows(view.missing, t)
    else:
        body.append(TextBlock(text=t("Everyone has answered."), color="Good", wrap=True))
    card.body = body
    return render(card)
