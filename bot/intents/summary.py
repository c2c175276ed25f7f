"""How the portfolio is doing: projects by state and health, progress, reports received, and
the year's budget; buttons lead on to what is late, at risk and (for money readers) over budget."""

from __future__ import annotations

from decimal import Decimal

from bot.intents.registry import Intent
from bot.questions.answering import Ask, question_data, signed
from bot.questions.vocabulary import Question
from cards import labels
from cards.views import AnswerView
from scheduler.calendar import period_start, previous_period
from storage import portfolio
from storage.portfolio import Moved
from translations import Translator
from translations.markers import N_


def _since_last_month(t: Translator, found: Moved | None) -> list[tuple[str, str]]:
    """What moved between the last two months with reports: health better and worse,
    progress on average, and (for money readers) the forecasts' total."""
    if found is None:
        return []
    month = t.month(period_start(previous_period(found.period)))
    progress = (Decimal(found.progress_points) / found.projects).quantize(Decimal("0.1"))
    points = signed(t, progress, t.number(abs(progress)))
    facts = [
        (t("Health better since {month}", month=month), t.number(found.better)),
        (t("Health worse since {month}", month=month), t.number(found.worse)),
        (
            t("Progress since {month}", month=month),
            t.plural(
                "{change} percentage point on average",
                "{change} percentage points on average",
                abs(progress),
                change=points,
            ),
        ),
    ]
    if found.forecast_cents is not None:
        change = found.forecast_cents
        facts.append(
            (t("Forecasts since {month}", month=month), signed(t, change, t.money(abs(change))))
        )
    return facts


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    data = await portfolio.summary(ask.period, ask.today.year, ask.rights, session=ask.session)
    facts = [
        (
            t("Projects"),
            ", ".join(
                t.plural(*labels.STATE_COUNT[state], data.by_state[state])
                for state in labels.STATE_COUNT  # in the lifecycle's order
                if state in data.by_state
            ),
        ),
        *[(t(labels.HEALTH[h]), t.number(data.by_health.get(h, 0))) for h in labels.HEALTH],
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
    facts += _since_last_month(t, data.moved)
    steps = [
        (t("What is late"), question_data(Question("late"))),
        (t("Projects at risk or off track"), question_data(Question("at_risk"))),
    ]
    if data.planned_cents is not None:
        steps.append((t("Over budget"), question_data(Question("over_budget"))))
    return AnswerView(
        title=t("Portfolio at a glance"),
        steps=steps,
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
