"""How the portfolio is doing: projects by state and health, progress, reports received, and the year's budget."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask
from cards import labels
from cards.views import AnswerView
from scheduler.calendar import period_start
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    data = await portfolio.summary(ask.period, ask.today.year, ask.rights, session=ask.session)
    facts = [
        (
            t("Projects"),
            ", ".join(
                f"{t(labels.STATE[s])} {n}"
                for s, n in sorted(
                    data.by_state.items(), key=lambda kv: list(labels.STATE).index(kv[0])
                )
            ),
        ),
        *[(t(labels.HEALTH[h]), str(data.by_health.get(h, 0))) for h in labels.HEALTH],
        (t("Average progress"), t.percent(round(data.average_progress))),
        (
            t("Reports received for {month}", month=t.month(period_start(ask.period))),
            t(
                "{received} of {expected}",
                received=data.reports_received,
                expected=data.reports_expected,
            ),
        ),
    ]
    if data.planned_cents is not None:
        facts.append(
            (
                t("Budget {year}", year=data.year),
                t(
                    "{actual} of {planned}",
                    actual=t.money(data.actual_cents),
                    planned=t.money(data.planned_cents),
                ),
            )
        )
    return AnswerView(
        title=t("Portfolio at a glance"),
        subtitle=t(
            "Started projects' health and progress; budget lines of {year}.", year=data.year
        ),
        facts=facts,
        chart=ask.chart("health", {"scope": "started"}, t("Projects by health")),
    )


INTENT = Intent(
    name="summary",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("summary"),),
)
