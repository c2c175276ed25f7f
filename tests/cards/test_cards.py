"""Every card the bot can send, in every language, against the official schema and size limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from bot.intents import table
from cards.cycle_cards import build_cycle_status_card, build_digest_card, build_escalation_card
from cards.messages import build_help_card, build_notice_card, build_welcome_card
from cards.status_cards import build_confirmation_card, build_status_card
from cards.views import (
    ConfirmationView,
    CycleStatusView,
    DigestView,
    EscalationView,
    HealthChange,
    MetricField,
    MetricReading,
    MissingProject,
    StatusFormView,
    WelcomeView,
)
from storage.models import Role
from translations import LANGUAGES, Translator

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "adaptive-card-1.5.json"
MAX_MESSAGE_BYTES = 80 * 1024
ZONE = ZoneInfo("Europe/Helsinki")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _form(**changes: Any) -> StatusFormView:
    values: dict[str, Any] = {
        "project_id": 7,
        "code": "DR25-07",
        "name": "Kartalla",
        "period": "2026-11",
        "period_start": date(2026, 11, 1),
        "due": date(2026, 11, 11),
        "values": {"health": "at_risk", "progress": "45", "spent": "12500", "forecast": "20000"},
        "metrics": [MetricField(1, "Palautteita", "pcs", "120", "500")],
        "prefilled_from": date(2026, 10, 1),
    }
    values.update(changes)
    return StatusFormView(**values)


def _confirmation(**changes: Any) -> ConfirmationView:
    values: dict[str, Any] = {
        "project_id": 7,
        "code": "DR25-07",
        "name": "Kartalla",
        "period": "2026-11",
        "period_start": date(2026, 11, 1),
        "health": "off_track",
        "progress": 45,
        "spent_cents": 1_250_050,
        "forecast_cents": 2_000_000,
        "metrics": [MetricReading("Palautteita", "120\xa0kpl")],
        "achievements": "Pilotti",
        "next_steps": "Koulutus",
        "risks": "Resurssit",
        "submitted_by": "Aino Virtanen",
        "submitted_at": datetime(2026, 11, 5, 8, 30, tzinfo=UTC),
        "revision": 2,
        "late": True,
        "editor_ids": ["29:owner", "29:deputy"],
        "can_edit": True,
    }
    values.update(changes)
    return ConfirmationView(**values)


LONG = "ä" * 2000
MISSING = [
    MissingProject(f"DR25-{n:02d}", "Projekti " * 8, "Aino Virtanen", "Talousjohtaja")
    for n in range(80)
]
DIGEST = DigestView(
    period_start=date(2026, 11, 1),
    expected=80,
    received=61,
    health={"on_track": 40, "at_risk": 15, "off_track": 6},
    changes=[
        HealthChange(f"DR25-{n:02d}", "Projekti", "on_track", "at_risk", 40, 45) for n in range(60)
    ]
    + [HealthChange("DR26-01", "Uusi", None, "on_track", None, 5)],
    late=MISSING,
    planned_cents=795_000_000,
    actual_cents=401_234_500,
)
CARDS: dict[str, Callable[[Translator], dict[str, Any]]] = {
    "status form": lambda t: build_status_card(_form(), t),
    "status form, editing a saved report in a closed period": lambda t: build_status_card(
        _form(revision=3, period_closed=True, prefilled_from=None), t
    ),
    "status form with every error": lambda t: build_status_card(
        _form(
            values={"progress": "140", "spent": "-1", "forecast": "NaN", "health": "nonsense"},
            errors={
                k: "Enter a number."
                for k in (
                    "health",
                    "progress",
                    "spent",
                    "forecast",
                    "metric_1",
                    "achievements",
                    "next_steps",
                    "risks",
                    "_form",
                )
            },
        ),
        t,
    ),
    "status form, largest": lambda t: build_status_card(
        _form(
            values={"achievements": LONG, "next_steps": LONG, "risks": LONG, "progress": "1"},
            metrics=[MetricField(n, "Mittari " * 10, "pcs", "1" * 12, "9" * 12) for n in range(30)],
            name="N" * 300,
        ),
        t,
    ),
    "confirmation with edit": lambda t: build_confirmation_card(_confirmation(), t),
    "confirmation, read-only": lambda t: build_confirmation_card(
        _confirmation(can_edit=False, editor_ids=[], late=False, revision=1), t
    ),
    "confirmation, largest": lambda t: build_confirmation_card(
        _confirmation(
            achievements=LONG,
            next_steps=LONG,
            risks=LONG,
            editor_ids=[f"29:{n:040d}" for n in range(80)],
            metrics=[MetricReading("M" * 200, "1" * 20)] * 30,
        ),
        t,
    ),
    "help": lambda t: build_help_card(table.help_view(t, role=Role.owner), t),
    "help after unknown text": lambda t: build_help_card(
        table.help_view(t, role=Role.owner, not_understood="mitä kuuluu?", suggestions=["late"]), t
    ),
    "welcome, owner": lambda t: build_welcome_card(WelcomeView("Aino", True, True, 3), t),
    "welcome, channel": lambda t: build_welcome_card(WelcomeView("", False, False, 0), t),
    "status form, reminder to a deputy": lambda t: build_status_card(
        _form(banner="Reminder: your status report is still missing."), t
    ),
    "escalation to a director": lambda t: build_escalation_card(
        EscalationView(date(2026, 11, 1), date(2026, 11, 11), MISSING[:5], copy=False), t
    ),
    "escalation copy, longest": lambda t: build_escalation_card(
        EscalationView(date(2026, 11, 1), date(2026, 11, 11), MISSING, copy=True), t
    ),
    "digest, largest": lambda t: build_digest_card(DIGEST, t),
    "digest, empty portfolio": lambda t: build_digest_card(
        DigestView(date(2026, 11, 1), 0, 0, {}, [], [], 0, 0), t
    ),
    "cycle status": lambda t: build_cycle_status_card(
        CycleStatusView(
            date(2026, 11, 1),
            date(2026, 11, 11),
            True,
            80,
            61,
            MISSING,
            [
                ("Prompt", "2.11.2026 9.00", "done"),
                ("Reminder 1", "5.11.2026 9.00", "missed"),
                ("Digest", "17.11.2026 10.00", "pending"),
            ],
        ),
        t,
    ),
    "cycle status, all answered": lambda t: build_cycle_status_card(
        CycleStatusView(date(2026, 11, 1), date(2026, 11, 11), False, 3, 3, [], []), t
    ),
    "help for admins": lambda t: build_help_card(table.help_view(t, role=Role.admin), t),
    "notice": lambda t: build_notice_card(
        t("That button is no longer supported."), t, warning=True
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(CARDS))
def test_card_is_valid_and_small(
    validator: jsonschema.protocols.Validator, name: str, language: str
) -> None:
    t = Translator(language, ZONE)
    card = CARDS[name](t)
    errors = sorted(validator.iter_errors(card), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    message = {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
    assert len(json.dumps(message, ensure_ascii=False).encode()) < MAX_MESSAGE_BYTES
    assert card["lang"] == language


def test_refresh_lists_at_most_sixty_users() -> None:
    card = CARDS["confirmation, largest"](Translator("en", ZONE))
    assert len(card["refresh"]["userIds"]) == 60


def test_the_schema_check_catches_a_broken_card(validator: jsonschema.protocols.Validator) -> None:
    card = CARDS["status form"](Translator("fi", ZONE))
    card["body"].append({"type": "Input.Number", "id": "x", "value": "not a number"})
    assert list(validator.iter_errors(card))


@pytest.mark.parametrize(
    ("language", "money"),
    [("fi", "12\xa0500,50\xa0€"), ("sv", "12\xa0500,50\xa0€"), ("en", "€12,500.50")],
)
def test_money_and_times_follow_the_locale(language: str, money: str) -> None:
    card = CARDS["confirmation with edit"](Translator(language, ZONE))
    text = json.dumps(card, ensure_ascii=False)
    assert money in text
    assert "10:30" in text or "10.30" in text, "08:30 UTC is 10:30 in Helsinki"


def test_the_cycle_card_marks_each_step_as_it_went() -> None:
    """A step recorded as missed shows the warning mark, not the done one."""
    card = CARDS["cycle status"](Translator("en", ZONE))
    facts = {
        fact["title"]: fact["value"]
        for element in card["body"]
        if element["type"] == "FactSet"
        for fact in element["facts"]
    }
    assert facts["Prompt"] == "✅ 2.11.2026 9.00"
    assert facts["Reminder 1"] == "⚠️ 5.11.2026 9.00"
    assert facts["Digest"] == "⏳ 17.11.2026 10.00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "40\xa0% → 45\xa0%"), ("sv", "40\xa0% → 45\xa0%"), ("en", "40% → 45%")],
)
def test_the_digest_writes_percentages_as_the_locale_does(language: str, expected: str) -> None:
    """One percent style a locale: Babel's, never a hand-written "45 %" in English."""
    card = json.dumps(build_digest_card(DIGEST, Translator(language, ZONE)), ensure_ascii=False)
    assert expected in card
    assert "45 %" not in card, "a percent sign after a plain space is hand-written"
