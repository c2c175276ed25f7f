"""What is late, by what matters: projects off track first, then those past their end date,
then those without this period's report; each project once, in the first group that fits,
and the groups apart, paged as one list."""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

from bot.intents.registry import Intent
from bot.questions.answering import Ask, owners_risks, project_row
from cards.views import AnswerRow, AnswerSection, AnswerView
from scheduler.calendar import period_start
from storage import portfolio
from storage.portfolio import LATE_GROUPS, LateProject
from translations import Translator
from translations.markers import N_


def _row(t: Translator, late: LateProject, month: str, risk: str | None) -> AnswerRow:
    shown = project_row(t, late.row)
    p = late.row.project
    flags = []
    if late.past_end and p.end_date is not None:
        flags.append(t("ended {date}", date=t.date(p.end_date)))
    if late.no_report:
        flags.append(t("no report for {month}", month=month))
    detail = " · ".join([shown.detail, *flags]) + (f"\n{risk}" if risk else "")
    if late.group == "no_report":
        return replace(shown, value=t("no report"), colour="Warning")
    return replace(shown, detail=detail)


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    found = await portfolio.late(ask.period, ask.today, ask.rights, session=ask.session)
    month = t.month(period_start(ask.period))
    headings = {
        "off_track": t("Off track"),
        "past_end": t("Past their end date"),
        "no_report": t("No report for {month}", month=month),
    }
    counts = {group: sum(1 for f in found if f.group == group) for group in LATE_GROUPS}
    page = ask.page_of(found)
    risks = await owners_risks(ask, [f.row for f in page if f.group != "no_report"])
    sections = [
        AnswerSection(
            headings[group], [_row(t, f, month, risks.get(f.row.project.id or 0)) for f in shown]
        )
        for group, shown in groupby(page, key=lambda f: f.group)
    ]
    return AnswerView(
        title=t("What is late"),
        facts=[(headings[group], str(counts[group])) for group in LATE_GROUPS],
        sections=sections,
        note="" if found else t("Nothing is late."),
        more=ask.more(len(found)),
        back=ask.back(),
        page_label=ask.page_label(len(found)),
    )


INTENT = Intent(
    name="late",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("what is late?"),),
)
