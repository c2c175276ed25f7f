"""Every card verb × role × conversation: money only where the rights rule allows it.

The rule (README, "Commands and questions"): budgets and costs are shown to managers and
admins, and to owners and deputies for their own projects, and only in the person's 1:1
chat; forms open only there, and only for those who may report. A verb the bot answers
but this table does not list fails ``test_every_card_verb_is_in_the_table``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, select

from bot.roadmap_bot import build_router
from storage.models import AuditLog
from tests.bot.test_status_journey import inputs, submission, texts
from tests.conftest import BotHarness
from tests.support import activities as a
from tests.support.activities import User
from tests.support.portfolio import (
    ADMIN,
    DEPUTY,
    LAST_PERIOD,
    MANAGER,
    OTHER,
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
    "viewer": OTHER,
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
    "answer.more": (
        lambda bot: {"intent": "my_projects", "page": 0},
        frozenset({"owner"}),  # my projects: the projects they own
        frozenset(),
    ),
}


def test_every_card_verb_is_in_the_table() -> None:
    assert build_router().verbs == set(VERBS)


async def _refusals(bot: BotHarness) -> list[AuditLog]:
    async with bot.sessions() as session:
        return list(
            (await session.exec(select(AuditLog).where(col(AuditLog.action) == "refused"))).all()
        )


@pytest.mark.parametrize("conversation", CONVERSATIONS)
@pytest.mark.parametrize("verb", sorted(VERBS))
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
            assert after[-1].entity_id == str(bot.portfolio.kartalla_id)
    sent = json.dumps(bot.connector.sent(), ensure_ascii=False)
    assert EURO not in sent or conversation == "personal", "nothing with money was posted"


VERBS_WITH_FORMS = frozenset({"status.submit", "status.edit"})
