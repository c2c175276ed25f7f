"""``prompt now`` (fi ``kysy nyt``, sv ``fråga nu``): the status card, at once, to every
owner who has not answered this period."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.intents.registry import Help, Intent, Request
from scheduler import jobs
from translations.markers import N_

CLOSED = N_("This month's period is closed: no more status cards or reminders are sent for it.")
PAUSED = N_("The cycle is paused, so nothing is sent. Type resume cycle first.")


async def queued(request: Request, queue: Callable[[], Awaitable[int]]) -> int | None:
    """Queue the cards now (``jobs.prompt_now`` or ``jobs.remind_now``): how many, or None
    when the period is closed or the cycle paused, and the admin has been told why."""
    try:
        return await queue()
    except jobs.PeriodClosedError:
        await request.notice(request.t(CLOSED), warning=True)
    except jobs.CyclePausedError:
        await request.notice(request.t(PAUSED), warning=True)
    return None


async def reply(request: Request) -> None:
    count = await queued(request, jobs.prompt_now)
    if count is not None:
        await request.notice(
            request.t.plural(
                "Status card queued for {count} unanswered project.",
                "Status cards queued for {count} unanswered projects.",
                count,
            )
        )


INTENT = Intent(
    name="prompt_now",
    words=frozenset({"prompt now", "kysy nyt", "fråga nu"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {
            "fi": "kysy nyt · muistuta nyt",
            "sv": "fråga nu · påminn nu",
            "en": "prompt now · remind now",
        },
        N_("Send the status card or a reminder now to everyone who hasn't answered."),
    ),
)
