"""The programme's indicators, with their targets and latest values, each with its unit."""

from __future__ import annotations

from datetime import date

from bot.intents.registry import Intent
from bot.questions.answering import Ask
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from storage.models import IndicatorSet
from translations import Translator
from translations.markers import N_


def _period(t: Translator, period: str) -> str:
    """ "2024", or a month ("2024-06") as the locale writes it."""
    return t.month(date.fromisoformat(f"{period}-01")) if len(period) == 7 else period


def _source(t: Translator, indicator: IndicatorSet) -> str:
    """Where the figures come from, in the reader's language (another one, marked)."""
    found = t.text(indicator.source_fi, indicator.source_sv, indicator.source_en)
    return t("source: {source}", source=found) if found else ""


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    found = await portfolio.indicators(session=ask.session)
    rows = []
    for i in found:
        unit = i.indicator.unit
        target = (
            t("target {target}", target=t.quantity(i.indicator.target, unit))
            if i.indicator.target is not None
            else ""
        )
        rows.append(
            AnswerRow(
                t.named(i.indicator),
                " · ".join(part for part in (target, _source(t, i.indicator)) if part),
                " · ".join(
                    f"{_period(t, v.period)}: {t.quantity(v.value, unit)}" for v in i.values[-3:]
                )
                or "–",
            )
        )
    # Each stored indicator set carries one measure (a unit, a target, values): what the
    # card lists and counts are those measures, so it names them indicators.
    return AnswerView(
        title=t("The programme's indicators"),
        facts=[(t("Indicators"), str(len(rows)))],
        sections=[AnswerSection(t("Indicators"), rows)] if rows else [],
    )


INTENT = Intent(
    name="indicators",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("indicators"),),
)
