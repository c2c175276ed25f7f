"""Issue 14, "Languages of people and data": the language a person is answered and
messaged in is their own choice, else the locale Teams sends (the activity's, or for a
proactive message the stored conversation reference's), else the bot's DEFAULT_LOCALE."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from bot.proactive import translator_for
from settings import Settings
from storage.models import Conversation, ConversationKind, Person
from tests.support import activities as a
from tests.support.cards import texts
from tests.support.connector import FakeConnector
from tests.support.harness import BotHarness, serve_bot
from tests.support.portfolio import OWNER


def _settings(default_locale: str = "sv-FI") -> Settings:
    return Settings(DEFAULT_LOCALE=default_locale, CYCLE_ENABLED=False, _env_file=None)


def _chat(locale: str | None) -> Conversation:
    reference = {"conversation": {"id": "a:personal"}, **({"locale": locale} if locale else {})}
    return Conversation(
        conversation_id="a:personal",
        kind=ConversationKind.personal,
        reference=reference,
        service_url="https://smba.example",
    )


@pytest.mark.parametrize(
    ("own", "reference", "language"),
    [
        ("en-GB", "fi-FI", "en"),  # the person's own choice first
        (None, "en-US", "en"),  # then the locale Teams sent in their chat
        (None, None, "sv"),  # then the default: not Finnish because it is Finnish
    ],
)
def test_a_proactive_message_is_in_the_persons_then_the_chats_then_the_default_language(
    own: str | None, reference: str | None, language: str
) -> None:
    person = Person(name="Aino Virtanen", locale=own)
    assert translator_for(person, _chat(reference), _settings()).language == language
    assert translator_for(None, None, _settings("en-GB")).language == "en"
    assert translator_for(Person(name="Olli"), None, _settings()).language == "sv"


def test_the_default_locale_must_be_one_the_bot_speaks() -> None:
    assert _settings("fi_FI").default_locale == "fi_FI"
    with pytest.raises(ValidationError, match="DEFAULT_LOCALE"):
        _settings("de-DE")


@pytest.fixture
async def swedish_default(sqlite_url: str, connector: FakeConnector) -> AsyncIterator[BotHarness]:
    settings = Settings(
        DATABASE_URL=sqlite_url, DEFAULT_LOCALE="sv-FI", CYCLE_ENABLED=False, _env_file=None
    )
    async for harness in serve_bot(sqlite_url, connector, settings):
        yield harness


async def test_a_turn_without_a_locale_is_answered_in_the_default_language(
    swedish_default: BotHarness,
) -> None:
    message = a.message(OWNER, swedish_default.connector.url, "help")
    del message["locale"]
    assert (await swedish_default.post(message))[0] == 201
    assert "Hjälp för färdplansboten" in texts(swedish_default.connector.cards()[-1])
    finnish = a.message(OWNER, swedish_default.connector.url, "ohje")  # Teams says fi-FI
    assert (await swedish_default.post(finnish))[0] == 201
    assert "Tiekarttabotin ohje" in texts(swedish_default.connector.cards()[-1])
