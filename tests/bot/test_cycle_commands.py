"""The cycle's commands over HTTP: admins run it, owners set away and deputy, answers stop reminders."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from app import SERVICES_KEY
from bot.adapter import ADAPTER_KEY
from bot.proactive import BotSender
from scheduler.dispatcher import Dispatcher
from storage.models import AuditLog, Conversation, CycleConfig, OutboxMessage, OutboxStatus, Person
from tests.support import activities as a
from tests.support.activities import as_language
from tests.support.cards import submission, texts
from tests.support.harness import BotHarness, ask
from tests.support.portfolio import ADMIN, DEPUTY, OTHER, OWNER
from translations import Translator

HELSINKI = ZoneInfo("Europe/Helsinki")


async def _dispatch(bot: BotHarness) -> int:
    sender = BotSender(bot.app[ADAPTER_KEY], bot.app[SERVICES_KEY])
    dispatcher = Dispatcher(bot.sessions, sender, worker="test")
    total = 0
    while claimed := await dispatcher.run_once():
        total += claimed
    return total


@pytest.mark.parametrize(
    "command",
    [
        "cycle",
        "prompt now",
        "remind now",
        "close period",
        "pause cycle",
        "cycle set time 08:00",
        "digest here",
    ],
)
async def test_cycle_commands_are_for_admins_only(bot: BotHarness, command: str) -> None:
    card = await ask(bot, OTHER, command)
    assert "Only programme admins can do that." in texts(card)
    async with bot.sessions() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
        assert await session.get(CycleConfig, 1) is None
        [refusal] = (await session.exec(select(AuditLog))).all()
    assert (refusal.action, refusal.entity, refusal.details["reason"]) == (
        "refused",
        "command",
        "not_admin",
    )


@pytest.mark.parametrize(
    ("language", "command", "expected"),
    [
        ("fi", "kierros", "Kuukausikierros"),
        ("sv", "omgång", "Rapporteringsomgången för"),
        ("sv", "cykel", "Rapporteringsomgången för"),  # the word used before is understood
        ("en", "cycle", "Monthly cycle"),
    ],
)
async def test_an_admin_sees_the_cycle_in_their_language(
    bot: BotHarness, language: str, command: str, expected: str
) -> None:
    card = await ask(bot, as_language(ADMIN, language), command)
    shown = texts(card)
    assert expected in shown
    assert "DR25-01" in shown and "DR25-02" in shown, "both projects are still unanswered"


async def test_prompt_now_reaches_owners_and_an_answer_stops_the_reminders(bot: BotHarness) -> None:
    url = bot.connector.url
    for user in (OWNER, OTHER, ADMIN):
        await bot.post(a.personal_install(user, url))
    welcomes = len(bot.connector.cards())
    card = await ask(bot, ADMIN, "prompt now")
    assert "2" in texts(card)
    assert await _dispatch(bot) == 2
    prompts = bot.connector.cards()[welcomes + 1 :]
    assert sorted(c["body"][1]["text"][:7] for c in prompts) == ["DR25-01", "DR25-02"]

    # the owner answers on the card; the next reminder goes only to the other owner
    status, _ = await bot.post(a.execute(OWNER, url, "status.submit", submission(bot)))
    assert status == 200
    before = len(bot.connector.cards())
    await ask(bot, ADMIN, "remind now")
    await _dispatch(bot)
    reminders = bot.connector.cards()[before + 1 :]
    assert len(reminders) == 1
    assert "DR25-02" in texts(reminders[0])
    assert "Reminder: your status report is still missing." in texts(reminders[0])
    to_owner = [
        c
        for c in bot.connector.calls
        if c.conversation_id == OWNER.conversation and c.method == "POST"
    ]
    assert not any("Muistutus" in texts(c.body) for c in to_owner)


@pytest.mark.parametrize(
    ("language", "close", "prompt", "remind", "expected"),
    [
        ("fi", "sulje jakso", "kysy nyt", "muistuta nyt", "Tämän kuun jakso on suljettu"),
        ("sv", "stäng period", "fråga nu", "påminn nu", "Den här månadens period är stängd"),
        ("en", "close period", "prompt now", "remind now", "This month's period is closed"),
    ],
)
async def test_after_close_prompt_and_remind_now_send_nothing_and_say_why(
    bot: BotHarness, language: str, close: str, prompt: str, remind: str, expected: str
) -> None:
    admin = as_language(ADMIN, language)
    for user in (OWNER, OTHER):
        await bot.post(a.personal_install(user, bot.connector.url))
    await ask(bot, admin, close)
    for command in (prompt, remind):
        card = await ask(bot, admin, command)
        assert expected in texts(card)
    async with bot.sessions() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
    assert await _dispatch(bot) == 0


async def test_pause_resume_and_settings(bot: BotHarness) -> None:
    await ask(bot, ADMIN, "pause cycle")
    async with bot.sessions() as session:
        config = await session.get(CycleConfig, 1)
        assert config is not None and config.paused
    card = await ask(bot, ADMIN, "cycle set time 08:30")
    assert "paused" in texts(card)
    await ask(bot, ADMIN, "resume cycle")
    card = await ask(bot, as_language(ADMIN, "fi"), "kierros aseta muistutukset -4,-1,0")
    async with bot.sessions() as session:
        config = await session.get(CycleConfig, 1)
        assert config is not None
        await session.refresh(config)
    assert (config.paused, config.send_time, config.reminder_offsets) == (
        False,
        "08:30",
        [-4, -1, 0],
    )
    assert "Muistutus 3" in texts(card), "the cycle card lists the new third reminder"
    bad = await ask(bot, ADMIN, "cycle set time 25:99")
    # the example is the configured time, a valid one
    assert "not a time of day" in texts(bad) and "cycle set time 08:30" in texts(bad)


@pytest.mark.parametrize(
    ("language", "pause", "prompt", "remind", "expected"),
    [
        ("fi", "tauota kierros", "kysy nyt", "muistuta nyt", "Kierros on tauolla"),
        ("sv", "pausa omgången", "fråga nu", "påminn nu", "Rapporteringsomgången är pausad"),
        ("en", "pause cycle", "prompt now", "remind now", "The cycle is paused"),
    ],
)
async def test_while_paused_prompt_and_remind_now_queue_nothing_and_say_why(
    bot: BotHarness, language: str, pause: str, prompt: str, remind: str, expected: str
) -> None:
    admin = as_language(ADMIN, language)
    for user in (OWNER, OTHER):
        await bot.post(a.personal_install(user, bot.connector.url))
    await ask(bot, admin, pause)
    for command in (prompt, remind):
        card = await ask(bot, admin, command)
        assert expected in texts(card)
    async with bot.sessions() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
    await ask(bot, admin, "resume cycle")
    card = await ask(bot, admin, prompt)
    assert "2" in texts(card)
    assert await _dispatch(bot) == 2


async def test_an_owner_sets_away_and_deputy(bot: BotHarness) -> None:
    card = await ask(bot, as_language(OWNER, "en"), "deputy bjorn lindqvist")
    assert "Björn Lindqvist is now your deputy." in texts(card)
    card = await ask(bot, as_language(OWNER, "fi"), "poissa 20.12.2099")
    assert "Björn Lindqvist saa tilakortit" in texts(card)
    async with bot.sessions() as session:
        owner = (await session.exec(select(Person).where(Person.aad_object_id == OWNER.aad))).one()
        deputy = (
            await session.exec(select(Person).where(Person.aad_object_id == DEPUTY.aad))
        ).one()
    assert owner.deputy_id == deputy.id and str(owner.away_until) == "2099-12-20"
    await ask(bot, OWNER, "back")
    async with bot.sessions() as session:
        owner_now = await session.get(Person, owner.id)
    assert owner_now is not None and owner_now.away_until is None
    refused = await ask(bot, OTHER, "away 2099-01-01 for Aino Virtanen")
    assert "Only programme admins" in texts(refused)


async def _digest_here_in_a_channel(bot: BotHarness) -> dict[str, Any]:
    """The bot added to a team, and an admin's "@Roadmap Bot digest here" in its channel."""
    team = a.team_install(ADMIN, bot.connector.url)
    await bot.post(team)
    message = a.message(ADMIN, bot.connector.url, "<at>Roadmap Bot</at> digest here")
    message["conversation"] = team["conversation"]
    message["channelData"] = team["channelData"]
    message["entities"] = [{"type": "mention", "text": "<at>Roadmap Bot</at>", "mentioned": a.BOT}]
    await bot.post(message)
    return team


