"""From storage's records to the cards' plain views."""

from __future__ import annotations

from datetime import date

from bot.context import Turn
from cards.views import ConfirmationView, MetricField, MetricReading, StatusFormView
from scheduler.calendar import period_of, period_start
from storage.models import utcnow
from storage.rights import Rights
from storage.status_reports import ReportAnswer, ReportContext
from translations import Translator


def current_period(turn: Turn) -> str:
    return period_of(utcnow(), turn.services.settings.zone)


def _report_values(report: ReportAnswer, t: Translator) -> dict[str, str]:
    return {
        "health": str(report.health) if report.health else "",
        "progress": str(report.progress),
        "spent": t.input_money(report.spent_cents),
        "forecast": t.input_money(report.forecast_cents),
        "achievements": report.achievements,
        "next_steps": report.next_steps,
        "risks": report.risks,
    }


def is_money_unit(unit: str) -> bool:
    """A metric counted in euros is money, and shown only under the reader's rights."""
    return "€" in unit or "eur" in unit.lower()


def form_view(
    context: ReportContext,
    period: str,
    t: Translator,
    *,
    due: date,
    next_period_opens: date | None = None,
    open_period: date | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> StatusFormView:
    """The editable card's data: typed values if given, else this or last period's answers."""
    project = context.project
    source = context.current or context.previous
    values = _report_values(source, t) if source else {}
    if source is None:
        values = {
            "progress": str(project.progress),
            "spent": t.input_money(project.actual_cents),
            "forecast": t.input_money(project.forecast_cents or project.planned_cents),
        }
    metrics = [
        MetricField(
            id=metric.id,
            name=t.named(metric),
            unit=t.unit(metric.unit),
            value=t.input_decimal(context.metric_values.get(metric.id)),
            target=t.quantity(metric.target, metric.unit) if metric.target is not None else None,
        )
        for metric in context.metrics
    ]
    if typed is not None:
        values = dict(typed)
    prefilled_from: date | None = None
    if context.current is None and context.previous is not None:
        prefilled_from = period_start(context.previous.period)
    return StatusFormView(
        project_id=project.id,
        code=project.code,
        name=t.named(project),
        period=period,
        period_start=period_start(period),
        due=due,
        values=values,
        metrics=metrics,
        errors=errors or {},
        prefilled_from=prefilled_from,
        revision=context.current.revision if context.current else None,
        period_closed=context.period_closed,
        next_period_opens=next_period_opens,
        open_period=open_period,
    )


def confirmation_view(
    context: ReportContext,
    t: Translator,
    *,
    rights: Rights,
    editor_ids: list[str],
    can_edit: bool,
    next_period_opens: date | None = None,
    open_period: date | None = None,
) -> ConfirmationView:
    """What was saved, as this reader may see it: money only under their ``rights``."""
    project, report = context.project, context.current
    if report is None:
        raise ValueError("a confirmation needs a stored report")
    money = rights.money(project, 0) is not None

    def reading(metric_id: int, unit: str) -> str:
        if metric_id not in context.metric_values:
            return "–"
        if not money and is_money_unit(unit):
            return "…"
        return t.quantity(context.metric_values[metric_id], unit)

    return ConfirmationView(
        project_id=project.id,
        code=project.code,
        name=t.named(project),
        period=report.period,
        period_start=period_start(report.period),
        health=str(report.health),
        progress=report.progress,
        spent_cents=report.spent_cents if money else None,
        forecast_cents=report.forecast_cents if money else None,
        metrics=[
            MetricReading(name=t.named(metric), value=reading(metric.id, metric.unit))
            for metric in context.metrics
        ],
        achievements=rights.text(project, report.achievements),
        next_steps=rights.text(project, report.next_steps),
        risks=rights.text(project, report.risks),
        submitted_by=context.submitted_by.name if context.submitted_by else "",
        submitted_at=report.submitted_at,
        revision=report.revision,
        late=report.late,
        editor_ids=editor_ids,
        can_edit=can_edit,
        frozen=context.period_closed,
        next_period_opens=next_period_opens,
        open_period=open_period,
    )
