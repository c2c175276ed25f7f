"""Every card verb and message intent × role × conversation: money only where the rights
rule allows it.

The rule (README, "Commands and questions"): budgets and costs are shown to managers and
admins, and to owners and deputies for their own projects, and only in the person's 1:1
chat; forms open only there, and only for those who may report. The verbs and intents
come from the intent table (``bot.intents.table``): a verb it has but ``VERBS`` does not
list fails, and so does a money-showing message intent without an example in ``SAID``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, select

from bot.intents import table
from storage.models import AuditLog
from tests.support import activities as a
from tests.support.activities import User
from tests.support.cards import inputs, submission, texts
from tests.support.harness import BotHarness
from tests.support.portfolio import (
    ADMIN,
    DEPUTY,
    LAST_PERIOD,
    MANAGER,
    OWNER,
    STRANGER,
    VIEWER,
)

EURO = "€"
# Kartalla's owner and the owner's deputy; OTHER owns another project.
ROLES: dict[str, User] = {
    "owner": OWNER,
    "deputy": DEPUTY,
    "admin": ADMIN,
    "manager": MANAGER,
    "viewer": VIEWER,
    "stranger": STRANGER,
}
CONVERSATIONS = ("personal", "groupChat", "channel")
EDITORS = frozenset({"owner", "deputy", "admin"})
READERS = EDITORS | {"manager"}


def _saved(bot: BotHarness) -> dict[str, Any]:
    return {"project_id": bot.portfolio.kartalla_id, "period": LAST_PERIOD}


# verb -> (the card's data, the roles that see money in their 1:1 chat, refused roles)
VERBS: dict[str, tuple[Callable[[BotHarness], dict[str, Any]], frozenset[str], frozenset[str]]] = {
    "status.submit": (submission, EDITORS, frozenset(ROLES) - EDITORS),
    "status.edit": (_saved, EDITORS, frozenset(ROLES) - EDITORS),
    "status.refresh": (_saved, READERS, frozenset()),
    "answer.project": (lambda bot: {"project_id": bot.portfolio.kartalla_id}, READERS, frozenset()),
    "workbook.apply": (  # admins only; no file waits here, so it says so, without money
        lambda bot: {"import_id": 1, "digest": "0" * 64},
        frozenset(),
        frozenset(ROLES) - {"admin"},
    ),
    "answer.more": (
        lambda bot: {"intent": "my_projects", "page": 0},
        frozenset({"owner"}),  # my projects: the projects they own
        frozenset(),
    ),
}


def test_every_card_verb_is_in_the_table() -> None:
    assert set(table.by_verb) == set(VERBS)


async def _refusals(bot: BotHarness) -> list[AuditLog]:
    async with bot.sessions() as session:
        return list(
            (await session.exec(select(AuditLog).where(col(AuditLog.action) == "refused"))).all()
        )


@pytest.mark.parametrize("conversation", CONVERSATIONS)
@pytest.mark.parametrize("verb", sorted(table.by_verb))
async def test_money_only_where_the_rule_allows(
    bot: BotHarness, verb: str, conversation: str
) -> None:
    data_for, money_roles, refused_roles = VERBS[verb]
    for role, user in ROLES.items():
        refusals = len(await _refusals(bot))
        activity = a.in_conversation(
            a.execute(user, bot.connector.url, verb, {"verb": verb, **data_for(bot)}),
            conversation,
        )
        status, body = await bot.post(activity)
        assert status == 200, (role, body)
        card = body["value"]
        shown = json.dumps(card, ensure_ascii=False)
        may_see = conversation == "personal" and role in money_roles
        assert (EURO in shown) == may_see, f"{verb} as {role} in {conversation}: {texts(card)}"
        if conversation != "personal":
            assert not inputs(card), f"{verb} as {role} in {conversation} gave a form"
        if role in refused_roles or (conversation != "personal" and verb in VERBS_WITH_FORMS):
            after = await _refusals(bot)
            assert len(after) == refusals + 1, f"{verb} as {role}: no audit entry"
            assert after[-1].details["verb"] == verb
            data = data_for(bot)
            target = str(data["project_id"]) if "project_id" in data else verb
            assert after[-1].entity_id == target
    sent = json.dumps(bot.connector.sent(), ensure_ascii=False)
    assert EURO not in sent or conversation == "personal", "nothing with money was posted"


VERBS_WITH_FORMS = frozenset({"status.submit", "status.edit"})

# Every intent a message reaches whose cards may show money: what to say, in English.
SAID = {
    "status": "status",
    "export": "export",
    "board_deck": "deck 2025",
    **{name: i.examples[0] for name, i in table.questions_by_name.items()},
}
MONEY_INTENTS = sorted(i.name for i in table.intents if i.shows_money and (i.words or i.question))


def test_every_money_intent_a_message_reaches_is_tried() -> None:
    assert set(MONEY_INTENTS) <= set(SAID)


@pytest.mark.parametrize("conversation", CONVERSATIONS)
@pytest.mark.parametrize("intent", MONEY_INTENTS)
async def test_messages_show_money_only_to_readers_in_their_personal_chat(
    bot: BotHarness, intent: str, conversation: str
) -> None:
    """Nothing with money, and no file link, is posted in a shared conversation, nor to a
    viewer or stranger."""
    for role, user in ROLES.items():
        before = len(bot.connector.calls)
        message = a.in_conversation(a.message(user, bot.connector.url, SAID[intent]), conversation)
        status, _ = await bot.post(message)
        assert status == 201, (intent, role)
        here = [
            c.body
            for c in bot.connector.calls[before:]
            if c.method == "POST" and c.conversation_id == message["conversation"]["id"]
        ]
        assert here, f"{intent} as {role} in {conversation}: no answer"
        shown = json.dumps(here, ensure_ascii=False)
        if conversation != "personal" or role in ("viewer", "stranger"):
            assert EURO not in shown, f"{intent} as {role} in {conversation}: {shown[:300]}"
            assert "/files/" not in shown, f"{intent} as {role} in {conversation}: a file link"


def _calls_to(bot: BotHarness, conversation_id: str) -> list[dict[str, Any]]:
    return [
        call.body
        for call in bot.connector.calls
        if call.method == "POST" and call.conversation_id == conversation_id
    ]


def _cards_of(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        attachment["content"]
        for activity in activities
        for attachment in activity.get("attachments") or []
    ]


@pytest.mark.parametrize("conversation", ["groupChat", "channel"])
async def test_status_in_a_shared_conversation_goes_to_the_personal_chat(
    bot: BotHarness, conversation: str
) -> None:
    await bot.post(a.personal_install(OWNER, bot.connector.url))
    message = a.in_conversation(
        a.message(OWNER, bot.connector.url, "<at>Roadmap Bot</at> tila"), conversation
    )
    message["entities"] = [{"type": "mention", "text": "<at>Roadmap Bot</at>", "mentioned": a.BOT}]
    status, _ = await bot.post(message)
    assert status == 201
    shared_id = message["conversation"]["id"]
    [notice] = _cards_of(_calls_to(bot, shared_id))
    assert "Lähetin tilakorttisi kahdenkeskiseen keskusteluumme." in texts(notice)
    assert EURO not in json.dumps(notice, ensure_ascii=False) and not inputs(notice)
    [form] = [c for c in _cards_of(_calls_to(bot, OWNER.conversation)) if inputs(c)]
    assert inputs(form)["spent"] == "20\xa0000", "the form, with its money, is in the 1:1 chat"


async def test_without_a_personal_chat_the_bot_says_how_to_open_one(bot: BotHarness) -> None:
    message = a.in_conversation(a.message(OWNER, bot.connector.url, "tila"), "groupChat")
    await bot.post(message)
    [notice] = bot.connector.cards()
    assert "Avaa se: valitse nimeni" in texts(notice)
    assert EURO not in json.dumps(notice, ensure_ascii=False) and not inputs(notice)


async def test_a_form_submitted_in_a_channel_goes_to_the_personal_chat_with_what_was_typed(
    bot: BotHarness,
) -> None:
    await bot.post(a.personal_install(OWNER, bot.connector.url))
    data = submission(bot, achievements="Kirjoitettu kanavalla")
    status, body = await bot.post(
        a.in_conversation(a.execute(OWNER, bot.connector.url, "status.submit", data), "channel")
    )
    assert status == 200
    assert "Lähetin lomakkeen kahdenkeskiseen keskusteluumme." in texts(body["value"])
    [form] = [c for c in _cards_of(_calls_to(bot, OWNER.conversation)) if inputs(c)]
    assert inputs(form)["achievements"] == "Kirjoitettu kanavalla"
    assert inputs(form)["spent"] == "25000"
    async with bot.sessions() as session:
        refused = (await session.exec(select(AuditLog))).all()
    assert [(r.action, r.details["reason"]) for r in refused] == [
        ("refused", "shared_conversation")
    ]