async def test_digest_here_marks_a_channel(bot: BotHarness) -> None:
    team = await _digest_here_in_a_channel(bot)
    async with bot.sessions() as session:
        channel = (
            await session.exec(select(Conversation).where(col(Conversation.digest).is_(True)))
        ).one()
    assert channel.conversation_id == team["conversation"]["id"]
    assert "The managers' digest will be posted here" in texts(bot.connector.cards()[-1])
    async with bot.sessions() as session:
        pending = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)
            )
        ).all()
    assert pending == []


async def test_the_digest_in_a_channel_shows_no_money(bot: BotHarness) -> None:
    from scheduler import jobs
    from tests.support.portfolio import CURRENT_PERIOD

    team = await _digest_here_in_a_channel(bot)
    await bot.post(a.personal_install(ADMIN, bot.connector.url))
    await jobs.fire_step(CURRENT_PERIOD, "digest")
    assert await _dispatch(bot) >= 1
    in_channel = [
        attachment["content"]
        for call in bot.connector.calls
        if call.method == "POST" and call.conversation_id == team["conversation"]["id"]
        for attachment in call.body.get("attachments") or []
    ]
    digests = [card for card in in_channel if "Roadmap digest" in texts(card)]
    assert digests, "the digest was posted in the channel"
    assert all("€" not in texts(card) and "Budget used" not in texts(card) for card in digests)


