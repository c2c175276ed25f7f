"""Install, welcome, roster and uninstall, over HTTP."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, select

from storage.models import Conversation, ConversationKind, Person
from tests.support import activities as a
from tests.support.activities import User, as_language
from tests.support.cards import texts
from tests.support.harness import BotHarness
from tests.support.portfolio import ADMIN, OTHER, OWNER

WELCOME = {"fi": "Hei Aino!", "sv": "Hej Aino!", "en": "Hello Aino!"}
NAMELESS = {
    "fi": "Tervetuloa, olen tiekarttabotti",
    "sv": "Välkommen till färdplansboten",
    "en": "Welcome to Roadmap Bot",
}
OPEN_STATUS = {
    "fi": "Avaa tilakorttini",
    "sv": "Öppna mitt statuskort",
    "en": "Open my status card",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_personal_install_stores_the_reference_and_welcomes_once(
    bot: BotHarness, language: str
) -> None:
    owner = as_language(OWNER, language)
    url = bot.connector.url
    status, _ = await bot.post(a.personal_install(owner, url))
    assert status == 201
    await bot.post(a.bot_added_to_personal(owner, url))  # Teams sends both on install
    [card] = bot.connector.cards()
    # an install says only the display name: no given name is guessed from it
    assert NAMELESS[language] in texts(card) and "Aino" not in texts(card)
    assert OPEN_STATUS[language] in texts(card), "an owner is offered their status card"
    async with bot.sessions() as session:
        conversation = (await session.exec(select(Conversation))).one()
        person = await session.get(Person, conversation.person_id)
    assert conversation.kind == ConversationKind.personal
    assert conversation.tenant_id == "tenant-porvoo"
    assert conversation.reference["conversation"]["id"] == owner.conversation
    assert conversation.reference["serviceUrl"] == url
    assert person is not None and person.aad_object_id == owner.aad


@pytest.mark.parametrize("concurrently", [True, False], ids=["concurrent", "one after the other"])
async def test_group_chat_install_welcomes_once(bot: BotHarness, concurrently: bool) -> None:
    """Teams sends both installationUpdate and conversationUpdate (membersAdded: the bot)
    when a group chat adds the app; they may be processed at the same time."""
    url = bot.connector.url
    install = a.in_conversation(a.personal_install(OWNER, url), "groupChat")
    added = a.in_conversation(a.bot_added_to_personal(OWNER, url), "groupChat")
    added["membersAdded"] = [a.BOT]
    if concurrently:
        statuses = list(await asyncio.gather(bot.post(install), bot.post(added)))
    else:
        statuses = [await bot.post(install), await bot.post(added)]
    assert all(status < 300 for status, _ in statuses)
    [card] = bot.connector.cards()
    assert "Olen digiohjelman tiekartta-avustaja." in texts(card)
    async with bot.sessions() as session:
        chat = (await session.exec(select(Conversation))).one()
    assert chat.kind == ConversationKind.group_chat
    assert chat.conversation_id == a.GROUP_CHAT


async def test_uninstall_forgets_the_reference(bot: BotHarness) -> None:
    url = bot.connector.url
    await bot.post(a.personal_install(OWNER, url))
    await bot.post(a.personal_install(OTHER, url))
    await bot.post(a.personal_uninstall(OWNER, url))
    async with bot.sessions() as session:
        remaining = (await session.exec(select(Conversation.conversation_id))).all()
    assert remaining == [OTHER.conversation]


async def test_team_install_pages_the_roster_and_stores_everyone(bot: BotHarness) -> None:
    bot.connector.roster = [
        {
            "id": f"29:member-{n}",
            "name": f"Member {n}",
            "aadObjectId": f"aad-member-{n}",
            "email": f"member{n}@porvoo.example",
            "userPrincipalName": f"member{n}@porvoo.example",
        }
        for n in range(5)
    ]
    bot.connector.page_size = 2
    status, _ = await bot.post(a.team_install(OWNER, bot.connector.url))
    assert status == 201
    pages = [c for c in bot.connector.calls if c.path.endswith("/pagedmembers")]
    assert len(pages) == 3, "five members in pages of two"
    async with bot.sessions() as session:
        members = (
            await session.exec(
                select(Person).where(col(Person.aad_object_id).startswith("aad-member-"))
            )
        ).all()
        team = (await session.exec(select(Conversation))).one()
    assert sorted(p.email or "" for p in members) == [f"member{n}@porvoo.example" for n in range(5)]
    assert team.kind == ConversationKind.channel
    assert team.team_id == "19:team@thread.tacv2"
    [card] = bot.connector.cards()
    assert "Hei" not in texts(card), "a channel is not greeted by one person's name"
    assert "Olen digiohjelman tiekartta-avustaja." in texts(card)


async def test_unknown_text_gets_help_not_silence(bot: BotHarness) -> None:
    await bot.post(a.message(as_language(OWNER, "sv"), bot.connector.url, "vad är klockan"))
    [card] = bot.connector.cards()
    assert "Jag förstod inte ”vad är klockan”" in texts(card)
    assert "hjälp" in texts(card)


@pytest.mark.parametrize(
    ("language", "word", "expected"),
    [
        ("fi", "OHJE", "Tiekarttabotin ohje"),
        ("sv", "hjälp", "Hjälp för färdplansboten"),
        ("en", " Help! ", "Roadmap Bot help"),
    ],
)
async def test_help_in_each_language(
    bot: BotHarness, language: str, word: str, expected: str
) -> None:
    await bot.post(a.message(as_language(OWNER, language), bot.connector.url, word))
    [card] = bot.connector.cards()
    assert expected in texts(card)
    assert "not understand" not in texts(card)


async def test_language_command_overrides_the_teams_locale(bot: BotHarness) -> None:
    english_owner = as_language(OWNER, "en")
    await bot.post(a.message(english_owner, bot.connector.url, "language sv"))
    await bot.post(a.message(english_owner, bot.connector.url, "help"))
    confirmation, help_card = bot.connector.cards()
    assert "svenska" in texts(confirmation)
    assert "Hjälp för färdplansboten" in texts(help_card)
    await bot.post(a.message(english_owner, bot.connector.url, "språk auto"))
    await bot.post(a.message(english_owner, bot.connector.url, "help"))
    assert "Roadmap Bot help" in texts(bot.connector.cards()[-1])
    await bot.post(a.message(english_owner, bot.connector.url, "language klingon"))
    assert "language fi, language sv" in texts(bot.connector.cards()[-1])


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_the_welcome_greets_by_the_rosters_given_name_never_a_guess(
    bot: BotHarness, language: str
) -> None:
    """A directory that lists "Lehtonen Sanna" gave "Hei Lehtonen!" when the first word of
    the display name was taken for the given name: the roster's ``givenName`` is used."""
    surname_first = User("29:sanna", "aad-sanna", "Lehtonen Sanna", "fi-FI")
    bot.connector.roster = [
        {**OWNER.account, "name": "Virtanen Aino", "givenName": "Aino"},
        {**surname_first.account, "surname": "Lehtonen"},  # no givenName in the directory
    ]
    await bot.post(a.team_install(ADMIN, bot.connector.url))
    async with bot.sessions() as session:
        people = {p.aad_object_id: p.given_name for p in (await session.exec(select(Person))).all()}
    assert people[OWNER.aad] == "Aino" and people[surname_first.aad] is None
    for user in (OWNER, surname_first):
        await bot.post(a.personal_install(as_language(user, language), bot.connector.url))
    owner_card, sanna_card = bot.connector.cards()[-2:]
    assert WELCOME[language] in texts(owner_card)
    assert NAMELESS[language] in texts(sanna_card) and "Lehtonen!" not in texts(sanna_card)
    async with bot.sessions() as session:
        owner = (await session.exec(select(Person).where(Person.aad_object_id == OWNER.aad))).one()
    assert owner.given_name == "Aino", "an activity's sender, without one, keeps it"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_personal_install_asks_the_roster_for_the_given_name(
    bot: BotHarness, language: str
) -> None:
    """A 1:1 chat's install names only the display name; the member's roster entry (one
    connector call) has the directory's givenName, so the first 1:1 chat greets by it."""
    owner = as_language(OWNER, language)
    bot.connector.roster = [{**OWNER.account, "name": "Virtanen Aino", "givenName": "Aino"}]
    await bot.post(a.personal_install(owner, bot.connector.url))
    [card] = bot.connector.cards()
    assert WELCOME[language] in texts(card)
    looked_up = [c.path for c in bot.connector.calls if c.method == "GET"]
    assert looked_up == [f"/v3/conversations/{owner.conversation}/members/{OWNER.teams_id}"]
