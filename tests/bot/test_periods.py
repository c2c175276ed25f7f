"""Which periods a card can write to, over HTTP: the rule in the README's "Status periods".

- no project period: before the project's first roadmap year or the programme's start;
- a first report after its period closed is accepted and marked late;
- a report given in a closed period is frozen: the card says so and has no Edit button;
- an admin reopens a period (audited), and closes it again.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from scheduler.calendar import next_period, nth_working_day, parse_period
from storage.models import (
    AuditLog,
    MetricValue,
    Programme,
    Roadmap,
    RoadmapProject,
    StatusReport,
)
from tests.support import activities as a
from tests.support.cards import EDIT_TITLE, inputs, submission, texts
from tests.support.harness import BotHarness, ask
from tests.support.portfolio import ADMIN, CURRENT_PERIOD, LAST_PERIOD, OTHER, OWNER
from tests.support.state import snapshot
from translations import Translator


async def _submit(bot: BotHarness, period: str, **overrides: Any) -> dict[str, Any]:
    status, body = await bot.post(
        a.execute(
            OWNER, bot.connector.url, "status.submit", submission(bot, period=period, **overrides)
        )
    )
    assert status == 200
    card: dict[str, Any] = body["value"]
    return card


async def _audit(bot: BotHarness, action: str) -> list[AuditLog]:
    async with bot.sessions() as session:
        rows = await session.exec(
            select(AuditLog).where(col(AuditLog.action) == action).order_by(col(AuditLog.id))
        )
        return list(rows.all())


async def _report(bot: BotHarness, period: str) -> StatusReport | None:
    async with bot.sessions() as session:
        return (
            await session.exec(
                select(StatusReport).where(
                    StatusReport.project_id == bot.portfolio.kartalla_id,
                    StatusReport.period == period,
                )
            )
        ).first()


@pytest.mark.parametrize("period", ["1999-03", "1999-12", "2101-01"])
async def test_a_period_the_calendar_does_not_know_is_refused_and_nothing_is_written(
    bot: BotHarness, period: str
) -> None:
    before = await snapshot(bot.sessions)
    card = await _submit(bot, period)
    assert "Kortti viittaa projektiin, jota en tunne" in texts(card)
    assert await snapshot(bot.sessions) == before


async def test_no_report_before_the_projects_roadmap_year(bot: BotHarness) -> None:
    this_year = int(CURRENT_PERIOD[:4])
    async with bot.sessions() as session, session.begin():
        programme = Programme(
            name_fi="Digiohjelma",
            name_sv="Digiprogram",
            name_en="Digital programme",
            start_year=this_year - 2,
            end_year=this_year + 1,
        )
        session.add(programme)
        await session.flush()
        roadmap = Roadmap(programme_id=programme.id or 0, year=this_year)
        session.add(roadmap)
        await session.flush()
        session.add(
            RoadmapProject(roadmap_id=roadmap.id or 0, project_id=bot.portfolio.kartalla_id)
        )
    before = await snapshot(bot.sessions)
    last_year = f"{this_year - 1}-06"
    card = await _submit(bot, last_year)
    assert "before the project's roadmap year" in texts(card) or "ennen" in texts(card)
    assert not inputs(card)
    refused = await _audit(bot, "refused")
    assert [r.details["reason"] for r in refused] == ["no_project_period"]
    after = await snapshot(bot.sessions)
    assert after.pop("AuditLog") == before.pop("AuditLog") + 1, "only the refusal's entry"
    assert after == before
    january = await _submit(bot, f"{this_year}-01")
    assert "Tila tallennettu" in texts(january) or "Tallentanut" in texts(january)
    assert await _report(bot, f"{this_year}-01") is not None


async def test_a_first_report_after_close_is_kept_and_marked_late(bot: BotHarness) -> None:
    await ask(bot, ADMIN, "close period")
    card = await _submit(bot, CURRENT_PERIOD)
    report = await _report(bot, CURRENT_PERIOD)
    assert report is not None and report.late and report.revision == 1
    shown = texts(card)
    assert "Tallennettu jakson sulkemisen jälkeen." in shown
    assert EDIT_TITLE["fi"] not in shown, "once given, a closed period's report is frozen"


async def test_a_given_report_is_frozen_once_its_period_is_closed(bot: BotHarness) -> None:
    first = bot.portfolio.metric_ids[0]
    await _submit(bot, CURRENT_PERIOD, **{f"metric_{first}": "120"})
    await ask(bot, ADMIN, "close period")
    before = await snapshot(bot.sessions)
    async with bot.sessions() as session:
        values_before = (await session.exec(select(col(MetricValue.value)))).all()

    card = await _submit(bot, CURRENT_PERIOD, progress="90", **{f"metric_{first}": "999"})
    shown = texts(card)
    assert "Tämä jakso on suljettu" in shown
    assert EDIT_TITLE["fi"] not in shown and not inputs(card)
    status, body = await bot.post(
        a.execute(
            OWNER,
            bot.connector.url,
            "status.edit",
            {"project_id": bot.portfolio.kartalla_id, "period": CURRENT_PERIOD},
        )
    )
    assert status == 200 and not inputs(body["value"]), "Edit gives no form either"
    status_card = await ask(bot, OWNER, "tila")
    assert not inputs(status_card) and "Tämä jakso on suljettu" in texts(status_card)

    after = await snapshot(bot.sessions)
    assert after.pop("AuditLog") == before.pop("AuditLog") + 2, "two refusals, audited"
    assert after == before, "the report and its metric values are unchanged"
    async with bot.sessions() as session:
        assert (await session.exec(select(col(MetricValue.value)))).all() == values_before
    assert {r.details["reason"] for r in await _audit(bot, "refused")} == {"period_frozen"}


async def test_an_admin_reopens_a_period_and_closes_it_again(bot: BotHarness) -> None:
    await ask(bot, ADMIN, f"close period {LAST_PERIOD}")
    frozen = await _submit(bot, LAST_PERIOD, progress="45")
    assert "Tämä jakso on suljettu" in texts(frozen)

    refused = await ask(bot, OTHER, f"reopen period {LAST_PERIOD}")
    assert "Only programme admins can do that." in texts(refused)
    month, year = LAST_PERIOD[5:], LAST_PERIOD[:4]
    reopened = await ask(bot, ADMIN, f"reopen period {int(month)}/{year}")
    assert "is open again" in texts(reopened)
    saved = await _submit(bot, LAST_PERIOD, progress="45")
    assert EDIT_TITLE["fi"] in texts(saved)
    report = await _report(bot, LAST_PERIOD)
    assert report is not None and (report.revision, report.progress) == (2, 45)

    closed = await ask(bot, ADMIN, f"close period {LAST_PERIOD}")
    assert "is closed" in texts(closed)
    assert [r.entity_id for r in await _audit(bot, "period.reopen")] == [LAST_PERIOD]
    assert [r.entity_id for r in await _audit(bot, "period.close")] == [LAST_PERIOD] * 2
    again = await _submit(bot, LAST_PERIOD, progress="50")
    assert "Tämä jakso on suljettu" in texts(again)


@pytest.mark.parametrize(
    ("user", "command"),
    [
        (ADMIN, "avaa jakso 2026-13"),
        (ADMIN, "öppna period next month"),
        (ADMIN, "reopen period 2099-01"),
    ],
)
async def test_a_month_that_cannot_be_reopened_is_explained(
    bot: BotHarness, user: a.User, command: str
) -> None:
    card = await ask(bot, user, command)
    assert "2026-10 or 10/2026" in texts(card)


@pytest.mark.parametrize("project_id", ["²", "١٢", "1e3", " 1"], ids=repr)
async def test_project_ids_are_ascii_digits_only(bot: BotHarness, project_id: str) -> None:
    before = await snapshot(bot.sessions)
    card = await _submit(bot, CURRENT_PERIOD, project_id=project_id)
    assert "Kortti viittaa projektiin, jota en tunne" in texts(card)
    assert await snapshot(bot.sessions) == before


async def test_the_status_card_and_the_prompt_show_the_same_due_date(bot: BotHarness) -> None:
    from app import SERVICES_KEY
    from bot.adapter import ADAPTER_KEY
    from bot.proactive import BotSender
    from scheduler.calendar import due_date
    from scheduler.dispatcher import Dispatcher
    from translations import Translator

    await bot.post(a.personal_install(OWNER, bot.connector.url))
    await ask(bot, ADMIN, "cycle set due 3")
    zone = bot.app[SERVICES_KEY].settings.zone
    expected = Translator.for_locale("fi-FI", zone).date(
        due_date(CURRENT_PERIOD, due_working_days=3)
    )
    default = Translator.for_locale("fi-FI", zone).date(due_date(CURRENT_PERIOD))
    assert expected != default
    status_card = await ask(bot, OWNER, "tila")
    assert expected in texts(status_card)
    await ask(bot, ADMIN, "prompt now")
    sender = BotSender(bot.app[ADAPTER_KEY], bot.app[SERVICES_KEY])
    dispatcher = Dispatcher(bot.sessions, sender, worker="test")
    while await dispatcher.run_once():
        pass
    prompts = [c for c in bot.connector.cards() if "Tallenna tila" in texts(c)]
    assert len(prompts) >= 2
    assert all(expected in texts(card) for card in prompts)


async def test_a_closed_periods_form_says_when_the_next_period_opens(bot: BotHarness) -> None:
    await ask(bot, ADMIN, "close period")
    card = await ask(bot, OWNER, "tila")  # the owner's form for this, closed, period
    shown = texts(card)
    year, month = (int(part) for part in next_period(CURRENT_PERIOD).split("-"))
    opens = nth_working_day(year, month, 1)
    t = Translator("fi", ZoneInfo("Europe/Helsinki"))
    assert f"Seuraava jakso ({t.month(opens.replace(day=1))}) alkaa {t.date(opens)}." in shown
    assert "viimeistään" not in shown, "no due date on a closed period's card"


async def test_a_frozen_reports_card_says_when_the_next_period_opens(bot: BotHarness) -> None:
    """The read-only card of a closed period, by every way it is shown: the status command,
    a refresh (Action.Execute), and a refused save."""
    await _submit(bot, CURRENT_PERIOD)
    await ask(bot, ADMIN, "close period")
    year, month = (int(part) for part in next_period(CURRENT_PERIOD).split("-"))
    opens = nth_working_day(year, month, 1)
    t = Translator("fi", ZoneInfo("Europe/Helsinki"))
    expected = f"Seuraava jakso ({t.month(opens.replace(day=1))}) alkaa {t.date(opens)}."
    target = {"project_id": bot.portfolio.kartalla_id, "period": CURRENT_PERIOD}
    status, refreshed = await bot.post(
        a.execute(OWNER, bot.connector.url, "status.refresh", target)
    )
    assert status == 200
    for card in (
        await ask(bot, OWNER, "tila"),
        refreshed["value"],
        await _submit(bot, CURRENT_PERIOD),
    ):
        shown = texts(card)
        assert "Tämä jakso on suljettu" in shown and not inputs(card)
        assert expected in shown
        assert "viimeistään" not in shown


async def test_an_old_closed_periods_card_names_the_period_open_now(bot: BotHarness) -> None:
    """Last month's card, read this month: the next period after it opened long ago, so
    the card says this month's reports are open, and when the one after opens."""
    from storage.models import ReportingPeriod, utcnow

    async with bot.sessions() as session, session.begin():
        session.add(ReportingPeriod(period=LAST_PERIOD, closed_at=utcnow()))
    target = {"project_id": bot.portfolio.kartalla_id, "period": LAST_PERIOD}
    status, body = await bot.post(a.execute(OWNER, bot.connector.url, "status.refresh", target))
    assert status == 200
    shown = texts(body["value"])
    t = Translator("fi", ZoneInfo("Europe/Helsinki"))
    this_month = nth_working_day(*parse_period(CURRENT_PERIOD), 1)
    following = nth_working_day(*parse_period(next_period(CURRENT_PERIOD)), 1)
    today = utcnow().astimezone(ZoneInfo("Europe/Helsinki")).date()
    if this_month <= today:
        assert f"Raportointi on nyt auki: {t.month(this_month.replace(day=1))}." in shown
        assert f"alkaa {t.date(following)}." in shown
    else:  # the first days of a month, before its first working day
        assert f"alkaa {t.date(this_month)}." in shown
    assert "viimeistään" not in shown
