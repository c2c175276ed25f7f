"""``prompt now`` (fi ``kysy nyt``, sv ``fråga nu``): the status card, at once, to every
owner who has not answered this period."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from scheduler import jobs
from translations.markers import N_

CLOSED = N_("This month's period is closed: no more status cards or reminders are sent for it.")
PAUSED = N_("The cycle is paused, so nothing is sent. Type resume cycle first.")


async def reply(request: Request) -> None:
    t = request.t
    try:
        count = await jobs.prompt_now()
    except jobs.PeriodClosedError:
        await request.notice(t(CLOSED), warning=True)
        return
    except jobs.CyclePausedError:
        await request.notice(t(PAUSED), warning=True)
        return
    await request.notice(
        t.plural(
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