@pytest.mark.parametrize(
    ("language", "command", "wrong", "example"),
    [
        ("en", "cycle set time 25:00", "“25:00” is not a time of day", "cycle set time 09:00"),
        # the locale's time: fi writes 9.00, and reads it back
        ("fi", "kierros aseta aika 9", "”9” ei ole kellonaika", "kierros aseta aika 9.00"),
        ("sv", "omgång ställ svarsdag 40", "”40” går inte här", "omgång ställ svarsdag 7"),
        ("sv", "cykel ställ frist 40", "”40” går inte här", "omgång ställ frist 7"),
        # reminder days separated by semicolons: "-3,0" would read as a decimal
        ("en", "cycle set reminders -3,x", "not a list of working days", "reminders -3; 0"),
        ("fi", "kierros aseta muistutukset -30", "väliltä \u221220…20", "muistutukset \u22123; 0"),
    ],
)
async def test_a_bad_setting_says_what_was_wrong_with_a_valid_example(
    bot: BotHarness, language: str, command: str, wrong: str, example: str
) -> None:
    async with bot.sessions() as session:
        before = await session.get(CycleConfig, 1)
        saved = before.model_dump() if before is not None else None
    card = await ask(bot, as_language(ADMIN, language), command)
    shown = texts(card)
    assert wrong in shown and example in shown, shown
    assert "Use for example" not in shown and "cycle set day 1" not in shown  # not the list
    async with bot.sessions() as session:
        after = await session.get(CycleConfig, 1)
        assert (after.model_dump() if after is not None else None) == saved  # nothing changed


@pytest.mark.parametrize(
    ("language", "set_time", "help_time", "usage", "reminders", "saved"),
    [
        # Finnish writes a time 8.30 and a minus sign "−"; the days are separated by ";"
        (
            "fi",
            "kierros aseta aika 8.30",
            "kierros aseta aika 8.30",
            "kierros aseta muistutukset \u22123; 0",
            "kierros aseta muistutukset \u22124; \u22121; 0",
            "kierros aseta muistutukset \u22124; \u22121; 0",
        ),
        (
            "sv",
            "cykel ställ tid 08:30",  # the former word is still understood
            "omgång ställ tid 8.30",
            "omgång ställ påminnelser \u22123; 0",
            "cykel ställ påminnelser -4 -1 0",
            "omgång ställ påminnelser \u22124; \u22121; 0",
        ),
        (
            "en",
            "cycle set time 8.30",
            "cycle set time 08:30",
            "cycle set reminders -3; 0",
            "cycle set reminders -4; -1; 0",
            "cycle set reminders -4; -1; 0",
        ),
    ],
)
async def test_the_cycles_examples_are_written_as_the_locale_writes_them_and_read_back(
    bot: BotHarness,
    language: str,
    set_time: str,
    help_time: str,
    usage: str,
    reminders: str,
    saved: str,
) -> None:
    admin = as_language(ADMIN, language)
    command = {"fi": "kierros aseta", "sv": "omgång ställ", "en": "cycle set"}[language]
    shown = texts(await ask(bot, admin, command))  # no setting named: the usage
    assert usage in shown and "-3,0" not in shown, shown
    await ask(bot, admin, set_time)
    help_card = texts(await ask(bot, admin, {"fi": "ohje", "sv": "hjälp", "en": "help"}[language]))
    assert f"**{help_time}**" in help_card, help_card
    assert "09:00" not in help_card
    await ask(bot, admin, reminders)
    async with bot.sessions() as session:
        config = await session.get(CycleConfig, 1)
        assert config is not None
        await session.refresh(config)
    assert (config.send_time, config.reminder_offsets) == ("08:30", [-4, -1, 0])
    shown = texts(await ask(bot, admin, command))
    assert saved in shown, "the example shows the configured days"


@pytest.mark.parametrize(
    ("language", "away", "written"),
    [
        ("fi", "poissa", r"\d{1,2}\.\d{1,2}\.\d{4}"),
        ("sv", "frånvarande", r"\d{1,2}\.\d{1,2}\.\d{4}"),  # Finland-Swedish, not 2026-12-20
        ("en", "away", r"\d{2}/\d{2}/\d{4}"),
    ],
)
async def test_the_away_example_is_the_locales_date_and_reads_back(
    bot: BotHarness, language: str, away: str, written: str
) -> None:
    owner = as_language(OWNER, language)
    shown = texts(await ask(bot, owner, f"{away} someday"))
    [example, *_] = re.findall(rf"{away} ({written})", shown)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown)
    await ask(bot, owner, f"{away} {example}")
    async with bot.sessions() as session:
        person = (await session.exec(select(Person).where(Person.aad_object_id == OWNER.aad))).one()
    saved = person.away_until
    t = Translator(language, HELSINKI)
    assert saved is not None and saved > datetime.now(HELSINKI).date()
    assert t.day(saved) == example
    again = texts(await ask(bot, owner, f"{away} {saved.isoformat()}"))  # ISO is read as well
    assert t.date(saved) in again
