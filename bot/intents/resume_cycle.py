"""``resume cycle`` (fi ``jatka kierrosta``, sv ``återuppta omgången``): sending goes on,
and a step skipped while paused is caught up (its help line is ``pause cycle``'s)."""

from __future__ import annotations

from bot.intents.pause_cycle import set_paused
from bot.intents.registry import Intent, Request


async def reply(request: Request) -> None:
    await set_paused(request, False)


INTENT = Intent(
    name="resume",
    words=frozenset({"resume cycle", "jatka kierrosta", "återuppta omgången", "återuppta cykeln"}),
    admin_only=True,
    reply=reply,
)
