"""The intent table: one place that the router, the help card and the sender read."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.intents import DEFAULT_SEND_TIME, INTENTS, Table, table
from bot.intents.cycle_settings import COMMAND, SETTING_KEYS, usage_text
from bot.intents.cycle_settings import examples as setting_examples
from bot.intents.registry import Intent, Request
from bot.questions.parse import parse
from bot.router import Router
from cards.messages import build_help_card
from scheduler.timetable import CycleSettings
from storage.models import Role
from translations import LANGUAGES, Translator

ZONE = ZoneInfo("Europe/Helsinki")


async def _nothing(_request: Request) -> None:
    return None


def test_a_word_two_intents_claim_is_refused_at_start() -> None:
    twin = Intent(name="twin", words=frozenset({"deputy"}), reply=_nothing)
    with pytest.raises(ValueError, match="'deputy' belongs to both deputy and twin"):
        Table((*INTENTS, twin))


@pytest.mark.parametrize(
    "broken",
    [
        Intent(name="wordy", words=frozenset({"frobnicate"})),
        Intent(name="clicky", verbs=frozenset({"frob.nicate"})),
        Intent(name="queued", kinds=frozenset({"frob"})),
    ],
)
def test_a_matcher_without_its_handler_is_refused_at_start(broken: Intent) -> None:
    with pytest.raises(ValueError, match=broken.name):
        Table((*INTENTS, broken))


def test_a_question_intent_the_vocabulary_does_not_know_is_refused() -> None:
    async def load(_ask: object) -> object:
        raise AssertionError

    stranger = Intent(name="horoscope", question=True, load=load)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="horoscope"):
        Table((*INTENTS, stranger))


def test_every_word_of_every_intent_routes_to_it() -> None:
    router = Router(table)
    for intent in INTENTS:
        for word in intent.words:
            found, rest = router.command_for(f"{word.upper()} 2026-10")
            assert found is intent, word
            assert rest == "2026-10"


def test_every_outbox_kind_has_its_intent() -> None:
    assert table.for_kind("prompt") is table.for_kind("reminder-2")
    assert table.for_kind("escalation") is not None
    assert table.for_kind("digest") is not None
    assert table.for_kind("notice") is not None
    assert table.for_kind("horoscope") is None


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(Role))
def test_the_help_card_lists_exactly_what_the_person_may_use(language: str, role: Role) -> None:
    t = Translator(language, ZONE)
    card = str(build_help_card(table.help_view(t, role=role), t))
    for intent in INTENTS:
        if intent.help is None:
            continue
        shown = f"**{intent.help.shown(language, clock=t.clock(DEFAULT_SEND_TIME))}**" in card
        assert shown == intent.may_use(role), (intent.name, language, role)


def test_admin_and_manager_only_intents_are_not_offered_to_others() -> None:
    admin_only = [i for i in INTENTS if i.admin_only]
    assert admin_only, "the cycle's commands are admin-only"
    assert all(i.may_use(Role.admin) and not i.may_use(Role.manager) for i in admin_only)
    assert all(not i.may_use(Role.owner) for i in admin_only)
    assert replace(admin_only[0], admin_only=False).may_use(Role.owner)
    managers = replace(admin_only[0], admin_only=False, manager_only=True)
    assert managers.may_use(Role.manager) and not managers.may_use(Role.owner)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_example_on_the_help_card_leads_to_its_intent(language: str) -> None:
    t = Translator(language, ZONE)
    for name, intent in table.questions_by_name.items():
        for example in intent.examples:
            question = parse(t(example))
            assert question is not None and question.intent == name, (language, t(example))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_the_help_card_shows_leads_to_its_intent(language: str) -> None:
    """The help card's commands are typed as shown: "omgång ställ tid 09:00" reaches the
    cycle's settings, "frånvarande DATUM" the away intent, in each language."""
    router = Router(table)
    for intent in INTENTS:
        if intent.help is None:
            continue
        for number, command in enumerate(intent.help.usage[language].split(" · ")):
            found, _ = router.command_for(command.split(" | ")[0])
            assert found is not None, (language, command)
            if number == 0:  # "kysy nyt · muistuta nyt": the second is a sibling intent's
                assert found is intent, (language, command, found.name)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cycle_settings_examples_use_the_words_the_command_reads(language: str) -> None:
    """Each "cycle set KEY VALUE" in the usage text is a setting the command knows."""
    router = Router(table)
    t = Translator(language, ZONE)
    usage = usage_text(t, setting_examples(t, CycleSettings()))
    command = COMMAND[language]
    examples = usage.split(": ", 1)[1].rstrip(".").split(f", {command} ")
    assert len(examples) == len(set(SETTING_KEYS.values()))
    keys = []
    for example in examples:
        found, rest = router.command_for(
            example if example.startswith(command) else f"{command} {example}"
        )
        assert found is not None and found.name == "set", (language, example)
        keys.append(SETTING_KEYS[rest.split(" ", 1)[0]])
    assert sorted(keys) == sorted(set(SETTING_KEYS.values()))
