"""Issue 14, "Text built from pieces" and "Formats inside strings": a line that puts a name
or a number next to words is one message, so that a translator can order its words."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from cards.cycle_cards import build_digest_card
from cards.status_cards import build_status_card
from cards.views import DigestView, HealthChange, MetricField, StatusFormView
from tests.support.cards import input_labels, texts
from translations import Translator

ZONE = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("language", "change"),
    [
        ("fi", "**DR25-07** Kartalla: tilanne {a} → {b}, edistyminen 40\xa0% → 45\xa0%"),
        ("sv", "**DR25-07** Kartalla: läge {a} → {b}, framsteg 40\xa0% → 45\xa0%"),
        ("en", "**DR25-07** Kartalla: health {a} → {b}, progress 40% → 45%"),
    ],
)
def test_the_digests_change_line_is_one_message_with_its_percentages(
    language: str, change: str
) -> None:
    t = Translator(language, ZONE)
    view = DigestView(
        period_start=date(2026, 11, 1),
        expected=2,
        received=2,
        health={"at_risk": 1, "on_track": 1},
        changes=[
            HealthChange("DR25-07", "Kartalla", "on_track", "at_risk", 40, 45),
            HealthChange("DR26-01", "Uusi", None, "on_track", None, 5),
        ],
        late=[],
        planned_cents=None,
        actual_cents=None,
    )
    shown = texts(build_digest_card(view, t)).splitlines()
    assert change.format(a=t("On track"), b=t("At risk")) in shown
    # a new project has no health or progress before: a dash, never "None"
    assert any(line.startswith("**DR26-01** Uusi:") and "– →" in line for line in shown)


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("fi", "Palautteita (kpl), tavoite 500"),
        ("sv", "Palautteita (st.), mål 500"),
        ("en", "Palautteita (pcs), target 500"),
    ],
)
def test_a_metrics_name_and_unit_are_one_message(language: str, label: str) -> None:
    t = Translator(language, ZONE)
    form = StatusFormView(
        project_id=7,
        code="DR25-07",
        name="Kartalla",
        period="2026-11",
        period_start=date(2026, 11, 1),
        due=date(2026, 11, 11),
        values={"health": "on_track", "progress": "45"},
        metrics=[
            MetricField(1, "Palautteita", t.unit("pcs"), "120", "500"),
            MetricField(2, "Käyttäjät", "", "3", None),
        ],
    )
    labels = input_labels(build_status_card(form, t))
    assert label in labels
    assert "Käyttäjät" in labels  # no unit: no empty brackets
