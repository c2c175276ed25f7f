"""``remind now`` (fi ``muistuta nyt``, sv ``påminn nu``): a reminder, at once, to every
owner who has not answered this period (its help line is ``prompt now``'s)."""

from __future__ import annotations

from bot.intents.prompt_now import queued
from bot.intents.registry import Intent, Request
from scheduler import jobs


async def reply(request: Request) -> None:
    count = await queued(request, jobs.remind_now)
    if count is not None:
        await request.notice(
            request.t.plural(
                "Reminder queued for {count} unanswered project.",
                "Reminders queued for {count} unanswered projects.",
                count,
            )
        )


INTENT = Intent(
    name="remind_now",
    words=frozenset({"remind now", "muistuta nyt", "påminn nu"}),
    admin_only=True,
    reply=reply,
)
