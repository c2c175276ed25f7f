"""``digest here`` (fi ``kooste tänne``, sv ``sammandrag hit``): post the managers' digest
in this channel or chat after each period closes."""

from __future__ import annotations

from bot.intents.registry import Help, Intent, Request
from storage.db import write_transaction
from storage.people import post_digest_in
from translations.markers import N_


async def reply(request: Request) -> None:
    turn = request.turn
    async with write_transaction(turn.services.sessions) as session:
        known = await post_digest_in(turn.activity.conversation.id, session=session)
    if not known:
        await request.notice(turn.t("Add the bot to this team or chat first."), warning=True)
        return
    await request.notice(
        turn.t("The managers' digest will be posted here after each period closes.")
    )


INTENT = Intent(
    name="digest_here",
    words=frozenset({"digest here", "kooste tänne", "sammandrag hit"}),
    admin_only=True,
    reply=reply,
    help=Help(
        {"fi": "kooste tänne", "sv": "sammandrag hit", "en": "digest here"},
        N_("Post the managers' digest in this channel or chat."),
    ),
)
