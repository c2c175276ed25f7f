"""The completed projects' impact, with their costs and savings for whoever may see money."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, name_of
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    done = await portfolio.completed(ask.rights, session=ask.session)
    rows = []
    for d in done:
        p = d.row.project
        costs = [
            t("one-time {amount}", amount=t.money(d.one_time_cents)) if d.one_time_cents else "",
            t("{amount} per year", amount=t.money(d.recurring_cents)) if d.recurring_cents else "",
            t("saves {amount} per year", amount=t.money(d.savings_cents))
            if d.savings_cents
            else "",
        ]
        rows.append(
            AnswerRow(
                f"{p.code} · {name_of(t, p)}",
                ask.rights.text(p, ask.t.pick(p.impact_fi, p.impact_sv, p.impact_en))[:200],
                " · ".join(c for c in costs if c)
                or (f"{p.impact_score}/5" if p.impact_score else ""),
            )
        )
    facts = [(t("Completed projects"), str(len(done)))]
    if ask.rights.all_money:
        facts.append((t("One-time costs"), t.money(sum(d.one_time_cents or 0 for d in done))))
        facts.append((t("Costs per year"), t.money(sum(d.recurring_cents or 0 for d in done))))
        facts.append((t("Savings per year"), t.money(sum(d.savings_cents or 0 for d in done))))
    chart = ask.chart("impact", {}, t("Impact against cost")) if ask.rights.all_money else None
    return AnswerView(
        title=t("Impact of completed projects"),
        facts=facts,
        chart=chart,
        sections=[AnswerSection(t("Completed projects"), ask.page_of(rows))] if rows else [],
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


INTENT = Intent(
    name="impact",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("impact of completed projects"),),
)
