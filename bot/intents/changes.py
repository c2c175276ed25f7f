"""Projects whose health changed since last month."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, health_label, name_of
from cards import labels
from cards.views import AnswerRow, AnswerSection, AnswerView
from scheduler.calendar import period_start, previous_period
from storage import digest as digests
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    period = ask.period
    data = await digests.digest(period, session=ask.session)
    if not data.changes:
        period = previous_period(period)
        data = await digests.digest(period, session=ask.session)
    rows = [
        AnswerRow(
            f"{c.project.code} · {name_of(t, c.project)}",
            t(
                "{before} → {after}",
                before=health_label(t, c.before_health),
                after=health_label(t, c.after_health),
            ),
            t(
                "{before} → {after}",
                before=t.percent(c.before_progress) if c.before_progress is not None else "–",
                after=t.percent(c.after_progress),
            ),
            labels.HEALTH_COLOURS.get(c.after_health, "Default"),
            project_id=c.project.id,
        )
        for c in data.changes
    ]
    return AnswerView(
        title=t("Changes since last month"),
        subtitle=t.month(period_start(period)),
        facts=[(t("Projects whose health changed"), str(len(rows)))],
        sections=[AnswerSection(t("Projects"), ask.page_of(rows))] if rows else [],
        note="" if rows else t("No project's health changed."),
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


INTENT = Intent(
    name="changes",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("what changed since last month?"),),
)
