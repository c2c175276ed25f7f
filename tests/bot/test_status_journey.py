"""The owner's journey over HTTP, in all three languages: status card, submit, edit."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import AuditLog, StatusReport, StatusRevision
from tests.support import activities as a
from tests.support.activities import User, as_language
from tests.support.cards import EDIT_TITLE, SAVE_TITLE, inputs, submission, texts
from tests.support.harness import BotHarness
from tests.support.portfolio import ADMIN, CURRENT_PERIOD, DEPUTY, OTHER, OWNER
from translations import language_of

STATUS_WORD = {"fi": "tila", "sv": "status", "en": "status"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_status_card_is_prefilled_with_last_period(bot: BotHarness, language: str) -> None:
    owner = as_language(OWNER, language)
    status, _ = await bot.post(a.message(owner, bot.connector.url, STATUS_WORD[language]))
    assert status == 201
    [card] = bot.connector.cards()
    assert card["lang"] == language
    values = inputs(card)
    assert values["progress"] == 40
    assert values["spent"] == {"fi": "20\xa0000", "sv": "20\xa0000", "en": "20,000"}[language]
    assert values["health"] == "on_track"
    assert SAVE_TITLE[language] in texts(card)
    assert "DR25-01" in texts(card)
    metric = {"fi": "Palautteita (kpl)", "sv": "Respons (st.)", "en": "Feedback items (pcs)"}
    assert metric[language] in texts(card), "the metric's unit is in the reader's language"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_submit_saves_and_replaces_the_card_with_a_confirmation(
    bot: BotHarness, language: str
) -> None:
    owner = as_language(OWNER, language)
    status, body = await bot.post(
        a.execute(owner, bot.connector.url, "status.submit", submission(bot))
    )
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    card = body["value"]
    shown = texts(card)
    assert "Aino Virtanen" in shown
    assert "55" in shown
    expected_money = {"fi": "52\xa0000,50\xa0€", "sv": "52\xa0000,50\xa0€", "en": "€52,000.50"}
    assert expected_money[language] in shown
    assert EDIT_TITLE[language] in shown
    assert sorted(card["refresh"]["userIds"]) == ["29:deputy", "29:owner"]
    assert not inputs(card), "the confirmation is read-only"

    async with bot.sessions() as session:
        report = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).one()
        revisions = (await session.exec(select(StatusRevision))).all()
        audit = (await session.exec(select(AuditLog))).all()
    assert (report.progress, report.spent_cents) == (55, 2_500_000)
    assert report.forecast_cents == 5_200_050
    assert [r.number for r in revisions if r.report_id == report.id] == [1]
    assert [entry.action for entry in audit] == ["status.submit"]


async def test_edit_then_submit_keeps_both_revisions(bot: BotHarness) -> None:
    url = bot.connector.url
    await bot.post(a.execute(OWNER, url, "status.submit", submission(bot)))
    edit_data = {
        "verb": "status.edit",
        "project_id": bot.portfolio.kartalla_id,
        "period": CURRENT_PERIOD,
    }
    status, body = await bot.post(a.execute(OWNER, url, "status.edit", edit_data))
    assert status == 200
    form = body["value"]
    assert inputs(form)["progress"] == 55, "the edit form shows what was saved"
    assert "versio 1" in texts(form)
    status, body = await bot.post(
        a.execute(OWNER, url, "status.submit", submission(bot, progress="60"))
    )
    assert status == 200
    async with bot.sessions() as session:
        report = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).one()
        revisions = (
            await session.exec(select(StatusRevision).where(StatusRevision.report_id == report.id))
        ).all()
        actions = [e.action for e in (await session.exec(select(AuditLog))).all()]
    assert report.revision == 2 and report.progress == 60
    assert sorted(r.progress for r in revisions) == [55, 60]
    assert actions == ["status.submit", "status.revise"]


async def test_action_submit_updates_the_card_in_place(bot: BotHarness) -> None:
    status, _ = await bot.post(a.submit(OWNER, bot.connector.url, submission(bot)))
    assert status == 201
    [update] = bot.connector.updates()
    assert update.activity_id == "card-1"
    card = update.body["attachments"][0]["content"]
    assert "Aino Virtanen" in texts(card)
    assert not bot.connector.sent(), "the card is replaced, not followed by a new message"


@pytest.mark.parametrize("user", [DEPUTY, ADMIN], ids=["owner's deputy", "admin"])
async def test_deputy_and_admin_may_report(bot: BotHarness, user: User) -> None:
    status, body = await bot.post(
        a.execute(user, bot.connector.url, "status.submit", submission(bot))
    )
    assert status == 200
    assert user.name in texts(body["value"])
    async with bot.sessions() as session:
        report = (
            await session.exec(select(StatusReport).where(StatusReport.period == CURRENT_PERIOD))
        ).one()
    assert report.progress == 55


async def test_refresh_gives_editors_the_edit_button_and_others_a_read_only_view(
    bot: BotHarness,
) -> None:
    await bot.post(a.execute(OWNER, bot.connector.url, "status.submit", submission(bot)))
    data = {
        "verb": "status.refresh",
        "project_id": bot.portfolio.kartalla_id,
        "period": CURRENT_PERIOD,
    }
    _, for_deputy = await bot.post(a.execute(DEPUTY, bot.connector.url, "status.refresh", data))
    _, for_other = await bot.post(a.execute(OTHER, bot.connector.url, "status.refresh", data))
    deputy_actions = [action["verb"] for action in for_deputy["value"].get("actions", [])]
    assert deputy_actions == ["status.edit"]
    assert "actions" not in for_other["value"]
    assert "Aino Virtanen" in texts(for_other["value"])


async def test_deputy_gets_the_owners_project_in_their_status(bot: BotHarness) -> None:
    await bot.post(a.message(DEPUTY, bot.connector.url, "status"))
    [card] = bot.connector.cards()
    assert "DR25-01" in texts(card)
    assert language_of(card["lang"]) == "sv"


async def test_someone_without_projects_is_told_so(bot: BotHarness) -> None:
    await bot.post(a.message(ADMIN, bot.connector.url, "status"))
    [card] = bot.connector.cards()
    assert "no ongoing projects" in texts(card)
