"""A roadmap year's projects (``roadmap 2025``), with their health and progress; their
costs and estimated impact for whoever may see the money (a project's own owner sees its).

``roadmap 2024 as of 10/2024`` (fi ``tilanne 10/2024``, sv ``per 10/2024``) shows the
projects as they stood at the end of that month, rebuilt from the status history
(``storage.history.roadmap_as_of``), and says what is today's rather than then's.
"""

from __future__ import annotations

from dataclasses import replace

from bot.intents.registry import Intent
from bot.questions.answering import Ask, list_view, project_row
from cards import labels
from cards.views import AnswerRow, AnswerView
from storage import portfolio
from storage.history import BadPeriodError, month_last_day, parse_month, roadmap_as_of
from storage.portfolio import ProjectRow
from translations import Translator
from translations.markers import N_


def _row(t: Translator, row: ProjectRow) -> AnswerRow:
    shown = project_row(t, row)
    if row.planned_cents is None:  # no money for this reader: no costs, no impact
        return shown
    p = row.project
    figures = t(
        "planned {planned} · forecast {forecast}",
        planned=t.money(row.planned_cents),
        forecast=t.money(row.forecast_cents),
    )
    if p.impact_score:
        figures += " · " + t("impact {score}/5", score=p.impact_score)
    return replace(shown, detail=f"{shown.detail}\n{figures}")


def _as_of(ask: Ask) -> str | AnswerView | None:
    """The month the question asks "as of" (``YYYY-MM``), None for now, or why it can't be."""
    t, typed = ask.t, ask.question.as_of
    if typed is None:
        return None
    example = t("For example: roadmap 2024 as of 10/2024.")
    try:
        period = parse_month(typed)
    except BadPeriodError:
        return AnswerView(
            title=t("Roadmap"),
            note=t("“{typed}” is not a month.", typed=typed) + " " + example,
        )
    if period > ask.period:
        return AnswerView(
            title=t("Roadmap"),
            note=t(
                "A roadmap can be shown as it stood up to this month ({month}), not later.",
                month=t.month(month_last_day(ask.period)),
            )
            + " "
            + example,
        )
    return period


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    as_of = _as_of(ask)
    if isinstance(as_of, AnswerView):
        return as_of
    year = ask.question.year or (int(as_of[:4]) if as_of else ask.today.year)
    if as_of is None:
        found, rows = await portfolio.roadmap_projects(year, ask.rights, session=ask.session)
    else:
        found, rows = await roadmap_as_of(
            year, as_of, ask.rights, session=ask.session, zone=ask.turn.services.settings.zone
        )
    if found is None:
        return AnswerView(
            title=t("Roadmap {year}", year=year),
            note=t("There is no roadmap for {year}.", year=year),
        )
    done = sum(1 for r in rows if str(r.project.state) == "completed")
    average = round(sum(r.project.progress for r in rows) / len(rows)) if rows else 0
    facts = [
        (t("Projects"), str(len(rows))),
        (t("Completed projects"), str(done)),
        (t("Average progress"), t.percent(average)),
    ]
    if ask.rights.all_money:
        scores = [r.project.impact_score for r in rows if r.project.impact_score]
        facts += [
            (t("Planned costs"), t.money(sum(r.planned_cents or 0 for r in rows))),
            (t("Forecast costs"), t.money(sum(r.forecast_cents or 0 for r in rows))),
            (
                t("Average estimated impact"),
                t("{score}/5", score=t.number(round(sum(scores) / len(scores), 1)))
                if scores
                else "–",
            ),
        ]
    if as_of is None:
        return list_view(
            ask,
            t("Roadmap {year}, approved {date}", year=year, date=t.date(found.approved_on))
            if found.approved_on
            else t("Roadmap {year} (draft)", year=year),
            rows,
            empty="",
            facts=facts,
            chart=ask.chart(
                "health", {"scope": "roadmap", "year": str(year)}, t("Projects by health")
            ),
            row=lambda r: _row(t, r),
        )
    month = t.month(month_last_day(as_of))
    facts += [
        (t(labels.HEALTH[health]), str(sum(1 for r in rows if str(r.project.health) == health)))
        for health in labels.HEALTH
    ]
    view = list_view(
        ask,
        t("Roadmap {year} as of {month}", year=year, month=month),
        rows,
        empty="",
        facts=facts,
        row=lambda r: _row(t, r),
    )
    return replace(
        view,
        subtitle=t(
            "As it stood on {date}: states, health, progress, spent and forecast from the "
            "status reports given by then. Planned costs, impact and owners are as they are "
            "today.",
            date=t.date(month_last_day(as_of)),
        ),
    )


INTENT = Intent(
    name="roadmap",
    question=True,
    shows_money=True,
    load=load,
    examples=(N_("roadmap 2025"),),
)
