"""``remind now`` (fi ``muistuta nyt``, sv ``påminn nu``): a reminder, at once, to every
owner who has not answered this period (its help line is ``prompt now``'s)."""

from __future__ import annotations

from bot.intents.prompt_now import CLOSED, PAUSED
from bot.intents.registry import Intent, Request
from scheduler import jobs


async def reply(request: Request) -> None:
    t = request.t
    try:
        count = await jobs.remind_now()
    except jobs.PeriodClosedError:
        await request.notice(t(CLOSED), warning=True)
        return
    except jobs.CyclePausedError:
        await request.notice(t(PAUSED), warning=True)
        return
    await request.notice(
        t.plural(
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
