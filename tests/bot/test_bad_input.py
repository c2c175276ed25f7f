"""Bad input gets a clear error, the typed values back, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import activities as a
from tests.support.activities import User
from tests.support.cards import inputs, submission, texts
from tests.support.harness import BotHarness
from tests.support.portfolio import CURRENT_PERIOD, OTHER, OWNER
from tests.support.state import snapshot

LONG = "x" * 2001
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, overrides, the field whose error shows, a phrase of the English message)
    ("progress over 100", {"progress": "140"}, "progress", "between 0 and 100"),
    ("negative progress", {"progress": "-5"}, "progress", "between 0 and 100"),
    ("fractional progress", {"progress": "45.5"}, "progress", "whole number"),
    ("negative money", {"spent": "-100"}, "spent", "cannot be negative"),
    ("non-numeric money", {"spent": "lots"}, "spent", "amount in euros"),
    ("NaN money", {"forecast": "NaN"}, "forecast", "amount in euros"),
    ("infinite money", {"forecast": "Infinity"}, "forecast", "amount in euros"),
    ("huge money", {"spent": "900000000000000"}, "spent", "too large"),
    ("fractions of a cent", {"spent": "10.555"}, "spent", "two decimals"),
    ("over-long text", {"achievements": LONG}, "achievements", "too long"),
    ("progress as a list", {"progress": [50]}, "progress", "wrong type"),
    ("money as an object", {"spent": {"eur": 5}}, "spent", "wrong type"),
    ("unknown health", {"health": "great"}, "health", "health"),
    ("unknown field", {"is_admin": "true"}, "_form", "fields this project does not have"),
    ("another project's metric", {"metric_999": "5"}, "_form", "fields this project does not have"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_rejected_submission_keeps_what_was_typed(
    bot: BotHarness, overrides: dict[str, Any], field: str, phrase: str
) -> None:
    before = await snapshot(bot.sessions)
    data = submission(bot, **overrides)
    owner_in_english = User(OWNER.teams_id, OWNER.aad, OWNER.name, "en-GB")
    status, body = await bot.post(
        a.execute(owner_in_english, bot.connector.url, "status.submit", data)
    )
    assert status == 200
    card = body["value"]
    assert phrase in texts(card)
    typed = inputs(card)
    if field not in ("_form", "progress", "health") and isinstance(overrides.get(field), str):
        assert typed[field] == overrides[field], "the card gives back what the user typed"
    if field != "achievements":
        assert typed["achievements"] == data["achievements"]
    assert typed["next_steps"] == "Koulutus"
    assert await snapshot(bot.sessions) == before


async def test_rejected_progress_is_given_back(bot: BotHarness) -> None:
    status, body = await bot.post(
        a.execute(OWNER, bot.connector.url, "status.submit", submission(bot, progress="140"))
    )
    assert status == 200
    assert inputs(body["value"])["progress"] == 140
    assert "Edistymisen on oltava välillä 0–100." in texts(body["value"])


async def test_someone_elses_project_is_refused(bot: BotHarness) -> None:
    before = await snapshot(bot.sessions)
    status, body = await bot.post(
        a.execute(OTHER, bot.connector.url, "status.submit", submission(bot))
    )
    assert status == 200
    assert "Only the project's owner" in texts(body["value"])
    assert not inputs(body["value"]), "no form of someone else's project"
    assert "€" not in str(body["value"])
    after = await snapshot(bot.sessions)
    assert after.pop("AuditLog") == before.pop("AuditLog") + 1, "the refusal is audited"
    assert after == before


@pytest.mark.parametrize("project_id", [999_999, "abc", -1, True, None], ids=repr)
async def test_unknown_project_is_refused(bot: BotHarness, project_id: object) -> None:
    before = await snapshot(bot.sessions)
    status, body = await bot.post(
        a.execute(OWNER, bot.connector.url, "status.submit", submission(bot, project_id=project_id))
    )
    assert status == 200
    assert "Kortti viittaa projektiin, jota en tunne" in texts(body["value"])
    assert await snapshot(bot.sessions) == before


@pytest.mark.parametrize("period", ["2099-01", "2026-13", "not-a-period", 202611])
async def test_bad_period_is_refused(bot: BotHarness, period: object) -> None:
    before = await snapshot(bot.sessions)
    _, body = await bot.post(
        a.execute(OWNER, bot.connector.url, "status.submit", submission(bot, period=period))
    )
    assert "Kortti viittaa" in texts(body["value"])
    assert await snapshot(bot.sessions) == before


async def test_replayed_submission_is_processed_once(bot: BotHarness) -> None:
    activity = a.execute(OWNER, bot.connector.url, "status.submit", submission(bot))
    first_status, first = await bot.post(activity)
    after_first = await snapshot(bot.sessions)
    replay_status, replay = await bot.post(activity)
    assert (first_status, replay_status) == (200, 200)
    assert await snapshot(bot.sessions) == after_first
    assert texts(replay["value"]) == texts(first["value"]), "the replay shows what was saved"


async def test_replayed_message_is_answered_once(bot: BotHarness) -> None:
    activity = a.message(OWNER, bot.connector.url, "help")
    await bot.post(activity)
    await bot.post(activity)
    assert len(bot.connector.sent()) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"text"', "application/json", 400),
        (b"{}", "application/json", 400),
        (b'{"type": "message"}', "application/json", 400),
        (b'{"type": "message", "serviceUrl": 5, "conversation": "x"}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
    ],
)
async def test_malformed_http_gets_4xx_not_500(
    sqlite_bot: BotHarness, body: bytes, content_type: str, expected: int
) -> None:
    before = await snapshot(sqlite_bot.sessions)
    async with sqlite_bot.http.post(
        f"{sqlite_bot.url}/api/messages", data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == expected
    assert await snapshot(sqlite_bot.sessions) == before
    assert not sqlite_bot.connector.calls


async def test_closed_period_edit_is_saved_as_late_and_audited(bot: BotHarness) -> None:
    from sqlmodel import select

    from storage.models import AuditLog, ReportingPeriod, StatusReport, utcnow

    async with bot.sessions() as session, session.begin():
        session.add(ReportingPeriod(period=CURRENT_PERIOD, closed_at=utcnow()))
    status, body = await bot.post(
        a.execute(OWNER, bot.connector.url, "status.submit", submission(bot))
    )
    assert status == 200
    assert "Tallennettu jakson sulkemisen jälkeen." in texts(body["value"])
    async with bot.sessions() as session:
        report = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).one()
        audit = (await session.exec(select(AuditLog))).one()
    assert report.late
    assert audit.details["late"] is True
