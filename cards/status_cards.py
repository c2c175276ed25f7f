"""The owner's monthly status card, and the confirmation that replaces it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from cards.common import (
    VERB_STATUS_EDIT,
    VERB_STATUS_REFRESH,
    VERB_STATUS_SUBMIT,
    attention,
    heading,
    new_card,
    subtle,
    title,
)
from cards.elements import (
    ActionExecute,
    Choice,
    Column,
    ColumnSet,
    Container,
    Fact,
    FactSet,
    InputChoiceSet,
    InputNumber,
    InputText,
    Refresh,
    TextBlock,
    render,
    rendered,
)
from cards.labels import HEALTH as HEALTH_LABELS
from cards.views import ConfirmationView, StatusFormView
from translations import Translator
from translations.markers import N_

FORM_ERROR = "_form"
# The longest text a field takes; ``bot.forms`` refuses a longer one. The inputs carry no
# maxLength, min or max: a client would cut or clamp what was typed without a word. The
# form's checks say what is wrong under the field instead, and keep what was typed.
MAX_TEXT = 2000
EXAMPLE_CENTS = (1_250_000, 1_250_050)  # "12 500" and "12 500,50", as the reader writes them


def error_text(message: str, t: Translator) -> str:
    """A form error's message id, translated, with the form's limits and examples in it
    formatted for the reader's locale ("at most 2 000 characters")."""
    whole, with_cents = EXAMPLE_CENTS
    return t(
        message,
        limit=t.number(MAX_TEXT),
        whole=t.input_money(whole),
        with_cents=t.input_money(with_cents),
    )


def _with_error(items: list[Any], errors: dict[str, str], key: str, t: Translator) -> list[Any]:
    if key in errors:
        items.append(attention(error_text(errors[key], t)))
    return items


def _progress_value(typed: str) -> int | float | None:
    try:
        number = float(typed)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def _after_close(opens: date | None, open_period: date | None, t: Translator) -> list[Any]:
    """What a closed period's card says instead of a due date: a later period open now,
    and the day the next one opens."""
    lines: list[Any] = []
    if open_period is not None:
        lines.append(subtle(t("Reports for {month} are open now.", month=t.month(open_period))))
    if opens is not None:
        lines.append(
            subtle(
                t(
                    "The next period, {month}, opens on {date}.",
                    month=t.month(opens.replace(day=1)),
                    date=t.date(opens),
                )
            )
        )
    return lines


_TEXT_INPUTS = (
    ("achievements", N_("Achievements this month")),
    ("next_steps", N_("Next steps")),
    ("risks", N_("Risks and help needed")),
)
_MONEY_INPUTS = (("spent", N_("Spent to date (€)")), ("forecast", N_("Forecast at completion (€)")))


@lru_cache(maxsize=16)
def _form_parts(t: Translator) -> dict[str, dict[str, Any]]:
    """The form's fixed elements in one language, rendered once: each card copies them and
    fills in its own values (every ``status`` turn builds a form a project)."""
    parts = {
        "card": new_card(t, ""),
        "subtle": subtle(""),
        "title": title(""),
        "health": InputChoiceSet(
            id="health",
            label=t("Health"),
            style="expanded",
            is_required=True,
            error_message=t("Choose the project's health."),
            choices=[Choice(title=t(label), value=key) for key, label in HEALTH_LABELS.items()],
        ),
        "progress": InputNumber(
            id="progress",
            label=t("Progress (%)"),
            is_required=True,
            error_message=t("Enter progress from 0 to 100."),
        ),
        "column": Column(width="stretch", items=[]),
        "columns": ColumnSet(columns=[]),
        "metrics": heading(t("Metrics")),
        "metric": InputText(id="", label="", value=""),
        "save": ActionExecute(
            title=t("Save status"), verb=VERB_STATUS_SUBMIT, style="positive", data={}
        ),
    }
    for key, label in _MONEY_INPUTS:
        parts[key] = InputText(
            id=key,
            label=t(label),
            value="",
            placeholder=t("Euros, for example {amount}", amount=t.input_money(EXAMPLE_CENTS[0])),
            is_required=True,
            error_message=t("Enter an amount in euros."),
        )
    for key, label in _TEXT_INPUTS:
        parts[key] = InputText(id=key, label=t(label), value="", is_multiline=True)
    return {name: rendered(element) for name, element in parts.items()}


