"""The middleware on their own: the tenant allow-list, log-safe text, and the guard's role rule."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.access import Refusal
from bot.context import Services, Turn
from bot.intents.away import INTENT as AWAY
from bot.intents.export import INTENT as EXPORT
from bot.intents.guard import _role_refusal
from bot.intents.pause_cycle import INTENT as PAUSE
from bot.intents.registry import Request
from bot.middleware import TenantMiddleware, safe_for_log
from settings import Settings
from storage.models import Person, Role
from storage.rights import NO_RIGHTS
from translations import Translator

ZONE = ZoneInfo("Europe/Helsinki")


def _context(kind: str, tenant: str | None) -> tuple[TurnContext, list[Activity]]:
    sent: list[Activity] = []
    adapter = TestAdapter()

    async def capture(_context: TurnContext, activities: list[Activity], next_send: Any) -> Any:
        sent.extend(activities)
        return await next_send()

    activity = Activity(
        type=kind,
        id="a-1",
        channel_id="msteams",
        conversation=ConversationAccount(id="c-1", conversation_type="personal"),
        from_property=ChannelAccount(id="29:u"),
        recipient=ChannelAccount(id="28:bot"),
        channel_data={"tenant": {"id": tenant}} if tenant else {},
        service_url="http://127.0.0.1:1/",
    )
    context = TurnContext(adapter, activity)
    context.on_send_activities(capture)
    return context, sent


def _services(**settings: Any) -> Services:
    return Services(
        settings=Settings(_env_file=None, **settings),
        sessions=None,  # type: ignore[arg-type]  # the tenant rule reads no database
    )


@pytest.mark.parametrize(
    ("tenant", "kind", "passes", "answer"),
    [
        ("t-allowed", ActivityTypes.message, True, None),
        ("t-other", ActivityTypes.message, False, None),
        (None, ActivityTypes.message, False, None),
        ("t-other", ActivityTypes.invoke, False, 403),
    ],
)
async def test_the_tenant_allow_list(
    tenant: str | None, kind: str, passes: bool, answer: int | None
) -> None:
    middleware = TenantMiddleware(_services(ALLOWED_TENANTS="t-allowed"))
    context, sent = _context(kind, tenant)
    ran: list[bool] = []

    async def logic() -> None:
        ran.append(True)

    await middleware.on_turn(context, logic)
    assert ran == ([True] if passes else [])
    statuses = [a.value.status for a in sent if a.type == ActivityTypes.invoke_response]
    assert statuses == ([answer] if answer else [])


def test_text_for_the_log_has_no_control_characters_and_a_limit() -> None:
    assert safe_for_log("line\nbreak\x1b[31m", 120) == "line?break?[31m"
    assert len(safe_for_log("a" * 500, 80)) <= 81


def _request(role: Role, text: str = "") -> Request:
    context, _ = _context(ActivityTypes.message, "t")
    turn = Turn(
        context=context,
        services=_services(),
        person=Person(id=1, name="P", aad_object_id="aad", role=role),
        t=Translator("en", ZONE),
    )
    return Request(turn=turn, rights=NO_RIGHTS, text=text)


@pytest.mark.parametrize(
    ("intent", "role", "text", "expected"),
    [
        (PAUSE, Role.admin, "", None),
        (PAUSE, Role.manager, "", Refusal.not_admin),
        (PAUSE, Role.owner, "", Refusal.not_admin),
        (EXPORT, Role.manager, "", None),
        (EXPORT, Role.admin, "", None),
        (EXPORT, Role.owner, "", Refusal.not_manager),
        (EXPORT, Role.viewer, "", Refusal.not_manager),
        (AWAY, Role.owner, "2026-12-20", None),
        (AWAY, Role.owner, "2026-12-20 for Sanna", Refusal.not_admin),
        (AWAY, Role.admin, "2026-12-20 for Sanna", None),
    ],
)
def test_the_guard_reads_the_role_rule_from_the_intent(
    intent: Any, role: Role, text: str, expected: Refusal | None
) -> None:
    assert _role_refusal(intent, _request(role, text)) == expected
