"""The programme's indicators, with their targets and latest values."""

from __future__ import annotations

from bot.intents.registry import Intent
from bot.questions.answering import Ask
from cards.views import AnswerRow, AnswerSection, AnswerView
from storage import portfolio
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    found = await portfolio.indicators(session=ask.session)
    rows = [
        AnswerRow(
            t.named(i.indicator),
            t(
                "target {target} {unit}",
                target=t.number(i.indicator.target),
                unit=t.unit(i.indicator.unit, i.indicator.target),
            )
            + (f" · {i.indicator.source}" if i.indicator.source else ""),
            " · ".join(f"{v.period}: {t.number(v.value)}" for v in i.values[-3:]) or "–",
        )
        for i in found
    ]
    return AnswerView(
        title=t("The programme's indicators"),
        facts=[(t("Indicator sets"), str(len(rows)))],
        sections=[AnswerSection(t("Indicators"), rows)] if rows else [],
    )


INTENT = Intent(
    name="indicators",
    question=True,
    shows_money=False,
    load=load,
    examples=(N_("indicators"),),
)
