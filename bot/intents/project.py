"""One project (``show Kartalla``, ``projekti TORI``): its state, owner, money for whoever
may see it, metrics and latest reports; a "which project did you mean" card when the name
fits several, whose choice is this intent's card verb."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.intents.registry import Intent, Request
from bot.questions.answering import (
    Ask,
    answer,
    health_label,
    name_of,
    project_text,
    signed,
)
from bot.questions.vocabulary import Question
from cards import labels
from cards.answers import VERB_PROJECT, build_answer_card
from cards.messages import build_notice_card
from cards.views import AnswerRow, AnswerSection, AnswerView
from scheduler.calendar import period_start
from storage import portfolio
from storage.models import Project
from translations.markers import N_


async def load(ask: Ask) -> AnswerView:
    t = ask.t
    text = ask.question.name or ""
    candidates = await portfolio.find_projects(text, session=ask.session)
    if not candidates:
        return AnswerView(
            title=t("No project matches \u201c{text}\u201d", text=text),
            note=t("Try the project's code or another word of its name."),
        )
    best, score = candidates[0]
    close = [c for c in candidates[1:] if c[1] >= score - 3]
    if close and score < 100:
        return AnswerView(
            title=t("Which project did you mean?"),
            choices=[
                (f"{p.code} · {name_of(t, p)}", {"project_id": p.id})
                for p, _ in [candidates[0], *close]
            ],
        )
    return await project_card(ask, best)


MAX_OWNER_TEXT = 600  # characters of an owner's risks or next steps on a card


def _since_last_report(ask: Ask, detail: portfolio.ProjectDetail) -> list[tuple[str, str]]:
    """Health, progress and (for money readers) forecast: the last report against the one
    before it, when there are two."""
    if len(detail.trend) < 2:
        return []
    t, p = ask.t, detail.row.project
    before, after = detail.trend[-2], detail.trend[-1]
    month = t.month(period_start(before.period))
    facts = [
        (
            t("Health since {month}", month=month),
            t(
                "{before} → {after}",
                before=health_label(t, before.health),
                after=health_label(t, after.health),
            ),
        ),
        (
            t("Progress since {month}", month=month),
            t(
                "{before} → {after}",
                before=t.percent(before.progress),
                after=t.percent(after.progress),
            ),
        ),
    ]
    if ask.rights.money(p, after.forecast_cents) is not None:
        change = after.forecast_cents - before.forecast_cents
        facts.append(
            (
                t("Forecast since {month}", month=month),
                t(
                    "{before} → {after} ({change})",
                    before=t.money(before.forecast_cents),
                    after=t.money(after.forecast_cents),
                    change=signed(t, change, t.money(abs(change))),
                ),
            )
        )
    return facts


async def project_card(ask: Ask, found: Project) -> AnswerView:
    t = ask.t
    detail = await portfolio.project_detail(found, ask.rights, session=ask.session)
    p = detail.row.project
    facts = [
        (t("State"), t(labels.STATE[str(p.state)])),
        (t("Health"), health_label(t, p.health)),
        (t("Progress"), t.percent(p.progress)),
        (t("Owner"), detail.row.owner),
    ]
    if detail.director:
        facts.append(
            (
                t("Responsible director"),
                t.pick(
                    detail.director.title_fi, detail.director.title_sv, detail.director.title_en
                ),
            )
        )
    facts += [
        (t("Level"), t(labels.LEVEL[str(p.level)])),
        (t("Need source"), t(labels.NEED[str(p.need_source)])),
    ]
    if detail.row.planned_cents is not None:
        facts += [
            (t.context("budget", "Planned"), t.money(detail.row.planned_cents)),
            (t("Actual"), t.money(detail.row.actual_cents)),
            (t("Forecast"), t.money(detail.row.forecast_cents)),
        ]
    if detail.one_time_cents is not None:
        facts.append((t("One-time cost"), t.money(detail.one_time_cents)))
    if detail.recurring_cents is not None:
        facts.append((t("Cost per year"), t.money(detail.recurring_cents)))
    if detail.savings_cents is not None:
        facts.append((t("Savings per year"), t.money(detail.savings_cents)))
    if detail.row.planned_cents is not None:  # who may see the money may see where it is from
        facts.append((t("Funding"), t(labels.FUNDING[str(p.funding)])))
    if p.impact_score:
        facts.append((t("Impact"), f"{p.impact_score}/5"))
    facts += _since_last_report(ask, detail)
    sections = []
    latest = detail.latest
    if latest is not None and (latest.risks.strip() or latest.next_steps.strip()):
        sections.append(
            AnswerSection(
                t("What the owner wrote for {month}", month=t.month(period_start(latest.period))),
                [
                    AnswerRow(label, ask.rights.text(p, text.strip())[:MAX_OWNER_TEXT])
                    for label, text in (
                        (t("Risks and help needed"), latest.risks),
                        (t("Next steps"), latest.next_steps),
                    )
                    if text.strip()
                ],
            )
        )
    if detail.metrics:
        sections.append(
            AnswerSection(
                t("Metrics"),
                [
                    AnswerRow(
                        t.named(m.metric),
                        t("target {target}", target=t.quantity(m.metric.target, m.metric.unit))
                        if m.metric.target is not None
                        else "",
                        t.quantity(m.latest, m.metric.unit),
                    )
                    for m in detail.metrics
                ],
            )
        )
    if detail.trend:
        sections.append(
            AnswerSection(
                t("Latest status reports"),
                [
                    AnswerRow(
                        t.month(period_start(r.period)),
                        ask.rights.text(p, r.achievements)[:200],
                        f"{health_label(t, r.health)} · {t.percent(r.progress)}",
                        labels.HEALTH_COLOURS.get(str(r.health), "Default"),
                    )
                    for r in reversed(detail.trend)
                ],
            )
        )
    chart = (
        ask.chart("progress", {"project": str(p.id)}, t("Progress over time"))
        if detail.trend
        else None
    )
    return AnswerView(
        title=f"{p.code} · {name_of(t, p)}",
        subtitle="\n\n".join(
            ask.rights.text(p, text)[:300]
            for text in (project_text(t, p, "description"), project_text(t, p, "impact"))
            if text
        ),
        facts=facts,
        chart=chart,
        sections=sections,
    )


def _chosen(data: Mapping[str, Any]) -> int | None:
    project_id = data.get("project_id")
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        return None
    return project_id


async def act(request: Request) -> dict[str, Any]:
    """A choice on the "which project did you mean" card."""
    project_id, t = _chosen(request.data), request.t
    if project_id is None:
        return build_notice_card(t("That button is no longer supported."), t)

    async def chosen(ask: Ask) -> AnswerView:
        found = await portfolio.project_by_id(project_id, session=ask.session)
        if found is None:
            return AnswerView(
                title=t("No project matches \u201c{text}\u201d", text=str(project_id)),
                note=t("Try the project's code or another word of its name."),
            )
        return await project_card(ask, found)

    return build_answer_card(await answer(request.turn, Question(intent="project"), chosen), t)


INTENT = Intent(
    name="project",
    question=True,
    verbs=frozenset({VERB_PROJECT}),
    shows_money=True,
    load=load,
    act=act,
    examples=(N_("show Kartalla"),),
)
