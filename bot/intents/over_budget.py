"""Projects forecast over their budget, for whoever may see their money: each with its
planned and forecast cost, labelled, and the overrun in euros and percent."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, health_label, name_of, variance_text
from cards import labels
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from storage.portfolio import ProjectRow
from translations import Translator
from translations.markers import N_


def _row(t: Translator, row: ProjectRow) -> AnswerRow:
    p = row.project
    planned = row.planned_cents or 0
    if row.forecast_cents is not None:
        spend = row.forecast_cents
        figures = t(
            "planned {planned} · forecast {forecast}",
            planned=t.money(planned),
            forecast=t.money(spend),
        )
    else:  # no forecast given: the actual is already over the plan
        spend = row.actual_cents or 0
        figures = t(
            "planned {planned} · actual {actual}", planned=t.money(planned), actual=t.money(spend)
        )
    state = t(labels.STATE[str(p.state)])
    health = f" · {health_label(t, p.health)}" if p.health else ""
    return AnswerRow(
        f"{p.code} · {name_of(t, p)}",
        f"{state}{health} · {row.owner}\n{figures}",
        variance_text(t, planned, spend),
        "Attention",
        project_id=p.id,
    )


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    if not ask.rights.all_money and not ask.rights.own_projects:
        return ask.no_money(t("Over budget"), owners=True)
    rows = await portfolio.over_budget(ask.rights, session=ask.session)
    overrun = sum(
        (r.forecast_cents if r.forecast_cents is not None else r.actual_cents or 0)
        - (r.planned_cents or 0)
        for r in rows
    )
    facts = [(t("Projects"), str(len(rows)))]
    if rows:
        facts.append((t("Overrun in all"), t.money(overrun)))
    return AnswerView(
        title=t("Over budget"),
        facts=facts,
        sections=[AnswerSection(t("Projects"), [_row(t, r) for r in ask.page_of(rows)])]
        if rows
        else [],
        note="" if rows else t("No project is forecast over its budget."),
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


INTENT = Intent(
    name="over_budget",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("what's over budget?"),),
)