def build_status_card(view: StatusFormView, t: Translator) -> dict[str, Any]:
    """The editable card: pre-filled, with the errors of a rejected submission beside each field."""
    parts = _form_parts(t)
    month = t.month(view.period_start)
    body: list[Any] = [
        parts["subtle"] | {"text": t("Monthly status · {month}", month=month)},
        parts["title"] | {"text": f"{view.code} · {view.name}"},
    ]
    if not view.period_closed:
        body.append(
            parts["subtle"] | {"text": t("Please answer by {date}.", date=t.date(view.due))}
        )
    else:
        body += _after_close(view.next_period_opens, view.open_period, t)
    if view.banner:
        body.insert(0, TextBlock(text=view.banner, weight="Bolder", color="Accent", wrap=True))
    if view.revision:
        body.append(
            TextBlock(
                text=t(
                    "You are changing the report already saved for {month} (version {revision}).",
                    month=month,
                    revision=view.revision,
                ),
                wrap=True,
            )
        )
    elif view.prefilled_from:
        body.append(
            TextBlock(
                text=t(
                    "Pre-filled with the answers for {month}.",
                    month=t.month(view.prefilled_from),
                ),
                wrap=True,
                isSubtle=True,
            )
        )
    if view.period_closed:
        body.append(
            TextBlock(
                text=t("This period is closed: a change is recorded as late."),
                color="Warning",
                wrap=True,
            )
        )
    if FORM_ERROR in view.errors:
        body.append(attention(error_text(view.errors[FORM_ERROR], t)))
    elif view.errors:
        body.append(attention(t("Nothing was saved. Please check the marked fields.")))

    values, errors = view.values, view.errors
    health = parts["health"]
    if values.get("health") in HEALTH_LABELS:
        health = health | {"value": values["health"]}
    progress = parts["progress"]
    typed_progress = _progress_value(values.get("progress", ""))
    if typed_progress is not None:
        progress = progress | {"value": typed_progress}
    body += _with_error([health], errors, "health", t)
    body += _with_error([progress], errors, "progress", t)
    body.append(
        parts["columns"]
        | {
            "columns": [
                parts["column"]
                | {
                    "items": _with_error(
                        [parts[key] | {"value": values.get(key, "")}], errors, key, t
                    )
                }
                for key, _ in _MONEY_INPUTS
            ]
        }
    )
    if view.metrics:
        body.append(parts["metrics"])
        for metric in view.metrics:
            key = f"metric_{metric.id}"
            label = (
                t("{metric} ({unit})", metric=metric.name, unit=metric.unit)
                if metric.unit
                else metric.name
            )
            if metric.target:
                label = t("{metric}, target {target}", metric=label, target=metric.target)
            field = {"id": key, "label": label, "value": values.get(key, metric.value)}
            body += _with_error([parts["metric"] | field], errors, key, t)
    for key, _ in _TEXT_INPUTS:
        body += _with_error([parts[key] | {"value": values.get(key, "")}], errors, key, t)
    data = {"verb": VERB_STATUS_SUBMIT, "project_id": view.project_id, "period": view.period}
    card = parts["card"] | {
        "fallbackText": t("Status report for {project}", project=view.name),
        "body": body,
        "actions": [parts["save"] | {"data": data}],
    }
    return render(card)


def build_confirmation_card(view: ConfirmationView, t: Translator) -> dict[str, Any]:
    """What was saved, by whom and when. Editors get an Edit button through ``refresh``."""
    month = t.month(view.period_start)
    card = new_card(t, t("Status saved for {project}", project=view.name))
    facts = [
        Fact(title=t("Health"), value=t(HEALTH_LABELS.get(view.health, view.health))),
        Fact(title=t("Progress"), value=t.percent(view.progress)),
    ]
    if view.spent_cents is not None:
        facts.append(Fact(title=t("Spent to date"), value=t.money(view.spent_cents)))
    if view.forecast_cents is not None:
        facts.append(Fact(title=t("Forecast at completion"), value=t.money(view.forecast_cents)))
    facts += [Fact(title=metric.name, value=metric.value) for metric in view.metrics]
    body: list[Any] = [
        subtle(t("Monthly status · {month}", month=month)),
        title(f"{view.code} · {view.name}"),
        TextBlock(
            text="✅ "
            + t(
                "Saved by {name} on {when}.",
                name=view.submitted_by,
                when=t.datetime(view.submitted_at),
            ),
            wrap=True,
            color="Good",
        ),
    ]
    if view.revision > 1:
        body.append(subtle(t("Version {revision}", revision=view.revision)))
    if view.late:
        body.append(
            TextBlock(text=t("Saved after the period was closed."), color="Warning", wrap=True)
        )
    if view.frozen:
        body.append(
            TextBlock(
                text=t(
                    "This period is closed, so its report can no longer be changed. An admin can reopen the period."
                ),
                color="Warning",
                wrap=True,
            )
        )
        body += _after_close(view.next_period_opens, view.open_period, t)
    body.append(FactSet(facts=facts))
    for label, text in (
        (t("Achievements this month"), view.achievements),
        (t("Next steps"), view.next_steps),
        (t("Risks and help needed"), view.risks),
    ):
        if text:
            body.append(Container(items=[heading(label), TextBlock(text=text, wrap=True)]))
    card.body = body
    data = {"project_id": view.project_id, "period": view.period}
    if view.can_edit:
        card.actions = [
            ActionExecute(
                title=t("Edit"), verb=VERB_STATUS_EDIT, data={"verb": VERB_STATUS_EDIT, **data}
            )
        ]
    if view.editor_ids:
        card.refresh = Refresh(
            action=ActionExecute(
                verb=VERB_STATUS_REFRESH, data={"verb": VERB_STATUS_REFRESH, **data}
            ),
            user_ids=view.editor_ids[:60],
        )
    return render(card)
