"""What is late: the period's missing reports, and projects past their end date."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask, name_of, project_row
from cards.views import AnswerRow, AnswerSection, AnswerView
from scheduler.calendar import period_start
from storage import digest as digests
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    missing = await digests.missing(ask.period, session=ask.session)
    overdue = await portfolio.overdue(ask.today, ask.rights, session=ask.session)
    rows = [
        AnswerRow(
            f"{m.project.code} · {name_of(t, m.project)}", m.owner_name, t("no report"), "Warning"
        )
        for m in missing
    ]
    sections = []
    if rows:
        sections.append(
            AnswerSection(
                t("No report for {month}", month=t.month(period_start(ask.period))),
                ask.page_of(rows),
            )
        )
    if overdue and ask.page == 0:
        sections.append(
            AnswerSection(t("Past their end date"), [project_row(t, r) for r in overdue])
        )
    return AnswerView(
        title=t("What is late"),
        facts=[
            (t("Reports missing"), str(len(missing))),
            (t("Past their end date"), str(len(overdue))),
        ],
        sections=sections,
        note="" if sections else t("Nothing is late."),
        more=ask.more(len(rows)),
        page_label=ask.page_label(len(rows)),
    )


INTENT = Intent(
    name="late",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("what is late?"),),
)
